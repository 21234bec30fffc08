"""status and preflight name the enabled providers that have no signing material (every delivery refused)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from moto import mock_aws

from webhookctl.aws import AwsOptions, connect
from webhookctl.config import load_settings
from webhookctl.names import Names
from webhookctl.provision.preflight import check_provider_secrets
from webhookctl.provision.secret_readiness import read_secret_readiness


@pytest.fixture
def prod(tmp_path, monkeypatch, aws_credentials):
    monkeypatch.chdir(tmp_path)
    with mock_aws():
        settings = dataclasses.replace(load_settings("prod"), providers_enabled=("stripe", "github", "paypal"))
        yield connect(AwsOptions(env="prod", region="us-east-1", target="aws")), settings


def _create(ctx, settings, document=None):
    request = {"Name": Names(settings.prefix, settings.env).secret}
    if document is not None:
        request["SecretString"] = json.dumps(document)
    ctx.client("secretsmanager").create_secret(**request)


def test_before_up_a_protected_env_is_warned_that_up_leaves_it_without_secrets(prod):
    ctx, settings = prod
    check = check_provider_secrets(ctx, settings)
    assert check.status == "warn" and check.ok
    assert "up creates the secret with no value" in check.detail and "stripe, github, paypal" in check.detail


def test_a_valueless_secret_lacks_every_provider(prod):
    ctx, settings = prod
    _create(ctx, settings)
    readiness = read_secret_readiness(ctx.client("secretsmanager"), settings)
    assert readiness.exists and readiness.without_secret == ["stripe", "github", "paypal"]


def test_paypal_needs_its_webhook_id_and_empty_secret_lists_do_not_count(prod):
    ctx, settings = prod
    _create(ctx, settings, {"stripe": {"secrets": ["whsec_" + "A" * 32]}, "github": {"secrets": []}, "paypal": {"certificates": []}})
    assert read_secret_readiness(ctx.client("secretsmanager"), settings).without_secret == ["github", "paypal"]
    with_id = dataclasses.replace(settings, paypal_webhook_id="4JH86294D6297924G")
    assert read_secret_readiness(ctx.client("secretsmanager"), with_id).without_secret == ["github"]
    check = check_provider_secrets(ctx, with_id)
    assert check.status == "warn" and "no signing secret for github: every delivery to it will be refused" in check.detail


def test_a_non_protected_env_passes_because_up_generates_test_material(prod):
    ctx, settings = prod
    dev = dataclasses.replace(settings, env="dev")
    check = check_provider_secrets(ctx, dev)
    assert check.status == "pass" and "up generates test material for stripe, github, paypal" in check.detail


def test_every_provider_set_passes(prod):
    from webhook_signatures import material

    ctx, settings = prod
    _create(ctx, settings, {"stripe": material.generate("stripe"), "github": material.generate("github"), "paypal": material.generate_paypal()})
    assert check_provider_secrets(ctx, settings).status == "pass"
