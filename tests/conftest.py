"""Shared fixtures: an isolated home, dummy AWS credentials, free ports, and moto's server."""

from __future__ import annotations

import socket
from typing import Iterator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # botocore 1.44 sends Streams calls to {account}.streams-ddb.{region}: route them under mock_aws too.
    from webhookctl.localcloud.moto_bridge.streams_endpoints import route_account_based_endpoints

    route_account_based_endpoints()
    if not hasattr(config, "workerinput"):  # once, in the process that starts the workers
        _install_js_oracles()


# The longest test files, longest first (from `pytest --durations`). xdist hands files out in
# collection order (addopts: --dist loadfile --no-loadscope-reorder), so these start at once and
# the many short files fill in beside them, instead of a long file starting last and running alone.
LONGEST_FIRST = (
    "tests/e2e/test_durable_local_state.py",
    "tests/e2e/test_replay_interrupted.py",
    "tests/packaging/test_build_real_wheels.py",
    "tests/e2e/test_pipeline.py",
    "tests/e2e/test_protected_env.py",
    "tests/faults/test_local_cloud_faults.py",
    "tests/e2e/test_load_faults.py",
    "tests/security/test_secret_leaks.py",
    "tests/e2e/test_operations.py",
    "tests/e2e/test_audit_replay.py",
    "tests/cli/test_bad_input_table.py",
    "tests/e2e/test_hostile_clients.py",
    "tests/provision/test_commands_moto_server.py",
    "tests/handlers/test_webhook_receiver.py",
    "tests/e2e/test_soak.py",
    "tests/oracles/test_provider_sdks.py",
    "tests/e2e/test_secret_rotation.py",
    "tests/security/test_deployed_encryption.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files of LONGEST_FIRST first, in that order; every other file after them, as collected."""
    rank = {path: position for position, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))  # stable: a file's tests keep their order


def _install_js_oracles() -> None:
    """The JavaScript SDK oracles' packages, from their committed lock; without node or npm they skip.

    The install holds a lock on the folder (.ci/run starts one beside pip under the same lock), so
    an install still running is waited for, not repeated or read half-done.
    """
    import fcntl
    import os
    import shutil
    import subprocess
    from pathlib import Path

    js = Path(__file__).parent / "oracles" / "js"
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return
    folder = os.open(js, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        if not (js / "node_modules").is_dir():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=js, timeout=300,
                           capture_output=True, check=False)
    except (OSError, subprocess.TimeoutExpired):
        pass  # the oracle tests then skip, saying node_modules is missing
    finally:
        os.close(folder)  # and with it the lock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No real AWS account, no user config, and a private WEBHOOKCTL_HOME for every test."""
    home = tmp_path_factory.mktemp("webhookctl-home")
    monkeypatch.setenv("WEBHOOKCTL_HOME", str(home))
    for variable in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_SESSION_TOKEN",
        "WEBHOOKCTL_ENV",
        "ENVIRONMENT_SUFFIX",
        "WEBHOOKCTL_TARGET",
        "WEBHOOKCTL_LOCAL_PORT",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def settings(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """Built-in settings for env `dev`, read from an empty folder (no webhookctl.toml)."""
    from webhookctl.config import load_settings

    monkeypatch.chdir(tmp_path)
    return load_settings("dev")


@pytest.fixture
def mocked(aws_credentials: None) -> Iterator[None]:
    """moto's in-process AWS for the test's duration."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def moto_server(aws_credentials: None) -> Iterator[str]:
    """A plain moto server (no local-cloud additions) on a free port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    import urllib.request

    # moto's backends live in this process and outlast a server: start from a fresh account.
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"), timeout=10).close()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


LOGGING_ROLE = "account-apigw-cloudwatch"


def set_account_logging_role(session_or_module, region: str = "us-east-1", endpoint_url: str | None = None) -> str:
    """Give the (moto) account what a real account that has used API Gateway logging has: a
    CloudWatch role trusted by apigateway.amazonaws.com, set as the region's cloudWatchRoleArn."""
    import json

    iam = session_or_module.client("iam", region_name=region, endpoint_url=endpoint_url)
    try:
        arn = iam.get_role(RoleName=LOGGING_ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=LOGGING_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    apigateway = session_or_module.client("apigateway", region_name=region, endpoint_url=endpoint_url)
    apigateway.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}])
    return arn


@pytest.fixture
def moto_server_with_logging_role(moto_server: str) -> str:
    """A plain moto server whose account has API Gateway's CloudWatch role set (as most used accounts do)."""
    import boto3

    set_account_logging_role(boto3, endpoint_url=moto_server)
    return moto_server
