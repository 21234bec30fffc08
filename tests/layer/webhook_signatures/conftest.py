"""Fixtures for the signature-scheme tests: an RSA key and generated PayPal material (slow to make, made once)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def paypal_material():
    from webhook_signatures import material

    return material.generate("paypal")
