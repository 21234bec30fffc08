"""A PayPal cert_file with a leaf + intermediate chain of 4096-bit certificates deploys (review F2).

Lambda refuses more than 4 KB of environment variables (Lambda quotas: "Total size of environment
variables set: 4 KB"); moto does not. The chain alone is over 3 KB, so it is pinned in the secret.
"""

from __future__ import annotations

import dataclasses
import datetime
import json

import boto3

from webhookctl.names import Names
from webhookctl.provision import deploy

LAMBDA_ENVIRONMENT_LIMIT = 4096


def _certificate(subject: str, issuer_key, issuer: str, key):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def chain_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    intermediate = _certificate("Example Intermediate CA", ca_key, "Example Intermediate CA", ca_key)
    leaf = _certificate("messageverificationcerts.paypal.com", ca_key, "Example Intermediate CA", leaf_key)
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in (leaf, intermediate))


def test_a_certificate_chain_is_pinned_in_the_secret_not_the_environment(new_context, settings, artifacts, tmp_path):
    from webhook_signatures import material

    pem = chain_pem()
    assert len(pem) > 3000
    cert_file = tmp_path / "paypal-chain.pem"
    cert_file.write_text(pem)
    configured = dataclasses.replace(settings, paypal_webhook_id="4JH86294D6297924G", paypal_cert_file=cert_file)
    deploy.deploy(new_context(), configured, artifacts)
    names = Names("webhookctl", "dev")

    variables = boto3.client("lambda", region_name="us-east-1").get_function(FunctionName=names.function("receiver"))["Configuration"]["Environment"]["Variables"]
    assert "BEGIN CERTIFICATE" not in json.dumps(variables)
    assert len(json.dumps(variables, separators=(",", ":")).encode()) < LAMBDA_ENVIRONMENT_LIMIT
    settings_env = json.loads(variables["PROVIDER_SETTINGS"])
    assert settings_env["paypal"] == {"webhook_id": "4JH86294D6297924G"}

    document = json.loads(boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(SecretId=names.secret)["SecretString"])
    assert pem in document["paypal"]["certificates"]
    assert document["paypal"]["signing_key"]  # the generated test material is kept beside it
    # What the receiver builds from its secret entry and its environment: the chain is trusted.
    config = material.provider_config("paypal", document["paypal"], settings_env["paypal"])
    assert pem in config.certificates and config.webhook_id == "4JH86294D6297924G"
    assert deploy.deploy(new_context(), configured, artifacts).api_calls["write"] == 0
