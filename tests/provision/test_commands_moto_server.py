"""plan / up / status / outputs / down through the real CLI against moto's server (--endpoint-url)."""

from __future__ import annotations

import json

import pytest

import webhookctl.packaging
from tests.provision.conftest import make_artifacts
from webhookctl.packaging.result import Artifact, BuildResult, ImportCheck, Missing
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

    monkeypatch.setattr(webhookctl.packaging, "build_artifacts", build_artifacts)
    return Builds


def run(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    return run_main(args, monkeypatch, capsys)


def test_up_plan_status_outputs_down_lifecycle(moto_server_with_logging_role, builds, monkeypatch, capsys, tmp_path):
    moto_server = moto_server_with_logging_role
    endpoint = ["--endpoint-url", moto_server]

    code, out, err = run(["status", *endpoint], monkeypatch, capsys)
    assert code == 4 and "not deployed" in err
    code, out, err = run(["plan", *endpoint, "--detailed-exitcode", "-o", "json"], monkeypatch, capsys)
    assert code == 2, err
    assert json.loads(out)["summary"]["create"] == 33

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
    assert len(status["resources"]) == 33 and {r["state"] for r in status["resources"]} == {"ok"}
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
    assert down["remaining"] == [] and len(down["deleted"]) == 33
    for command in (["status"], ["outputs"], ["down", "--yes"]):
        code, out, err = run([*command, *endpoint], monkeypatch, capsys)
        assert code == 4, (command, err)


def test_failed_preflight_exits_3_and_changes_nothing(moto_server_with_logging_role, builds, monkeypatch, capsys):
    moto_server = moto_server_with_logging_role
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


# --- the account's API Gateway CloudWatch role (review F1) -------------------------------------
# A bare moto server starts like a fresh account: cloudWatchRoleArn was never set, and AWS would
# refuse the stage's access logging ("CloudWatch Logs role ARN must be set in account settings to
# enable logging"; API Gateway Developer Guide, "Set up CloudWatch logging for REST APIs").


def _client(endpoint: str, service: str):
    import boto3

    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint)


def _write_config(tmp_path, text: str) -> list[str]:
    path = tmp_path / "webhookctl.toml"
    path.write_text(text)
    return ["--config", str(path)]


def test_up_on_a_fresh_account_stops_at_preflight_before_any_write(moto_server, builds, monkeypatch, capsys):
    code, out, err = run(["up", "--endpoint-url", moto_server], monkeypatch, capsys)
    assert code == 3, err
    assert "api_logging" in err and "nothing was changed" in err
    code, out, err = run(["preflight", "--endpoint-url", moto_server, "-o", "json"], monkeypatch, capsys)
    assert code == 3
    check = next(c for c in json.loads(out)["checks"] if c["name"] == "api_logging")
    assert "cloudWatchRoleArn" in check["detail"] and "create_account_logging_role = true" in check["detail"] and "access_logs = false" in check["detail"]
    assert _client(moto_server, "apigateway").get_rest_apis()["items"] == []
    assert _client(moto_server, "kms").list_keys()["Keys"] == []
    assert _client(moto_server, "iam").list_roles()["Roles"] == []


def test_up_can_create_the_account_logging_role_and_down_keeps_it(moto_server, builds, monkeypatch, capsys, tmp_path):
    import urllib.request

    # Every real account has AWS's managed policies; moto loads them only when asked (then resets to build them).
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"), timeout=30).close()
    config = _write_config(tmp_path, "[api]\ncreate_account_logging_role = true\n")
    code, out, err = run(["up", "--endpoint-url", moto_server, *config, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    outputs = json.loads(out)["outputs"]
    iam, apigateway = _client(moto_server, "iam"), _client(moto_server, "apigateway")
    role = iam.get_role(RoleName="webhookctl-apigw-cloudwatch")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]]
    assert attached == ["arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"]
    assert apigateway.get_account()["cloudwatchRoleArn"] == role["Arn"]
    stage = apigateway.get_stage(restApiId=outputs["ApiId"], stageName="live")
    assert stage["accessLogSettings"]["destinationArn"].endswith("/webhookctl/api-access-dev")

    code, out, err = run(["up", "--endpoint-url", moto_server, *config, "-o", "json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["api_calls"]["write"] == 0, err
    code, out, err = run(["down", "--endpoint-url", moto_server, *config, "--yes", "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["remaining"] == []
    # Account-wide: other APIs of the account log through it.
    assert apigateway.get_account()["cloudwatchRoleArn"] == role["Arn"]
    assert iam.get_role(RoleName="webhookctl-apigw-cloudwatch")["Role"]["Arn"] == role["Arn"]


def test_access_logs_off_needs_no_account_role_and_sets_no_logging(moto_server, builds, monkeypatch, capsys, tmp_path):
    config = _write_config(tmp_path, "[api]\naccess_logs = false\n")
    code, out, err = run(["up", "--endpoint-url", moto_server, *config, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    outputs = json.loads(out)["outputs"]
    stage = _client(moto_server, "apigateway").get_stage(restApiId=outputs["ApiId"], stageName="live")
    assert "accessLogSettings" not in stage or not stage["accessLogSettings"]
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 1000.0
    assert "cloudwatchRoleArn" not in _client(moto_server, "apigateway").get_account()
    code, out, err = run(["up", "--endpoint-url", moto_server, *config, "-o", "json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["api_calls"]["write"] == 0, err


def test_outputs_file_in_a_missing_folder_is_created(moto_server_with_logging_role, builds, monkeypatch, capsys, tmp_path):
    moto_server = moto_server_with_logging_role
    outputs_file = tmp_path / "ci" / "artifacts" / "outputs.json"
    code, out, err = run(["up", "--endpoint-url", moto_server, "-o", "json", "--outputs-file", str(outputs_file)], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(outputs_file.read_text()) == json.loads(out)["outputs"]


def test_outputs_file_that_cannot_be_written_is_refused_before_any_change(moto_server, builds, monkeypatch, capsys, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder\n")
    for path in (tmp_path / "taken" / "outputs.json", tmp_path):
        code, out, err = run(["up", "--endpoint-url", moto_server, "--env", "badpath", "--outputs-file", str(path)], monkeypatch, capsys)
        assert code == 2, err
        assert err.count("\n") <= 2 and "Traceback" not in err and "--outputs-file" in err
    assert not builds.arches  # refused before the build, so before any AWS call
    code, out, err = run(["status", "--endpoint-url", moto_server, "--env", "badpath"], monkeypatch, capsys)
    assert code == 4, err
