"""The code-only `up` path: after a recorded full `up`, an edit of handler code costs one UpdateFunctionCode.

Against moto in process; the record lives under WEBHOOKCTL_HOME (a temporary folder here).
"""

from __future__ import annotations

import boto3
import pytest

from tests.provision.conftest import make_artifacts
from webhookctl.names import Names
from webhookctl.provision import code_only, deploy
from webhookctl.provision.up import UpOptions

NAMES = Names("webhookctl", "dev")
V2 = {"processor": "def handler(event, context):\n    return 'v2'\n"}


@pytest.fixture
def recorded(new_context, settings, artifacts, tmp_path, monkeypatch):
    """A full `up`, then its record, as run_up writes it on the local cloud; yields a Scope factory."""
    monkeypatch.setenv("WEBHOOKCTL_HOME", str(tmp_path / "home"))
    result = deploy.deploy(new_context(), settings, artifacts)
    scope = code_only.Scope(new_context(), settings, UpOptions())
    code_only.remember(scope, {}, artifacts, result)
    assert scope.path.exists()
    return lambda options=UpOptions(), the_settings=settings: code_only.Scope(new_context(), the_settings, options)


def code_sha(key: str) -> str:
    return boto3.client("lambda", region_name="us-east-1").get_function_configuration(FunctionName=NAMES.function(key))["CodeSha256"]


def test_one_handler_edit_is_one_upload_and_leaves_nothing_to_plan(recorded, new_context, settings, tmp_path):
    changed = make_artifacts(tmp_path / "v2", code=V2)
    scope = recorded()
    others = {key: code_sha(key) for key in ("receiver", "audit")}
    seen = []
    result = code_only.try_code_only(scope, changed, progress=lambda event, change: seen.append((event, change.resource)))
    assert result is not None
    assert scope.aws.counter.by_operation == {"lambda:GetFunctionConfiguration": 4, "lambda:UpdateFunctionCode": 1, "sts:GetCallerIdentity": 1}
    assert result.summary == {"create": 0, "update": 1, "delete": 0, "unchanged": 32}
    assert [(c["resource"], [d["property"] for d in c["details"]]) for c in result.changes] == [("function_processor", ["code"])]
    assert seen == [("start", "function_processor"), ("done", "function_processor")]
    assert code_sha("processor") == changed.functions["processor"].lambda_code_sha256
    assert {key: code_sha(key) for key in ("receiver", "audit")} == others
    assert not deploy.plan(new_context(), settings, changed).pending
    full = deploy.deploy(new_context(), settings, changed)
    assert full.api_calls["write"] == 0 and result.outputs == full.outputs


def test_a_second_edit_takes_the_short_path_again(recorded, tmp_path):
    assert code_only.try_code_only(recorded(), make_artifacts(tmp_path / "v2", code=V2)) is not None
    v3 = make_artifacts(tmp_path / "v3", code={"processor": "def handler(event, context):\n    return 'v3'\n"})
    assert code_only.try_code_only(recorded(), v3) is not None
    assert code_sha("processor") == v3.functions["processor"].lambda_code_sha256


def test_no_code_change_goes_the_full_way(recorded, artifacts):
    scope = recorded()
    assert code_only.try_code_only(scope, artifacts) is None
    assert scope.aws.counter.as_dict()["write"] == 0


def test_a_function_changed_elsewhere_goes_the_full_way(recorded, tmp_path):
    boto3.client("lambda", region_name="us-east-1").update_function_configuration(FunctionName=NAMES.function("audit"), MemorySize=1024)
    scope = recorded()
    assert code_only.try_code_only(scope, make_artifacts(tmp_path / "v2", code=V2)) is None
    assert scope.aws.counter.as_dict()["write"] == 0


def test_a_deleted_env_goes_the_full_way(recorded, tmp_path):
    boto3.client("lambda", region_name="us-east-1").delete_function(FunctionName=NAMES.function("receiver"))
    assert code_only.try_code_only(recorded(), make_artifacts(tmp_path / "v2", code=V2)) is None


def test_other_settings_options_or_layer_go_the_full_way(recorded, settings, tmp_path):
    import dataclasses

    edited = make_artifacts(tmp_path / "v2", code=V2)
    assert code_only.try_code_only(recorded(the_settings=dataclasses.replace(settings, api_rate_limit=7.0)), edited) is None
    assert code_only.try_code_only(recorded(options=UpOptions(reserved_mode="off")), edited) is None
    assert code_only.try_code_only(recorded(options=UpOptions(preflight=False)), edited) is None
    assert code_only.try_code_only(recorded(), make_artifacts(tmp_path / "v3", layer_version="2", code=V2)) is None
    assert code_only.try_code_only(recorded(), edited) is not None  # the record itself was kept


def test_a_failed_upload_leaves_no_record(recorded, tmp_path, monkeypatch):
    from webhookctl.provision.apply import ApplyError

    scope = recorded()
    client = scope.aws.client("lambda")

    def refuse(**_):
        raise RuntimeError("refused")

    monkeypatch.setattr(client, "update_function_code", refuse)
    with pytest.raises(ApplyError, match="function_processor"):
        code_only.try_code_only(scope, make_artifacts(tmp_path / "v2", code=V2))
    assert not scope.path.exists()


def test_code_that_fails_a_preflight_code_check_is_not_uploaded_the_short_way():
    """An edit that breaks the import check goes the full way, where preflight refuses it (exit 3)."""
    from types import SimpleNamespace

    from webhookctl.provision.up import _code_checks_pass

    missing = SimpleNamespace(module="requests", imported_by="handler.py")
    broken = SimpleNamespace(arch="arm64", import_check=SimpleNamespace(ok=False, missing=[missing]))
    assert not _code_checks_pass(broken, UpOptions())
    assert _code_checks_pass(broken, UpOptions(preflight=False))  # --no-preflight: the user asked for no checks
