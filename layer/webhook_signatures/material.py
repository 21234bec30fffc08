"""Secret material: the Secrets Manager document, generated test material, rotation and fingerprints.

The env's one secret is a JSON object keyed by provider:
    {"stripe": {"secrets": ["whsec_current", "whsec_previous"]}, ...,
     "paypal": {"webhook_id": "...", "certificates": ["PEM"], "signing_key": "PEM"}}
`secrets[0]` is current (it signs); every entry verifies. Keys for each form are what the provider
hands out: Stripe whsec_…, Standard Webhooks/Svix whsec_… / whsk_… / whpk_…, Adyen hex HMAC key,
plain strings for GitHub, Shopify and Square.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
import secrets as random
import string
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from webhook_signatures.provider_config import ProviderConfig
from webhook_signatures.registry import PROVIDERS
from webhook_signatures.standard_webhooks import HMAC_PREFIX, PUBLIC_KEY_PREFIX, SIGNING_KEY_PREFIX

MAX_SECRETS = 5  # current + previous ones kept by --keep-previous; the oldest drop off
MAX_SECRET_CHARS = 4096
MAX_PEM_CHARS = 32768
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PAYPAL_WEBHOOK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STRIPE_SECRET = re.compile(r"^whsec_[A-Za-z0-9_+/=-]{8,}$")
_HEX = re.compile(r"^(?:[0-9A-Fa-f]{2}){16,}$")


# --- the document -------------------------------------------------------------------------------

def load_document(text: str | None) -> dict[str, Any]:
    """The secret document; an empty or missing secret is an empty document."""
    if not text:
        return {}
    try:
        document = json.loads(text)
    except ValueError:
        raise ValueError("the provider secret is not a JSON document") from None
    if not isinstance(document, dict):
        raise ValueError("the provider secret is not a JSON object")
    return document


def dump_document(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def fingerprint(value: str) -> str:
    """A short SHA-256 fingerprint to tell secrets apart; never the value itself."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def entry_fingerprints(provider: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    """What `secrets list` may show about one entry: fingerprints and non-secret ids."""
    shown: dict[str, Any] = {"secrets": [fingerprint(s) for s in entry.get("secrets", [])]}
    if provider == "paypal":
        shown = {
            "webhook_id": entry.get("webhook_id"),
            "certificates": [fingerprint(c) for c in entry.get("certificates", [])],
            "signing_key": fingerprint(entry["signing_key"]) if entry.get("signing_key") else None,
        }
    return shown


# --- generation ---------------------------------------------------------------------------------

def generate(provider: str) -> dict[str, Any]:
    """Fresh random test material for one provider, as a document entry."""
    _check_provider(provider)
    if provider == "stripe":
        alphabet = string.ascii_letters + string.digits
        return {"secrets": ["whsec_" + "".join(random.choice(alphabet) for _ in range(32))]}
    if provider in ("standardwebhooks", "svix"):
        return {"secrets": [HMAC_PREFIX + base64.b64encode(random.token_bytes(24)).decode()]}
    if provider == "adyen":
        return {"secrets": [random.token_hex(32).upper()]}
    if provider == "paypal":
        return generate_paypal()
    return {"secrets": [random.token_urlsafe(32)]}


def generate_paypal(*, valid_days: int = 5 * 365, not_before: datetime | None = None) -> dict[str, Any]:
    """A webhook id plus a self-signed RSA certificate (pinned as trusted) and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or (datetime.now(timezone.utc) - timedelta(days=1))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "webhookctl test signer")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    alphabet = string.ascii_uppercase + string.digits
    return {
        "webhook_id": "".join(random.choice(alphabet) for _ in range(17)),
        "certificates": [cert.public_bytes(serialization.Encoding.PEM).decode()],
        "signing_key": key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
    }


# --- setting and rotating -----------------------------------------------------------------------

