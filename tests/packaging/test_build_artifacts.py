"""build_artifacts with an offline stand-in for pip: zips, determinism, cache, import check."""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import sys
import zipfile
from pathlib import Path

import pytest

from webhookctl.packaging import build_artifacts
from webhookctl.config import FUNCTIONS
from webhookctl.errors import WebhookctlError


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_builds_a_zip_per_function_and_a_pruned_layer(project, fake_pip) -> None:
    result = build_artifacts(project.settings, "arm64")
    assert result.arch == "arm64" and result.python_version == "3.11"
    assert result.layer.path == project.root / ".webhookctl" / "build" / "arm64" / "layer.zip"
    assert set(result.functions) == set(FUNCTIONS)
    assert _names(result.functions["receiver"].path) == [f"__pycache__/handler.{sys.implementation.cache_tag}.pyc", "handler.py"]
    layer = _names(result.layer.path)
    assert "python/webhook_tools/tracing.py" in layer
    assert "python/aws_xray_sdk/core/recorder.py" in layer
    assert "python/botocore/data/dynamodb/2012-08-10/service-2.json.gz" in layer
    assert not any("/ec2/" in name or name.startswith("python/bin/") for name in layer)
    with zipfile.ZipFile(result.layer.path) as archive:  # the wheel's stray .pyc was replaced by a real one
        assert archive.read(f"python/botocore/__pycache__/client.{sys.implementation.cache_tag}.pyc")[:4] == importlib.util.MAGIC_NUMBER
    assert result.import_check.ok
    assert result.layer_hash == f"sha256:{result.layer.content_sha256}"
    assert result.to_json()["layer"]["sha256"] == result.layer.sha256


def test_same_inputs_give_identical_zips_even_without_the_cache(project, fake_pip, tmp_path, monkeypatch) -> None:
    first = build_artifacts(project.settings, "arm64", tmp_path / "one")
    monkeypatch.setenv("WEBHOOKCTL_CACHE", str(tmp_path / "other-cache"))
    project.handler("receiver").touch()  # a new mtime must not change the bytes
    second = build_artifacts(project.settings, "arm64", tmp_path / "two")
    assert not second.cached
    assert second.layer.sha256 == first.layer.sha256
    assert {k: a.sha256 for k, a in second.functions.items()} == {k: a.sha256 for k, a in first.functions.items()}
    assert (tmp_path / "one" / "layer.zip").read_bytes() == (tmp_path / "two" / "layer.zip").read_bytes()


def test_second_build_with_the_same_inputs_is_a_cache_hit(project, fake_pip, tmp_path) -> None:
    first = build_artifacts(project.settings, "arm64")
    second = build_artifacts(project.settings, "arm64", tmp_path / "elsewhere")
    assert second.cached and not first.cached
    assert (fake_pip.resolved, fake_pip.installed) == (1, ["arm64"])
    assert second.layer.sha256 == first.layer.sha256
    assert second.layer.path == tmp_path / "elsewhere" / "layer.zip" and second.layer.path.is_file()


def test_changed_handler_rebuilds_its_zip_but_reuses_the_installed_layer(project, fake_pip) -> None:
    first = build_artifacts(project.settings, "arm64")
    project.handler("audit").write_text(project.handler("audit").read_text() + "\n# changed\n")
    second = build_artifacts(project.settings, "arm64")
    assert not second.cached
    assert second.functions["audit"].sha256 != first.functions["audit"].sha256
    assert second.functions["receiver"].sha256 == first.functions["receiver"].sha256
    assert second.layer.sha256 == first.layer.sha256
    assert fake_pip.installed == ["arm64"]


def test_changed_handler_reuses_the_layer_zip_and_a_changed_layer_package_rezips_it(project, fake_pip, monkeypatch) -> None:
    from webhookctl.packaging import artifacts

    first = build_artifacts(project.settings, "arm64")
    written: list[str] = []
    real_write_zip = artifacts.write_zip
    monkeypatch.setattr(artifacts, "write_zip", lambda entries, dest: (written.append(dest.name), real_write_zip(entries, dest))[1])
    project.handler("audit").write_text(project.handler("audit").read_text() + "\n# changed\n")
    second = build_artifacts(project.settings, "arm64")
    assert not second.cached and "layer.zip" not in written  # only the functions were zipped again
    assert second.layer.sha256 == first.layer.sha256 and second.layer.content_sha256 == first.layer.content_sha256
    assert second.layer.path.read_bytes() == first.layer.path.read_bytes()
    assert second.layer.bytes == second.layer.path.stat().st_size

    tracing = project.shared / "webhook_tools" / "tracing.py"
    tracing.write_text(tracing.read_text() + "\n# changed\n")
    third = build_artifacts(project.settings, "arm64")
    assert "layer.zip" in written and third.layer.content_sha256 != first.layer.content_sha256


