"""Provisioning: preflight checks, the plan of changes, and applying it to an account."""
