"""Fixtures for the fuzz suites: signing material for every verifier, made once."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from moto import mock_aws

import webhook_signatures as ws
from tests.fuzz.receiver_harness import MAX_BODY_BYTES, Receiver
from tests.fuzz.signing_material import VARIANTS, config_from, secret_entry
from tests.handlers.cloud import PROCESSOR, TABLE, create_cloud
from tests.handlers.handler_loading import forget_handler_modules, load_handler_module
from tests.handlers.lambda_events import LambdaContext


@pytest.fixture(scope="session")
def entries() -> dict[str, dict[str, Any]]:
    """The secret-document entry of every variant (PayPal: generated webhook id, certificate and key)."""
    return {variant: secret_entry(variant) for variant in VARIANTS}


@pytest.fixture(scope="session")
def configs(entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {variant: config_from(variant, entry) for variant, entry in entries.items()}


@pytest.fixture(scope="session")
def other_configs() -> dict[str, Any]:
    """The same providers with different, equally valid material: a delivery signed with one is a forgery for the other."""
    return {variant: config_from(variant, secret_entry(variant)) for variant in VARIANTS}


@pytest.fixture(scope="module")
def receiver(entries: dict[str, dict[str, Any]]) -> Iterator[Receiver]:
    """The receiver's handler over a moto cloud, set up once per test module (fuzzing needs it fast)."""
    document = {provider: entries[provider] for provider in ws.PROVIDERS}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}.items():
            patch.setenv(name, value)
        with mock_aws():
            cloud = create_cloud(document)
            for name, value in {
                "EVENTS_TABLE": TABLE, "PROCESSOR_FUNCTION": PROCESSOR, "SECRET_ID": cloud.secret_arn,
                "MAX_BODY_BYTES": str(MAX_BODY_BYTES), "PROVIDERS_ENABLED": ",".join(ws.PROVIDERS),
                "PROVIDER_SETTINGS": "{}", "WEBHOOK_URL_BASE": "https://api.example.com/live/webhook/",
            }.items():
                patch.setenv(name, value)
            module = load_handler_module("webhook_receiver", patch)
            module.handler({}, LambdaContext())  # builds the clients inside mock_aws
            yield Receiver(module, cloud)
    forget_handler_modules()
