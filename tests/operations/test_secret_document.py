"""The provider-secret document of a protected env, which `up` creates with no value."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.operations.conftest import aws_context
from webhookctl.errors import NotDeployedError
from webhookctl.names import Names
from webhookctl.operations.provider_secrets import list_secrets, set_secret
from webhookctl.operations.secret_document import read_secret_document
from webhookctl.operations.deployment import Deployment


@pytest.fixture
def valueless(mocked, settings):
    """A secret with no version at all, as CreateSecret without SecretString leaves it (no AWSCURRENT)."""
    ctx = aws_context()
    prod = dataclasses.replace(settings, env="prod")
    ctx.client("secretsmanager").create_secret(Name=Names(prod.prefix, prod.env).secret)
    return ctx, prod


def test_a_secret_with_no_value_reads_as_an_empty_document(valueless):
    ctx, prod = valueless
    document = read_secret_document(Deployment(ctx, prod))
    assert document.entries == {} and document.version_id is None


def test_first_secret_set_and_listed_on_a_valueless_secret(valueless):
    ctx, prod = valueless
    listed = list_secrets(ctx, prod).to_json()["providers"]
    assert listed and not any(p["configured"] for p in listed)
    set_secret(ctx, prod, "stripe", value="whsec_" + "F" * 32)
    stored = json.loads(ctx.client("secretsmanager").get_secret_value(SecretId=Names(prod.prefix, prod.env).secret)["SecretString"])
    assert stored == {"stripe": {"secrets": ["whsec_" + "F" * 32]}}
    providers = {p["provider"]: p["configured"] for p in list_secrets(ctx, prod).to_json()["providers"]}
    assert providers["stripe"] and not providers["github"]


def test_a_missing_secret_is_still_not_deployed(mocked, settings):
    with pytest.raises(NotDeployedError):
        read_secret_document(Deployment(aws_context(), settings))
