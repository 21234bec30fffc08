"""The receiver's plain parts, without AWS: the secret cache, stored headers, settings, proxy parsing."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any, Callable

import pytest


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Fetcher:
    def __init__(self, document: dict[str, Any]) -> None:
        self.version, self.document, self.calls, self.fail = 1, document, 0, False

    def set(self, document: dict[str, Any]) -> None:
        self.version, self.document = self.version + 1, document

    def __call__(self) -> tuple[str, str]:
        self.calls += 1
        if self.fail:
            raise ConnectionError("endpoint unreachable")
        return f"v{self.version}", json.dumps(self.document)


@pytest.fixture
def parts(load_handler: Callable[[str], ModuleType]) -> ModuleType:
    load_handler("webhook_receiver")
    import provider_secrets
    return provider_secrets


def make_cache(parts: ModuleType, fetcher: Fetcher, clock: Clock, ttl_s: float = 300) -> Any:
    return parts.ProviderSecrets(fetcher, lambda provider: {}, ttl_s, clock=clock, hold_off_s=2.0)


def test_cache_reads_once_within_the_ttl_and_again_after(parts):
    fetcher, clock = Fetcher({"stripe": {"secrets": ["whsec_a1b2c3d4e5"]}}), Clock()
    cache = make_cache(parts, fetcher, clock)
    assert cache.config_for("stripe").secrets == ("whsec_a1b2c3d4e5",)
    clock.now += 299
    cache.config_for("stripe")
    assert fetcher.calls == 1
    fetcher.set({"stripe": {"secrets": ["whsec_zzzzzzzzzz"]}})
    clock.now += 2
    assert cache.config_for("stripe").secrets == ("whsec_zzzzzzzzzz",)
    assert fetcher.calls == 2


def test_a_replaced_secret_stops_verifying_within_30_s_with_the_deployed_ttl(parts):
    """AWS by design: a warm receiver re-reads the secret once per SECRETS_TTL_S, so rotation lands within it."""
    from webhookctl.provision.resources.functions import SECRETS_TTL_S

    assert SECRETS_TTL_S <= 25  # 30 s, less a margin for the read itself
    fetcher, clock = Fetcher({"stripe": {"secrets": ["whsec_leaked0000"]}}), Clock()
    cache = make_cache(parts, fetcher, clock, ttl_s=SECRETS_TTL_S)
    cache.config_for("stripe")
    fetcher.set({"stripe": {"secrets": ["whsec_replaced00"]}})
    clock.now += SECRETS_TTL_S
    assert cache.config_for("stripe").secrets == ("whsec_replaced00",)
    assert fetcher.calls == 2  # one read per TTL: about 4,300 GetSecretValue calls a day per warm receiver, at most


def test_forced_refresh_reports_change_and_holds_off_only_when_nothing_changed(parts):
    fetcher, clock = Fetcher({"stripe": {"secrets": ["whsec_a1b2c3d4e5"]}}), Clock()
    cache = make_cache(parts, fetcher, clock)
    cache.config_for("stripe")
    fetcher.set({"stripe": {"secrets": ["whsec_new0000000"]}})
    assert cache.refresh_after_failure() is True  # a rotation: verify again
    assert cache.refresh_after_failure() is False  # nothing new: hold off
    assert cache.refresh_after_failure() is False  # held off, not even read
    assert fetcher.calls == 3
    clock.now += 2.5
    fetcher.set({"stripe": {"secrets": ["whsec_newer00000"]}})
    assert cache.refresh_after_failure() is True
    assert cache.config_for("stripe").secrets == ("whsec_newer00000",)


def test_provider_missing_from_the_secret_gets_empty_material(parts):
    cache = make_cache(parts, Fetcher({"stripe": "not an entry"}), Clock())
    assert cache.config_for("github").secrets == ()
    assert cache.config_for("stripe").secrets == ()


def test_unreadable_secret_without_a_cached_copy_is_unavailable(parts):
    fetcher = Fetcher({})
    fetcher.fail = True
    with pytest.raises(parts.SecretsUnavailable):
        make_cache(parts, fetcher, Clock()).config_for("stripe")


def test_secret_that_is_not_json_is_unavailable_and_not_echoed(parts):
    cache = parts.ProviderSecrets(lambda: ("v1", "whsec_plainvalue"), lambda p: {}, 300)
    with pytest.raises(parts.SecretsUnavailable) as raised:
        cache.config_for("stripe")
    assert "whsec_plainvalue" not in str(raised.value)


def test_expired_cache_keeps_serving_when_the_secret_cannot_be_read(parts):
    fetcher, clock = Fetcher({"stripe": {"secrets": ["whsec_a1b2c3d4e5"]}}), Clock()
    cache = make_cache(parts, fetcher, clock, ttl_s=10)
    cache.config_for("stripe")
    fetcher.fail = True
    clock.now += 11
    assert cache.config_for("stripe").secrets == ("whsec_a1b2c3d4e5",)
    cache.config_for("stripe")  # the failed read holds off further reads for a moment
    assert fetcher.calls == 2


def test_stored_headers_keep_ids_and_drop_signatures_and_credentials(load_handler):
    load_handler("webhook_receiver")
    from stored_headers import stored_headers

    kept = stored_headers({
        "Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/1", "X-GitHub-Delivery": "d-1",
        "X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=abc", "Stripe-Signature": "t=1,v1=abc",
        "webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,abc", "svix-signature": "v1,x",
        "X-Shopify-Hmac-Sha256": "abc", "X-Shopify-Topic": "orders/create", "x-square-hmacsha256-signature": "x",
        "PAYPAL-TRANSMISSION-SIG": "abc", "PAYPAL-TRANSMISSION-ID": "t-1", "PAYPAL-CERT-URL": "https://api.paypal.com/c",
        "Authorization": "Bearer abc", "Cookie": "a=b", "X-Forwarded-For": "1.2.3.4", "Host": "api", "HmacSignature": "x",
    })
    assert kept == {
        "content-type": "application/json", "user-agent": "GitHub-Hookshot/1", "x-github-delivery": "d-1",
        "x-github-event": "push", "webhook-id": "msg_1", "webhook-timestamp": "1", "x-shopify-topic": "orders/create",
        "paypal-transmission-id": "t-1", "paypal-cert-url": "https://api.paypal.com/c",
    }


def test_settings_from_the_environment(load_handler):
    load_handler("webhook_receiver")
    from receiver_settings import ReceiverSettings, SettingsError

    environ = {"EVENTS_TABLE": "t", "PROCESSOR_FUNCTION": "p", "SECRET_ID": "s", "MAX_BODY_BYTES": "1000",
               "PROVIDERS_ENABLED": "stripe, square", "WEBHOOK_URL_BASE": "https://x/live/webhook/",
               "PROVIDER_SETTINGS": json.dumps({"paypal": {"webhook_id": "WH"}})}
    settings = ReceiverSettings.from_environ(environ)
    assert settings.providers_enabled == {"stripe", "square"}
    assert settings.max_body_bytes == 1000 and settings.duplicate_grace_s == 60 and settings.secrets_ttl_s == 20
    assert settings.settings_for("square") == {"notification_url": "https://x/live/webhook/square"}
    assert settings.settings_for("paypal") == {"webhook_id": "WH"}
    assert len(ReceiverSettings.from_environ({k: v for k, v in environ.items() if k != "PROVIDERS_ENABLED"})
               .providers_enabled) == 8
    for broken in ({"EVENTS_TABLE": ""}, {"MAX_BODY_BYTES": "lots"}, {"PROVIDER_SETTINGS": "{"}):
        with pytest.raises(SettingsError):
            ReceiverSettings.from_environ({**environ, **broken})


def test_proxy_event_parsing(load_handler):
    load_handler("webhook_receiver")
    from proxy_http import parse_proxy_event

    request = parse_proxy_event({"path": "/webhook/github", "headers": None, "body": None,
                                 "multiValueHeaders": {"X-GitHub-Delivery": ["a", "b"]}})
    assert (request.provider, request.headers, request.body) == ("github", {"X-GitHub-Delivery": "b"}, b"")
