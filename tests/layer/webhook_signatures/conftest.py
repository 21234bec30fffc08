"""Fixtures for the signature-scheme tests: an RSA key and generated PayPal material (slow to make, made once)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def paypal_material():
    from datetime import datetime, timezone

    from webhook_signatures import material

    # Valid at any pinned `now` (1970-01-01 to 9999-12-31 23:59:59, the last second X.509 can encode):
    # the pinned time judges the certificate's validity too.
    return material.generate_paypal(valid_days=2_932_896 + 86_399 / 86_400, not_before=datetime(1970, 1, 1, tzinfo=timezone.utc))
