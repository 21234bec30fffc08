"""plan / up / status / outputs / down through the real CLI against moto's server (--endpoint-url)."""

from __future__ import annotations

import json

import pytest

import webhookctl.build
from tests.provision.conftest import make_artifacts
from webhookctl.build.result import Artifact, BuildResult, ImportCheck, Missing
from webhookctl.provision.outputs import KEYS
from tests.cli_runner import run_main


@pytest.fixture
def builds(monkeypatch, tmp_path):
    """The real build needs pip and minutes; this one returns tiny real zips (set `.code` to change a handler)."""
    monkeypatch.chdir(tmp_path)

    class Builds:
        arches: list[str] = []
        code: dict[str, str] = {}
        missing: tuple[Missing, ...] = ()

    def build_artifacts(settings, arch="arm64", out_dir=None, *, progress=None):
        Builds.arches.append(arch)
        made = make_artifacts(tmp_path / "build" / str(len(Builds.arches)), code=dict(Builds.code))

        def artifact(code):
            return Artifact(code.path, code.path.stat().st_size, code.sha256)

        return BuildResult(
            arch=arch,
            python_version="3.11",
            layer=artifact(made.layer),
            functions={key: artifact(code) for key, code in made.functions.items()},
            import_check=ImportCheck(ok=not Builds.missing, missing=Builds.missing),
        )

    monkeypatch.setattr(webhookctl.build, "build_artifacts", build_artifacts)
    return Builds


def run(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    return run_main(args, monkeypatch, capsys)


def test_up_plan_status_outputs_down_lifecycle(moto_server, builds, monkeypatch, capsys, tmp_path):
    endpoint = ["--endpoint-url", moto_server]

    code, out, err = run(["status", *endpoint], monkeypatch, capsys)
    assert code == 4 and "not deployed" in err
    code, out, err = run(["plan", *endpoint, "--detailed-exitcode", "-o", "json"], monkeypatch, capsys)
    assert code == 2, err
    assert json.loads(out)["summary"]["create"] == 32

    outputs_file = tmp_path / "outputs.json"
    code, out, err = run(["up", *endpoint, "-o", "json", "--outputs-file", str(outputs_file)], monkeypatch, capsys)
    assert code == 0, err
    document = json.loads(out)
    assert set(document) >= {"outputs", "summary", "api_calls", "seconds"}
    outputs = document["outputs"]
    assert list(outputs) == list(KEYS) and all(isinstance(v, str) and v for v in outputs.values())
    assert outputs["ApiUrl"] == f"{moto_server}/restapis/{outputs['ApiId']}/live/_user_request_"
    assert outputs["WebhookUrlTemplate"] == outputs["ApiUrl"] + "/webhook/{provider}"
    assert json.loads(outputs_file.read_text()) == outputs
    assert builds.arches[-1] == "arm64"  # a plain endpoint is not the local cloud

    code, out, err = run(["up", *endpoint, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["api_calls"]["write"] == 0
    assert "DeadLetterConfig" in err  # the moto gap is said, not hidden
    code, out, err = run(["plan", *endpoint, "--detailed-exitcode"], monkeypatch, capsys)
    assert code == 0, err
    assert "No changes" in out

    code, out, err = run(["status", *endpoint, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    status = json.loads(out)
    assert status["deployed"] is True and status["dlq"] == {"processor": 0, "audit": 0}
    assert len(status["resources"]) == 32 and {r["state"] for r in status["resources"]} == {"ok"}
    code, out, err = run(["outputs", *endpoint, "-o", "json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out) == outputs

    builds.code = {"receiver": "def handler(event, context):\n    return 'changed'\n"}
    code, out, err = run(["plan", *endpoint, "--detailed-exitcode"], monkeypatch, capsys)
    assert code == 2 and "function_receiver" in out
    code, out, err = run(["up", *endpoint, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["api_calls"]["write"] <= 3

    code, out, err = run(["down", *endpoint, "--yes", "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    down = json.loads(out)
    assert down["remaining"] == [] and len(down["deleted"]) == 32
    for command in (["status"], ["outputs"], ["down", "--yes"]):
        code, out, err = run([*command, *endpoint], monkeypatch, capsys)
        assert code == 4, (command, err)


def test_failed_preflight_exits_3_and_changes_nothing(moto_server, builds, monkeypatch, capsys):
    builds.missing = (Missing("aws_xray_sdk", "webhook_receiver/handler.py", 3, "add aws-xray-sdk to layer/requirements.txt"),)
    code, out, err = run(["up", "--endpoint-url", moto_server], monkeypatch, capsys)
    assert code == 3, err
    assert "nothing was changed" in err
    code, out, err = run(["status", "--endpoint-url", moto_server], monkeypatch, capsys)
    assert code == 4


def test_protected_env_down_needs_force(moto_server, builds, monkeypatch, capsys):
    code, out, err = run(["down", "--endpoint-url", moto_server, "--env", "prod"], monkeypatch, capsys)
    assert code == 2 and "--force" in err


def test_bad_max_parallel_is_a_usage_error(moto_server, builds, monkeypatch, capsys):
    code, out, err = run(["up", "--endpoint-url", moto_server, "--max-parallel", "0"], monkeypatch, capsys)
    assert code == 2 and "--max-parallel" in err
