"""Offline `sign` and `verify`: read a body file, parse headers and times, and call the signature schemes.

Defaults not given on the command line come from webhookctl.toml: the Square notification URL, the
PayPal webhook id and pinned certificate file, and the API's maximum body size.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import webhook_signatures
from webhook_signatures import material

from webhookctl.config import ENV_NAME, Settings, load_settings
from webhookctl.errors import UsageError

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token (RFC 9110)
_UNIX = re.compile(r"^\d{1,12}(\.\d+)?$")


@dataclass(frozen=True)
class SignResult:
    provider: str
    headers: dict[str, str]
    body: bytes
    body_changed: bool  # Adyen adds signatures to the body; the sender must send this body

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"provider": self.provider, "headers": self.headers, "body": _body_text(self.body)}
        if not is_utf8(self.body):
            document["body_base64"] = base64.b64encode(self.body).decode()
        document["body_changed"] = self.body_changed
        return document


@dataclass(frozen=True)
class VerifyResult:
    provider: str
    valid: bool
    reason: str
    event_id: str | None = None
    event_type: str | None = None
    error: str | None = field(default=None)  # kind of refusal: SignatureInvalid, MalformedBody, BodyTooLarge

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "provider": self.provider,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "error": self.error,
        }


# --- inputs ---------------------------------------------------------------------------------------

def check_provider(provider: str) -> str:
    if provider not in webhook_signatures.PROVIDERS:
        raise UsageError(f"unknown provider {provider!r}", hint="one of: " + ", ".join(webhook_signatures.PROVIDERS))
    return provider


def read_body(path: str) -> bytes:
    """The exact bytes of the body file ('-' is not accepted: a body's bytes must be exact)."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"body file not found: {path}")
    try:
        return file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read body file {path}: {exc.strerror}") from None


def parse_headers(values: list[str]) -> dict[str, str]:
    """'Name: value' strings -> a dict; repeated names keep the last value."""
    headers: dict[str, str] = {}
    for value in values:
        name, colon, text = value.partition(":")
        name = name.strip()
        if not colon or not _HEADER_NAME.match(name):
            raise UsageError(f"--header must look like 'Name: value' (got {value[:60]!r})")
        headers[name] = text.strip()
    return headers


def parse_at(text: str | None) -> int | None:
    """--at as Unix seconds or an ISO-8601 time (no zone means UTC)."""
    if text is None:
        return None
    text = text.strip()
    if not text.isascii():  # Python's \d and fromisoformat would read other scripts' digits
        raise UsageError(f"--at must be Unix seconds or an ISO-8601 time in ASCII digits (got {text!r})")
    if _UNIX.match(text):
        return int(float(text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at must be Unix seconds or an ISO-8601 time (got {text!r})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment.timestamp() < 0:
        raise UsageError(f"--at must not be before 1970-01-01T00:00:00Z (got {text!r})")
    return int(moment.timestamp())


def _check_secret(provider: str, secret: str) -> str:
    try:
        material.validate_secret(provider, secret)
    except ValueError as exc:
        raise UsageError(f"--secret: {exc}") from None
    return secret


def _read_pem(value: str, what: str) -> str:
    """PEM text given inline, or the path of a PEM file."""
    if "-----BEGIN" in value:
        return value
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"{what}: no such file, and not PEM text: {value[:60]}")
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        raise UsageError(f"{what}: cannot read {value}") from None


def _settings(config: str | None) -> Settings:
    # sign and verify take no --env: WEBHOOKCTL_ENV picks the overrides when it names an env, and a bad one is not theirs to refuse.
    env = os.environ.get("WEBHOOKCTL_ENV") or "dev"
    return load_settings(env if ENV_NAME.fullmatch(env) else "dev", config)


# --- sign -----------------------------------------------------------------------------------------

def sign_delivery(
    provider: str,
    *,
    secret: str | None,
    body_file: str,
    at: str | None = None,
    msg_id: str | None = None,
    notification_url: str | None = None,
    webhook_id: str | None = None,
    config: str | None = None,
) -> SignResult:
    """What `provider` would send for the body in `body_file`."""
    check_provider(provider)
    body = read_body(body_file)
    settings = _settings(config)
    moment = parse_at(at)
    if not secret:
        raise UsageError("--secret is required" + (" (the PayPal signing key: PEM text or file)" if provider == "paypal" else ""))
    if provider == "paypal":
        pem = _read_pem(secret, "--secret")
        webhook_id = webhook_id or settings.paypal_webhook_id
        if not webhook_id:
            raise UsageError("sign paypal needs --webhook-id (or providers.paypal.webhook_id in the config)")
        provider_config = webhook_signatures.ProviderConfig(webhook_id=webhook_id, signing_key=_check_paypal_key(pem))
    else:
        provider_config = webhook_signatures.ProviderConfig(
            secrets=(_check_secret(provider, secret),),
            notification_url=_square_url(provider, notification_url, settings),
        )
    try:
        signed = webhook_signatures.sign(provider, body, provider_config, at=moment, msg_id=msg_id)
    except webhook_signatures.SignatureInvalid as exc:
        raise UsageError(f"cannot sign: {exc.reason}") from None
    return SignResult(provider=provider, headers=dict(signed.headers), body=signed.body, body_changed=signed.body != body)


def _check_paypal_key(pem: str) -> str:
    try:
        material.validate_secret("paypal", pem)
    except ValueError as exc:
        raise UsageError(f"--secret: {exc}") from None
    if "PRIVATE KEY-----" not in pem:
        raise UsageError("--secret for sign paypal is an RSA private key (PEM text or file)")
    return pem


def _square_url(provider: str, notification_url: str | None, settings: Settings) -> str | None:
    if provider != "square":
        return notification_url
    url = notification_url or settings.square_notification_url
    if not url:
        raise UsageError("square signs the notification URL: pass --notification-url (or set providers.square.notification_url)")
    return url


# --- verify ---------------------------------------------------------------------------------------

def verify_delivery(
    provider: str,
    *,
    secrets: list[str],
    body_file: str,
    headers: list[str],
    at: str | None = None,
    notification_url: str | None = None,
    webhook_id: str | None = None,
    cert_file: str | None = None,
    config: str | None = None,
) -> VerifyResult:
    """Check a captured delivery offline; an invalid one is a result (valid=False), not an error."""
    check_provider(provider)
    body = read_body(body_file)
    header_map = parse_headers(headers)
    settings = _settings(config)
    moment = parse_at(at)
    if provider == "paypal":
        provider_config = _paypal_verify_config(secrets, webhook_id, cert_file, settings)
    else:
        if not secrets:
            raise UsageError("--secret is required (repeat it to try several secrets)")
        provider_config = webhook_signatures.ProviderConfig(
            secrets=tuple(_check_secret(provider, s) for s in secrets),
            notification_url=_square_url(provider, notification_url, settings),
        )
    try:
        delivery = webhook_signatures.verify(
            provider, header_map, body, provider_config, now=moment, max_body_bytes=settings.max_body_bytes
        )
    except webhook_signatures.SignatureInvalid as exc:
        return VerifyResult(provider, False, exc.reason, error="SignatureInvalid")
    except webhook_signatures.MalformedBody as exc:
        return VerifyResult(provider, False, f"signature valid, but {exc.reason}: no event id", error="MalformedBody")
    except webhook_signatures.BodyTooLarge as exc:
        return VerifyResult(provider, False, str(exc), error="BodyTooLarge")
    return VerifyResult(provider, True, "signature valid", delivery.event_id, delivery.event_type)


def _paypal_verify_config(secrets: list[str], webhook_id: str | None, cert_file: str | None, settings: Settings):
    if secrets:
        raise UsageError("verify paypal takes no --secret: pass --webhook-id and --cert")
    webhook_id = webhook_id or settings.paypal_webhook_id
    cert_path = cert_file or (str(settings.paypal_cert_file) if settings.paypal_cert_file else None)
    if not webhook_id or not cert_path:
        raise UsageError("verify paypal needs --webhook-id and --cert PEM_FILE")
    pem = _read_pem(cert_path, "--cert")
    try:
        material.validate_secret("paypal", pem)
    except ValueError as exc:
        raise UsageError(f"--cert: {exc}") from None
    # Only the pinned --cert is trusted: offline verification never fetches a certificate.
    return webhook_signatures.ProviderConfig(webhook_id=webhook_id, certificates=(pem,))


# --- helpers for rendering ------------------------------------------------------------------------

def is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _body_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")