def set_secret(entry: Mapping[str, Any] | None, provider: str, value: str, keep_previous: bool) -> dict[str, Any]:
    """A new entry with `value` current; with keep_previous the old secrets still verify.

    PayPal takes a pinned certificate (PEM), a test signing key (PEM), a webhook id, or a JSON object
    with any of webhook_id / certificates / signing_key.
    """
    validate_secret(provider, value)
    old = copy.deepcopy(dict(entry or {}))
    if provider == "paypal":
        return _set_paypal(old, value, keep_previous)
    previous = [s for s in old.get("secrets", []) if s != value] if keep_previous else []
    return {**old, "secrets": [value, *previous][:MAX_SECRETS]}


def _set_paypal(old: dict[str, Any], value: str, keep_previous: bool) -> dict[str, Any]:
    text = value.strip()
    if text.startswith("{"):
        update = json.loads(text)
        new = {**old}
        if "webhook_id" in update:
            new["webhook_id"] = update["webhook_id"]
        if "signing_key" in update:
            new["signing_key"] = update["signing_key"]
        if "certificates" in update:
            kept = old.get("certificates", []) if keep_previous else []
            new["certificates"] = _rotate(update["certificates"], kept)
        return new
    if "-----BEGIN CERTIFICATE-----" in text:
        pem = text + "\n"
        new = {**old, "certificates": _rotate([pem], old.get("certificates", []) if keep_previous else [])}
        if not keep_previous:
            new.pop("signing_key", None)  # it belonged to a certificate that is no longer trusted
        return new
    if "PRIVATE KEY-----" in text:
        return {**old, "signing_key": text + "\n"}
    return {**old, "webhook_id": text}


def _rotate(current: list[str], previous: list[str]) -> list[str]:
    return list(dict.fromkeys([*current, *previous]))[:MAX_SECRETS]


# --- validation ---------------------------------------------------------------------------------

def validate_secret(provider: str, value: str) -> None:
    """Check the form of a provider key; ValueError says what is wrong without echoing the value."""
    _check_provider(provider)
    if not isinstance(value, str) or not value:
        raise ValueError(f"the {provider} secret is empty")
    if provider == "paypal":
        _validate_paypal(value)
        return
    if len(value) > MAX_SECRET_CHARS:
        raise ValueError(f"the {provider} secret is longer than {MAX_SECRET_CHARS} characters")
    if _CONTROL.search(value) or value != value.strip():
        raise ValueError(f"the {provider} secret has control characters or surrounding whitespace")
    if provider == "stripe" and not _STRIPE_SECRET.match(value):
        raise ValueError("a Stripe webhook secret starts with whsec_ followed by at least 8 characters")
    if provider == "adyen" and not _HEX.match(value):
        raise ValueError("an Adyen HMAC key is hexadecimal (an even number of digits, at least 32)")
    if provider in ("standardwebhooks", "svix"):
        _validate_standard_webhooks(provider, value)


def _validate_standard_webhooks(provider: str, value: str) -> None:
    for prefix, sizes, what in (
        (HMAC_PREFIX, range(16, 65), "16 to 64"),
        (SIGNING_KEY_PREFIX, (32, 64), "32 or 64"),
        (PUBLIC_KEY_PREFIX, (32,), "32"),
    ):
        if value.startswith(prefix):
            try:
                raw = base64.b64decode(value[len(prefix):], validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"the {provider} key after {prefix} is not valid base64") from None
            if len(raw) not in sizes:
                raise ValueError(f"the {provider} key after {prefix} must decode to {what} bytes")
            if prefix == SIGNING_KEY_PREFIX:
                from webhook_signatures.errors import SignatureInvalid
                from webhook_signatures.standard_webhooks import signing_key

                try:
                    signing_key(value)
                except SignatureInvalid as error:
                    raise ValueError(f"the {provider} {error.reason}") from None
            return
    if _bare_hmac_key(value):
        return  # the reference libraries take a whsec_ secret's base64 without its prefix too
    raise ValueError(f"a {provider} key starts with whsec_ (HMAC), whsk_ (Ed25519 signing key) or whpk_ (public key), or is an HMAC key's bare base64")