def test_architectures_are_built_and_cached_separately(project, fake_pip) -> None:
    arm = build_artifacts(project.settings, "arm64")
    host = build_artifacts(project.settings, "host")
    assert fake_pip.installed == ["arm64", "host"]
    assert fake_pip.resolved == 1  # one lock, resolved for Lambda, serves every arch
    assert arm.layer.sha256 != host.layer.sha256
    assert host.layer.path.parent.name == "host"


def test_bytecode_in_the_code_folders_never_reaches_the_zips(project, fake_pip) -> None:
    clean = build_artifacts(project.settings, "arm64")
    cache = project.handler("receiver").parent / "__pycache__"
    cache.mkdir()
    (cache / "handler.cpython-311.pyc").write_bytes(b"\0" * 16)
    (project.shared / "webhook_tools" / "__pycache__").mkdir()
    (project.shared / "webhook_tools" / "__pycache__" / "tracing.cpython-311.pyc").write_bytes(b"\1")
    again = build_artifacts(project.settings, "arm64")
    assert again.cached
    assert again.functions["receiver"].sha256 == clean.functions["receiver"].sha256


def test_requirements_without_aws_xray_sdk_fail_the_import_check(project, fake_pip) -> None:
    project.drop_requirement("aws-xray-sdk")
    result = build_artifacts(project.settings, "arm64")
    assert not result.import_check.ok
    [missing] = result.import_check.missing
    assert missing.module == "aws_xray_sdk"
    assert missing.imported_by == "webhook_tools/tracing.py"
    assert missing.functions == tuple(FUNCTIONS)
    assert missing.fix == "add aws-xray-sdk to deps/requirements.txt"
    assert result.to_json()["import_check"]["missing"][0]["module"] == "aws_xray_sdk"


def test_missing_handler_package_is_a_clear_error(project, fake_pip) -> None:
    project.handler("processor").unlink()
    with pytest.raises(WebhookctlError, match=r"payment_processor/handler.py \(function processor\)") as caught:
        build_artifacts(project.settings, "arm64")
    assert caught.value.code == 2


def test_layer_package_shadowing_a_requirement_is_refused(project, fake_pip) -> None:
    (project.shared / "boto3").mkdir()
    (project.shared / "boto3" / "__init__.py").write_text("")
    with pytest.raises(WebhookctlError, match="layer package 'boto3' clashes"):
        build_artifacts(project.settings, "arm64")


def test_bytecode_is_unchecked_hash_and_names_the_lambda_paths(project, fake_pip) -> None:
    result = build_artifacts(project.settings, "arm64")
    assert result.bytecode
    with zipfile.ZipFile(result.functions["receiver"].path) as archive:
        pyc = archive.read(f"__pycache__/handler.{sys.implementation.cache_tag}.pyc")
    with zipfile.ZipFile(result.layer.path) as archive:
        shared_pyc = archive.read(f"python/webhook_tools/__pycache__/tracing.{sys.implementation.cache_tag}.pyc")
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, source never re-checked: no mtimes inside
    assert marshal.loads(pyc[16:]).co_filename == "/var/task/handler.py"
    assert marshal.loads(shared_pyc[16:]).co_filename == "/opt/python/webhook_tools/tracing.py"


def test_runtime_of_another_python_version_gets_no_bytecode(project, fake_pip) -> None:
    other = "python3.12" if sys.version_info[:2] != (3, 12) else "python3.11"
    result = build_artifacts(dataclasses.replace(project.settings, runtime=other), "arm64")
    assert not result.bytecode
    assert _names(result.functions["receiver"].path) == ["handler.py"]


def test_cache_keeps_only_the_most_recently_used_builds(project, fake_pip, monkeypatch) -> None:
    monkeypatch.setattr("webhookctl.packaging.cache.KEEP_BUILDS", 2)
    original = project.handler("audit").read_text()
    build_artifacts(project.settings, "arm64")
    for number in range(3):
        project.handler("audit").write_text(f"def handler(event, context):\n    return {number}\n")
        build_artifacts(project.settings, "arm64")
    builds = [p for p in (project.root.parent / "cache" / "builds").iterdir() if not p.name.startswith(".")]
    assert len(builds) == 2
    assert build_artifacts(project.settings, "arm64").cached  # the latest is kept
    project.handler("audit").write_text(original)
    assert not build_artifacts(project.settings, "arm64").cached  # the oldest was removed
