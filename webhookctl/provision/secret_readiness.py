"""Which enabled providers have no signing material yet: every delivery to them will be refused.

A protected env's secret is created with no value (nothing is generated for it), so until
`secrets set` has run for each enabled provider, the receiver answers 401 to that provider.
`status` and `preflight` say so. Reads only: DescribeSecret, then GetSecretValue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from webhookctl.config import Settings
from webhookctl.names import Names
from webhookctl.provision.resources.base import is_not_found


@dataclass(frozen=True)
class SecretReadiness:
    exists: bool  # the env's provider secret exists (and is not scheduled for deletion)
    without_secret: list[str]  # enabled providers that nothing in the secret or config lets verify


def read_secret_readiness(client: Any, settings: Settings) -> SecretReadiness:
    from webhook_signatures import material

    from webhookctl.provision.resources.functions import provider_settings

    name = Names(settings.prefix, settings.env).secret
    enabled = list(settings.providers_enabled)
    try:
        described = client.describe_secret(SecretId=name)
    except ClientError as exc:
        if is_not_found(exc):
            return SecretReadiness(False, enabled)
        raise
    if described.get("DeletedDate") is not None:
        return SecretReadiness(False, enabled)
    from webhookctl.provision.resources.secret import current_document

    document = current_document(client, name)
    return SecretReadiness(True, material.providers_without_material(document, enabled, provider_settings(settings)))


def without_secret_sentence(env: str, providers: list[str]) -> str:
    """One line for status and preflight: who is refused, and the command that fixes it."""
    return (
        f"no signing secret for {', '.join(providers)}: every delivery to {'it' if len(providers) == 1 else 'them'} will be refused; "
        f"set each with: webhookctl secrets set PROVIDER --env {env} --value ..."
    )
