"""`secrets set` and `secrets list`: change or describe the env's provider secrets, never showing a value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webhookctl.aws import AwsContext
from webhookctl.config import PROVIDERS, Settings
from webhookctl.errors import UsageError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.providers import check_provider
from webhookctl.operations.secret_document import read_secret_document, write_secret_document


@dataclass(frozen=True)
class ProviderSecretSummary:
    """What is stored for one provider, as fingerprints only."""

    provider: str
    enabled: bool
    fingerprints: tuple[str, ...]  # first = current (signs); all verify
    webhook_id: str | None = None  # paypal: not a secret, shown to match the dashboard
    certificates: tuple[str, ...] = ()  # paypal: fingerprints of pinned certificates
    signing_key: bool = False  # paypal / whsk_: generated test material can sign

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "provider": self.provider,
            "enabled": self.enabled,
            "configured": bool(self.fingerprints or self.certificates),
            "count": len(self.fingerprints) or len(self.certificates),
            "fingerprints": list(self.fingerprints),
        }
        if self.provider == "paypal":
            document.update(webhook_id=self.webhook_id, certificates=list(self.certificates), signing_key=self.signing_key)
        return document


@dataclass(frozen=True)
class SecretsListResult:
    secret: str
    providers: list[ProviderSecretSummary] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"secret": self.secret, "providers": [p.to_json() for p in self.providers]}


@dataclass(frozen=True)
class SecretSetResult:
    provider: str
    fingerprint: str  # of the new current secret
    kept_previous: bool
    valid: int  # how many secrets now verify
    generated: bool
    version_id: str | None
    # When the replaced material stops verifying: 0 = at once, None = it still verifies (kept).
    previous_stops_verifying_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "fingerprint": self.fingerprint,
            "kept_previous": self.kept_previous,
            "valid": self.valid,
            "generated": self.generated,
            "version_id": self.version_id,
            "previous_stops_verifying_s": self.previous_stops_verifying_s,
        }


def summarize_entry(provider: str, entry: dict[str, Any], enabled: bool) -> ProviderSecretSummary:
    from webhook_signatures import material

    secrets = [s for s in entry.get("secrets") or [] if isinstance(s, str) and s]
    certificates = [c for c in entry.get("certificates") or [] if isinstance(c, str) and c]
    return ProviderSecretSummary(
        provider=provider,
        enabled=enabled,
        fingerprints=tuple(material.fingerprint(s) for s in secrets),
        webhook_id=entry.get("webhook_id") if isinstance(entry.get("webhook_id"), str) else None,
        certificates=tuple(material.fingerprint(c) for c in certificates),
        signing_key=bool(entry.get("signing_key")),
    )


def list_secrets(ctx: AwsContext, settings: Settings) -> SecretsListResult:
    deployment = Deployment(ctx, settings)
    document = read_secret_document(deployment)
    providers = [
        summarize_entry(p, document.entries.get(p, {}), p in settings.providers_enabled)
        for p in PROVIDERS
        if p in document.entries or p in settings.providers_enabled
    ]
    return SecretsListResult(secret=deployment.names.secret, providers=providers)


def set_secret(
    ctx: AwsContext,
    settings: Settings,
    provider: str,
    *,
    value: str | None = None,
    generate: bool = False,
    keep_previous: bool = False,
) -> SecretSetResult:
    """Validate, then PutSecretValue with the provider's entry changed; the value never reaches an error."""
    from webhook_signatures import material

    check_provider(provider)
    if (value is None) != bool(generate):
        raise UsageError("give exactly one of --value or --generate")
    if value is not None:
        value = value.strip()
        if not value:
            raise UsageError(f"the {provider} secret is empty")
        try:
            material.validate_secret(provider, value)
        except ValueError as exc:
            # material's messages name the expected form and never echo the value.
            raise UsageError(f"invalid {provider} secret: {exc}") from None

    deployment = Deployment(ctx, settings)
    document = read_secret_document(deployment)
    old_entry = dict(document.entries.get(provider) or {})
    if generate:
        fresh = material.generate(provider)
        entry = _keep_previous(provider, old_entry, fresh) if keep_previous else fresh
    else:
        entry = material.set_secret(old_entry, provider, value, keep_previous)
    document.entries[provider] = entry
    version_id = write_secret_document(deployment, document)

    summary = summarize_entry(provider, entry, provider in settings.providers_enabled)
    current = summary.fingerprints[0] if summary.fingerprints else (summary.certificates[0] if summary.certificates else "")
    return SecretSetResult(
        provider=provider,
        fingerprint=current,
        kept_previous=keep_previous,
        valid=len(summary.fingerprints) or len(summary.certificates),
        generated=generate,
        version_id=version_id,
        previous_stops_verifying_s=None if keep_previous else _replaced_secret_lifetime_s(ctx, deployment),
    )


def _replaced_secret_lifetime_s(ctx: AwsContext, deployment: Deployment) -> float:
    """How long a warm receiver may still verify with what it cached: its SECRETS_TTL_S (at once on the local cloud)."""
    if ctx.target == "local":
        return 0.0  # the local cloud retires the receivers' warm environments when the secret changes
    try:
        return float(deployment.receiver_environment().get("SECRETS_TTL_S") or 300)
    except Exception:  # noqa: BLE001 - unreadable configuration: say the old default, the longest it has been
        return 300.0


def _keep_previous(provider: str, old: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """Generated material made current with every old credential still verifying.

    PayPal: the new certificate signs, the old ones stay pinned, and the webhook id is kept: it names the
    webhook's registration (PayPal signs it into every delivery), so deliveries under either certificate verify.
    """
    from webhook_signatures import material

    if provider == "paypal":
        certificates = list(dict.fromkeys([*fresh.get("certificates", []), *old.get("certificates", [])]))[: material.MAX_SECRETS]
        return {**old, **fresh, "certificates": certificates, "webhook_id": old.get("webhook_id") or fresh.get("webhook_id")}
    fresh_secrets = fresh.get("secrets") or []
    if not fresh_secrets or not old.get("secrets"):
        return fresh
    return material.set_secret(old, provider, fresh_secrets[0], True)
