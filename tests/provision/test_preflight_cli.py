"""`webhookctl preflight` against a plain moto server: exit codes, JSON and text output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import webhookctl.packaging
from webhookctl.packaging.result import Artifact, BuildResult, ImportCheck, Missing
from webhookctl.cli import preflight as preflight_cli
from tests.cli_runner import run_main
from tests.conftest import set_account_logging_role


def fake_build(arch: str, missing: tuple[Missing, ...] = ()) -> BuildResult:
    artifact = Artifact(Path("x.zip"), 1, "0" * 64)
    return BuildResult(
        arch=arch,
        python_version="3.11",
        layer=artifact,
        functions={"receiver": artifact, "processor": artifact, "audit": artifact},
        import_check=ImportCheck(ok=not missing, missing=missing),
    )


@pytest.fixture
def builds(monkeypatch, tmp_path):
    """Replace the real build (slow, pip) with a recorded fake; set `.missing` to make it fail."""
    monkeypatch.chdir(tmp_path)

    class Builds:
        arches: list[str] = []
        missing: tuple[Missing, ...] = ()

    def build_artifacts(settings, arch="arm64", out_dir=None, *, progress=None):
        Builds.arches.append(arch)
        return fake_build(arch, Builds.missing)

    monkeypatch.setattr(webhookctl.packaging, "build_artifacts", build_artifacts)
    return Builds


@pytest.fixture
def moto_server(moto_server):
    """The plain moto server, its account with API Gateway's CloudWatch role (the api_logging check has its own tests)."""
    import boto3

    set_account_logging_role(boto3, endpoint_url=moto_server)
    return moto_server


def run(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    return run_main(args, monkeypatch, capsys)


def test_json_on_plain_moto_passes_with_the_concurrency_check_skipped(moto_server, builds, monkeypatch, capsys):
    code, out, err = run(["preflight", "--endpoint-url", moto_server, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    document = json.loads(out)
    assert document["ok"] is True
    checks = {c["name"]: c for c in document["checks"]}
    assert set(checks) == {"credentials", "region", "names", "runtime", "waf", "api_logging", "import_check", "concurrency", "aws_limits", "secrets"}
    assert all({"name", "ok", "detail", "status"} <= set(c) for c in document["checks"])
    assert checks["concurrency"]["status"] == "skip"
    assert "warning:" in err and "GetAccountSettings" in err
    assert builds.arches == ["arm64"]  # an endpoint deploys the configured architecture


def test_strict_on_plain_moto_exits_3(moto_server, builds, monkeypatch, capsys):
    code, out, err = run(["preflight", "--endpoint-url", moto_server, "-o", "json", "--reserved-concurrency", "strict"], monkeypatch, capsys)
    assert code == 3
    document = json.loads(out)
    assert document["ok"] is False
    assert [c["name"] for c in document["checks"] if not c["ok"]] == ["concurrency"]
    assert "preflight failed: concurrency; nothing was changed" in err


def test_off_reports_skip_and_passes(moto_server, builds, monkeypatch, capsys):
    code, out, err = run(["preflight", "--endpoint-url", moto_server, "-o", "json", "--reserved-concurrency", "off"], monkeypatch, capsys)
    assert code == 0, err
    concurrency = next(c for c in json.loads(out)["checks"] if c["name"] == "concurrency")
    assert concurrency["status"] == "skip" and concurrency["ok"] is True
    assert "warning:" not in err


def test_missing_layer_dependency_exits_3_with_the_fix_in_text(moto_server, builds, monkeypatch, capsys):
    builds.missing = (Missing("aws_xray_sdk", "webhook_receiver/handler.py", 3, "add aws-xray-sdk to layer/requirements.txt", ("receiver",)),)
    code, out, err = run(["preflight", "--endpoint-url", moto_server], monkeypatch, capsys)
    assert code == 3
    assert "import_check" in out and "FAIL" in out
    assert "aws_xray_sdk" in out and "add aws-xray-sdk to" in out
    assert "preflight failed" in out
    assert "Traceback" not in err


def test_bad_config_value_exits_3_in_text(moto_server, builds, monkeypatch, capsys, tmp_path):
    (tmp_path / "webhookctl.toml").write_text("[waf]\nrate_limit = 5\n")
    code, out, err = run(["preflight", "--endpoint-url", moto_server], monkeypatch, capsys)
    assert code == 3
    assert "waf.rate_limit is 5" in out


def test_unknown_reserved_mode_is_a_usage_error(builds, monkeypatch, capsys):
    code, out, err = run(["preflight", "--reserved-concurrency", "lots"], monkeypatch, capsys)
    assert code == 2
    assert "--reserved-concurrency must be one of fit, strict, off" in err
    assert out == ""
    assert builds.arches == []


def test_local_target_builds_for_the_host(builds, tmp_path):
    from webhookctl.config import load_settings

    settings = load_settings("dev")
    preflight_cli.build_for_preflight(settings, "local")
    preflight_cli.build_for_preflight(settings, "aws")
    assert builds.arches == ["host", "arm64"]
