"""The soak: thousands of signed webhooks, re-deliveries and forgeries against a deployed env, then a count of every fate."""
