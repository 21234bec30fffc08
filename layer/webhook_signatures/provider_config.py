"""What one provider needs to verify (and, for test material, to sign) deliveries."""

from __future__ import annotations

from typing import NamedTuple


class ProviderConfig(NamedTuple):
    """`secrets[0]` is current and signs; every entry verifies (rotation). Immutable (a NamedTuple: cheap to import and build)."""

    secrets: tuple[str, ...] = ()
    notification_url: str | None = None  # square: the URL the provider posts to (part of the signed content)
    webhook_id: str | None = None  # paypal: the webhook id PayPal signs into each delivery
    certificates: tuple[str, ...] = ()  # paypal: pinned signing certificates (PEM)
    signing_key: str | None = None  # paypal: PEM private key of generated test material

    def __repr__(self) -> str:  # never print secrets or keys
        return (
            f"ProviderConfig(secrets=<{len(self.secrets)}>, notification_url={self.notification_url!r}, "
            f"webhook_id={self.webhook_id!r}, certificates=<{len(self.certificates)}>, "
            f"signing_key={'<set>' if self.signing_key else None})"
        )
