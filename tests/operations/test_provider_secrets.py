"""secrets set / list: validated, rotated with --keep-previous, and never showing a value."""

from __future__ import annotations

import json

import pytest

from webhookctl.errors import NotDeployedError, UsageError
from webhookctl.operations.provider_secrets import list_secrets, set_secret


def _document(env):
    return json.loads(env.client("secretsmanager").get_secret_value(SecretId=env.names.secret)["SecretString"])


def test_set_replaces_or_keeps_previous_and_never_returns_the_value(env):
    from webhook_signatures import material

    old = env.secret_document["stripe"]["secrets"][0]
    new = "whsec_" + "N" * 32
    result = set_secret(env.ctx, env.settings, "stripe", value=new, keep_previous=True)
    assert _document(env)["stripe"]["secrets"] == [new, old]
    assert result.fingerprint == material.fingerprint(new) and result.valid == 2
    assert new not in json.dumps(result.to_json()) and old not in json.dumps(result.to_json())

    newer = "whsec_" + "M" * 32
    set_secret(env.ctx, env.settings, "stripe", value=newer)
    assert _document(env)["stripe"]["secrets"] == [newer]
    assert _document(env)["github"] == env.secret_document["github"]  # other providers untouched


def test_generate_sets_fresh_material(env):
    result = set_secret(env.ctx, env.settings, "svix", generate=True)
    stored = _document(env)["svix"]["secrets"]
    assert stored[0].startswith("whsec_") and result.generated


def test_invalid_values_are_usage_errors_that_do_not_echo_the_value(env):
    secret_looking = "not-a-stripe-secret-0123456789"
    with pytest.raises(UsageError) as caught:
        set_secret(env.ctx, env.settings, "stripe", value=secret_looking)
    assert secret_looking not in caught.value.message
    with pytest.raises(UsageError):
        set_secret(env.ctx, env.settings, "stripe")  # neither --value nor --generate
    with pytest.raises(UsageError):
        set_secret(env.ctx, env.settings, "nope", generate=True)


def test_list_shows_fingerprints_only(env):
    listed = json.dumps(list_secrets(env.ctx, env.settings).to_json())
    for entry in env.secret_document.values():
        for value in entry["secrets"]:
            assert value not in listed
    providers = {p["provider"]: p for p in list_secrets(env.ctx, env.settings).to_json()["providers"]}
    assert providers["stripe"]["configured"] and providers["stripe"]["fingerprints"][0].startswith("sha256:")
    assert not providers["shopify"]["configured"]


def test_no_secret_means_not_deployed(mocked, settings):
    from tests.operations.conftest import aws_context

    with pytest.raises(NotDeployedError):
        list_secrets(aws_context(), settings)