def _bare_hmac_key(value: str) -> bool:
    try:
        return 16 <= len(base64.b64decode(value, validate=True)) <= 64
    except (binascii.Error, ValueError):
        return False


def _validate_paypal(value: str) -> None:
    if len(value) > MAX_PEM_CHARS:
        raise ValueError("the paypal value is too long")
    text = value.strip()
    if text.startswith("{"):
        try:
            update = json.loads(text)
        except ValueError:
            raise ValueError("the paypal value looks like JSON but does not parse") from None
        if not isinstance(update, dict) or not set(update) <= {"webhook_id", "certificates", "signing_key"} or not update:
            raise ValueError("the paypal JSON value takes webhook_id, certificates and signing_key only")
        if "webhook_id" in update:
            _validate_paypal_webhook_id(update["webhook_id"])
        certificates = update.get("certificates", [])
        if not isinstance(certificates, list) or not all(isinstance(c, str) for c in certificates):
            raise ValueError("paypal certificates must be a list of PEM strings")
        for pem in certificates:
            _validate_certificate(pem)
        if "signing_key" in update:
            _validate_private_key(update["signing_key"])
        return
    if "-----BEGIN CERTIFICATE-----" in text:
        _validate_certificate(text)
    elif "PRIVATE KEY-----" in text:
        _validate_private_key(text)
    else:
        _validate_paypal_webhook_id(text)


def _validate_paypal_webhook_id(value: Any) -> None:
    if not isinstance(value, str) or not _PAYPAL_WEBHOOK_ID.match(value):
        raise ValueError("a PayPal webhook id is 1-64 letters, digits, '-' or '_'")


def _validate_certificate(pem: str) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        cert = x509.load_pem_x509_certificates(pem.encode())[0]
    except (ValueError, IndexError):
        raise ValueError("the PayPal certificate is not a PEM certificate") from None
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise ValueError("the PayPal certificate does not hold an RSA key")


def _validate_private_key(pem: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(str(pem).encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError("the PayPal signing key is not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the PayPal signing key is not an RSA key")


# --- to a verifier's configuration ----------------------------------------------------------------

def provider_config(provider: str, entry: Mapping[str, Any] | None, settings: Mapping[str, Any] | None) -> ProviderConfig:
    """The ProviderConfig for one provider from its secret entry and its non-secret settings.

    Settings (from webhookctl.toml) win for the PayPal webhook id; pinned certificates from settings and
    from the secret entry are all trusted.
    """
    _check_provider(provider)
    entry = entry or {}
    settings = settings or {}
    certificates = [*settings.get("certificates", ()), *entry.get("certificates", ())]
    return ProviderConfig(
        secrets=tuple(entry.get("secrets", ())),
        notification_url=settings.get("notification_url"),
        webhook_id=settings.get("webhook_id") or entry.get("webhook_id"),
        certificates=tuple(dict.fromkeys(certificates)),
        signing_key=entry.get("signing_key"),
    )


def can_verify(provider: str, config: ProviderConfig) -> bool:
    """Whether any delivery can verify: PayPal needs a webhook id (its certificate may be fetched), every other scheme a secret."""
    return bool(config.webhook_id) if provider == "paypal" else bool(config.secrets)


def providers_without_material(document: Mapping[str, Any], providers: Any, settings: Mapping[str, Any] | None = None) -> list[str]:
    """Those of `providers` whose deliveries all fail verification: nothing usable in the document or settings."""
    settings = settings or {}
    missing = []
    for provider in providers:
        entry = document.get(provider)
        config = provider_config(provider, entry if isinstance(entry, dict) else None, settings.get(provider))
        if not can_verify(provider, config):
            missing.append(provider)
    return missing


def _check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}")
