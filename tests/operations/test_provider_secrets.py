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


ALL_PROVIDERS = ["stripe", "github", "shopify", "square", "adyen", "standardwebhooks", "svix", "paypal"]
SETTINGS = {"square": {"notification_url": "https://example.com/webhook/square"}}


def _signed(provider, entry, body):
    import webhook_signatures
    from webhook_signatures import material

    config = material.provider_config(provider, entry, SETTINGS.get(provider))
    return webhook_signatures.sign(provider, body, config, msg_id="evt_" + provider).headers


def _verifies(provider, entry, headers, body):
    import webhook_signatures
    from webhook_signatures import material

    config = material.provider_config(provider, entry, SETTINGS.get(provider))
    try:
        webhook_signatures.verify(provider, headers, body, config)
    except webhook_signatures.SignatureInvalid:
        return False
    return True


@pytest.mark.parametrize("provider", ALL_PROVIDERS)
def test_generate_keep_previous_keeps_every_old_credential(env, provider):
    body = json.dumps({"id": "evt_rotation", "type": "payment.succeeded"}).encode()
    set_secret(env.ctx, env.settings, provider, generate=True)
    old_entry = _document(env)[provider]
    old_headers = _signed(provider, old_entry, body)

    result = set_secret(env.ctx, env.settings, provider, generate=True, keep_previous=True)
    kept_entry = _document(env)[provider]
    assert result.kept_previous and result.valid == 2
    assert _verifies(provider, kept_entry, old_headers, body), "the old credential no longer verifies"
    assert _verifies(provider, kept_entry, _signed(provider, kept_entry, body), body), "the new credential does not verify"
    assert _signed(provider, kept_entry, body) != old_headers  # the new credential is the one that signs
    if provider == "paypal":
        assert kept_entry["webhook_id"] == old_entry["webhook_id"]
        assert kept_entry["certificates"][1:] == old_entry["certificates"]

    set_secret(env.ctx, env.settings, provider, generate=True)  # no --keep-previous: the old one is gone
    assert not _verifies(provider, _document(env)[provider], old_headers, body)
