"""The env's one provider-secret document in Secrets Manager: read and write it whole."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from webhookctl.errors import WebhookctlError
from webhookctl.operations.deployment import Deployment, is_missing


@dataclass
class SecretDocument:
    """`{provider: entry}`; its repr never shows a value."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    version_id: str | None = None

    def __repr__(self) -> str:
        return f"SecretDocument(providers={sorted(self.entries)}, version_id={self.version_id!r})"


def read_secret_document(deployment: Deployment) -> SecretDocument:
    client = deployment.ctx.client("secretsmanager")
    try:
        response = client.get_secret_value(SecretId=deployment.names.secret)
    except Exception as exc:
        if is_missing(exc):
            # A protected env's secret is created with no version (no AWSCURRENT), and GetSecretValue
            # then answers ResourceNotFoundException as for a missing secret: DescribeSecret tells them apart.
            deployment.secret_arn  # NotDeployedError when the secret itself is missing
            return SecretDocument()
        raise
    text = response.get("SecretString") or "{}"
    try:
        entries = json.loads(text)
    except ValueError:
        raise WebhookctlError(
            f"the secret {deployment.names.secret} is not a JSON document",
            hint="set each provider again with: webhookctl secrets set PROVIDER",
        ) from None
    if not isinstance(entries, dict):
        raise WebhookctlError(f"the secret {deployment.names.secret} is not a JSON object")
    return SecretDocument(entries={k: v for k, v in entries.items() if isinstance(v, dict)}, version_id=response.get("VersionId"))


def write_secret_document(deployment: Deployment, document: SecretDocument) -> str | None:
    """PutSecretValue with the whole document; returns the new version id."""
    client = deployment.ctx.client("secretsmanager")
    response = client.put_secret_value(SecretId=deployment.secret_arn, SecretString=json.dumps(document.entries, sort_keys=True))
    return response.get("VersionId")
