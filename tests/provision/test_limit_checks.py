"""Preflight's AWS-limit check: exit 3 with AWS's limit named, before anything is written.

Limits from AWS's quota pages: Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html:
4 KB environment, 50 MB zipped, 250 MB unzipped with layers), IAM and AWS STS quotas
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: inline role policy 10,240
characters), AWS KMS quotas (key policy 32 KB), API Gateway quotas (account-level throttle).
"""

from __future__ import annotations

import dataclasses
import zipfile

import pytest
from moto import mock_aws

from webhookctl import aws_limits
from webhookctl.aws import AwsOptions, connect
from webhookctl.packaging.result import Artifact, BuildResult, ImportCheck
from webhookctl.config import load_settings
from webhookctl.provision import limit_checks
from webhookctl.provision.preflight import run_preflight


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return load_settings("dev")


@pytest.fixture
def ctx(aws_credentials):
    with mock_aws():
        yield connect(AwsOptions(region="us-east-1", target="aws"))


def zip_file(path, unzipped: int):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("blob", "w", force_zip64=True) as entry:
            left = unzipped
            while left > 0:
                entry.write(bytes(min(left, 8 << 20)))
                left -= 8 << 20
    data = path.read_bytes()
    return Artifact(path=path, bytes=len(data), sha256="0" * 64)


def build_of(tmp_path, layer_unzipped: int, function_unzipped: int) -> BuildResult:
    layer = zip_file(tmp_path / "layer.zip", layer_unzipped)
    functions = {key: zip_file(tmp_path / f"{key}.zip", function_unzipped) for key in ("receiver", "processor", "audit")}
    return BuildResult(arch="arm64", python_version="3.11", layer=layer, functions=functions, import_check=ImportCheck(ok=True))


def test_defaults_fit_every_limit(ctx, settings, tmp_path):
    check = limit_checks.check_limits(ctx, settings, build_of(tmp_path, 1000, 1000), credentials_ok=True)
    assert check.ok and check.name == "aws_limits"
    assert "lambda_environment" in check.detail and "stage_throttle" in check.detail


def test_a_long_configured_value_fails_the_environment_limit(ctx, settings, tmp_path):
    settings = dataclasses.replace(settings, square_notification_url="https://example.com/" + "a" * 4200)
    result = run_preflight(ctx, settings, reserved_mode="off")
    check = result.check("aws_limits")
    assert not result.ok and not check.ok
    assert "over Lambda's 4 KB limit (4096 bytes)" in check.detail


def test_function_plus_layer_over_250_mb_unzipped_fails(ctx, settings, tmp_path):
    check = limit_checks.check_packages(build_of(tmp_path, 200 << 20, 51 << 20))
    assert not check.ok
    assert "over Lambda's 250 MB limit (262144000 bytes)" in check.detail


def test_stage_throttle_over_the_account_throttle_fails(ctx, settings):
    settings = dataclasses.replace(settings, api_rate_limit=20_000)
    check = limit_checks.check_stage_throttle(ctx, settings, credentials_ok=True)
    assert not check.ok and "exceeds the account-level rate limit of 10000" in check.detail


def test_policy_sizes_are_measured_and_judged(ctx, settings):
    check = limit_checks.check_policy_sizes(ctx, settings)
    assert check.ok and f"of {aws_limits.INLINE_ROLE_POLICY_CHARS} characters" in check.detail
    assert aws_limits.inline_policy_problem({"Sid": "x" * 10_300}, "r") == "Maximum policy size of 10240 bytes exceeded for role r"


def test_preflight_command_exits_3_naming_the_limit(moto_server, monkeypatch, capsys, tmp_path):
    import webhookctl.packaging
    from tests.cli_runner import run_main

    monkeypatch.chdir(tmp_path)
    url = "https://example.com/" + "a" * 4200
    (tmp_path / "webhookctl.toml").write_text(f'[providers.square]\nnotification_url = "{url}"\n')
    monkeypatch.setattr(webhookctl.packaging, "build_artifacts",
                        lambda settings, arch="arm64", out_dir=None, *, progress=None: build_of(tmp_path, 1000, 1000))
    code, out, err = run_main(["preflight", "--endpoint-url", moto_server, "-o", "json"], monkeypatch, capsys)
    assert code == 3, err
    check = next(c for c in __import__("json").loads(out)["checks"] if c["name"] == "aws_limits")
    assert check["ok"] is False and "over Lambda's 4 KB limit (4096 bytes)" in check["detail"]
