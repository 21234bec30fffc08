"""webhookctl: provision and operate a serverless payment-webhook pipeline."""

__version__ = "0.1.0"
