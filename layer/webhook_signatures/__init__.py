"""Webhook signature schemes: one module used by the receiver to verify and by the CLI to sign."""
