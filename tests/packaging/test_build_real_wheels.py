"""The real requirements from PyPI (downloaded once per session): size target, pruning, and a layer that imports."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from webhookctl.packaging import sources
from webhookctl.packaging import BuildResult, build_artifacts
from webhookctl.config import load_settings

REQUIREMENTS = "boto3>=1.26.0\ncryptography>=41.0.0\naws-xray-sdk>=2.12.0\n"
# 0.40 x the naive `pip install --target` + `zip -9` of these requirements (about 25 MB for arm64).
LAYER_BUDGET_BYTES = 10_000_000

HANDLER = '''\
import boto3
from webhook_tools.tracing import traced


def handler(event, context):
    return traced(boto3.client("dynamodb").meta.service_model.service_name)
'''
TRACING = '''\
from aws_xray_sdk.core import patch_all, xray_recorder
from cryptography.hazmat.primitives import hashes


def traced(value):
    return value
'''


@dataclass
class RealBuild:
    arm64: BuildResult
    host: BuildResult
    project: Path
    settings: object


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> RealBuild:
    root = tmp_path_factory.mktemp("real-project")
    for package in ("webhook_receiver", "payment_processor", "audit_logger"):
        (root / "handlers" / package).mkdir(parents=True)
        (root / "handlers" / package / "handler.py").write_text(HANDLER)
    (root / "layer" / "webhook_tools").mkdir(parents=True)
    (root / "layer" / "webhook_tools" / "__init__.py").write_text("")
    (root / "layer" / "webhook_tools" / "tracing.py").write_text(TRACING)
    (root / "layer" / "requirements.txt").write_text(REQUIREMENTS)
    (root / "webhookctl.toml").write_text('[build]\nhandlers_dir = "handlers"\nlayer_requirements = "layer/requirements.txt"\n')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WEBHOOKCTL_CACHE", str(root / "cache"))
        patch.setattr(sources, "shared_layer_packages", lambda: [root / "layer" / "webhook_tools"])
        settings = load_settings("dev", root / "webhookctl.toml")
        arm64 = build_artifacts(settings, "arm64", root / "out" / "arm64")
        host = build_artifacts(settings, "host", root / "out" / "host")
    return RealBuild(arm64, host, root, settings)


def test_arm64_layer_is_within_budget_and_passes_the_import_check(real_build: RealBuild) -> None:
    assert real_build.arm64.import_check.ok, real_build.arm64.import_check.missing
    assert real_build.arm64.layer.bytes <= LAYER_BUDGET_BYTES


def test_arm64_layer_holds_aarch64_binaries_and_only_the_kept_sdk_models(real_build: RealBuild) -> None:
    with zipfile.ZipFile(real_build.arm64.layer.path) as archive:
        names = archive.namelist()
    binaries = [n for n in names if n.endswith(".so") and "cpython-311" in n]
    assert binaries and all("aarch64" in n for n in binaries)
    services = {n.split("/")[3] for n in names if n.startswith("python/botocore/data/") and n.count("/") > 3}
    assert services <= {"dynamodb", "dynamodbstreams", "lambda", "secretsmanager", "logs", "sqs", "sts", "xray"}
    assert {"dynamodb", "secretsmanager", "xray"} <= services
    assert {"python/botocore/data/endpoints.json", "python/botocore/data/partitions.json", "python/botocore/data/_retry.json"} <= set(names)
    assert not any(n.endswith(".pyi") or n.endswith("dist-info/RECORD") or "/tests/" in n for n in names)
    assert all(n.endswith(f".{sys.implementation.cache_tag}.pyc") for n in names if "/__pycache__/" in n)
    assert f"python/botocore/__pycache__/client.{sys.implementation.cache_tag}.pyc" in names
    assert "python/webhook_tools/tracing.py" in names


def test_host_layer_runs_with_only_the_stdlib_layer_and_code_on_the_path(real_build: RealBuild, tmp_path: Path) -> None:
    with zipfile.ZipFile(real_build.host.layer.path) as archive:
        archive.extractall(tmp_path / "opt")
    with zipfile.ZipFile(real_build.host.functions["receiver"].path) as archive:
        archive.extractall(tmp_path / "task")
    script = (
        "import sys; sys.path[:0] = ['task', 'opt/python']\n"
        "import handler\n"
        "from aws_xray_sdk.core import patch_all; patch_all()\n"
        "import boto3\n"
        "for name in ('dynamodb', 'lambda', 'logs', 'secretsmanager', 'sqs', 'sts', 'xray'):\n"
        "    boto3.client(name, region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='y')\n"
        "print(handler.handler({}, None), boto3.__file__)\n"
    )
    env = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_EC2_METADATA_DISABLED": "true"}
    completed = subprocess.run([sys.executable, "-I", "-S", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    output = completed.stdout.split()
    assert output[0] == "dynamodb"
    assert output[1].startswith(str(tmp_path / "opt" / "python"))


def test_fresh_cache_rebuild_gives_the_same_bytes(real_build: RealBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOKCTL_CACHE", str(tmp_path / "fresh-cache"))
    monkeypatch.setattr(sources, "shared_layer_packages", lambda: [real_build.project / "layer" / "webhook_tools"])
    again = build_artifacts(real_build.settings, "arm64", tmp_path / "out")  # same lock, so the same wheels
    assert not again.cached
    assert again.layer.sha256 == real_build.arm64.layer.sha256
    assert {k: a.sha256 for k, a in again.functions.items()} == {k: a.sha256 for k, a in real_build.arm64.functions.items()}
