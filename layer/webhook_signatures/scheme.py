"""The shape every signature scheme has, and the checks that apply to one verification."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Protocol

from webhook_signatures.delivery import Delivery, SignedDelivery
from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.request import Request


class Checks(NamedTuple):
    now: float  # Unix seconds used for timestamp tolerance
    tolerance_s: float | None  # None disables the timestamp tolerance
    cert_fetcher: Callable[[str], Any] | None = None  # paypal only


class Scheme(Protocol):
    provider: str

    def verify(self, request: Request, config: ProviderConfig, checks: Checks) -> Delivery:
        """The delivery's identity when authentic; SignatureInvalid / MalformedBody otherwise."""

    def identify(self, request: Request) -> Delivery:
        """Event id and type, read from where the provider puts them (no authentication)."""

    def sign(self, body: bytes, config: ProviderConfig, at: int, msg_id: str | None) -> SignedDelivery:
        """The headers (and body) the provider would send for `body` at Unix time `at`."""
