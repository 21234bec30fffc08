"""`webhookctl build` through the real entry point: JSON keys, exit codes, one-line errors."""

from __future__ import annotations

import json
import sys

import pytest
import typer

from webhookctl.config import FUNCTIONS


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from webhookctl.cli import app, main

    # Typer runs a lone command without its name; with several it is a group.
    is_group = isinstance(typer.main.get_command(app), typer.core.TyperGroup)
    monkeypatch.setattr(sys, "argv", ["webhookctl", *(["build"] if is_group else []), *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    code = exited.value.code
    return (0 if code is None else code), captured.out, captured.err


def test_json_document_has_the_contract_keys(project, fake_pip, monkeypatch, capsys, tmp_path) -> None:
    code, out, err = run(["--config", str(project.root / "webhookctl.toml"), "--arch", "x86_64", "--out", str(tmp_path / "out"), "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    document = json.loads(out)
    assert document["arch"] == "x86_64"
    assert set(document["layer"]) >= {"path", "bytes", "sha256"}
    assert list(document["functions"]) == list(FUNCTIONS)
    assert all(set(a) >= {"path", "bytes", "sha256"} for a in document["functions"].values())
    assert document["import_check"] == {"ok": True, "missing": []}
    assert (tmp_path / "out" / "receiver.zip").is_file()


def test_missing_aws_xray_sdk_exits_3_naming_module_handler_and_fix(project, fake_pip, monkeypatch, capsys) -> None:
    project.handler("receiver").write_text("import boto3\n\ndef handler(event, context):\n    from aws_xray_sdk import core\n")
    project.drop_requirement("aws-xray-sdk")
    code, out, err = run(["--arch", "arm64", "-o", "json"], monkeypatch, capsys)
    assert code == 3
    missing = json.loads(out)["import_check"]["missing"]
    assert {"module": "aws_xray_sdk", "imported_by": "webhook_receiver/handler.py"}.items() <= missing[0].items()
    one_line = " ".join(err.split())
    assert "module 'aws_xray_sdk', imported by webhook_receiver/handler.py:4 (function receiver)" in one_line
    assert "add aws-xray-sdk to deps/requirements.txt" in one_line
    assert "Traceback" not in err


def test_text_output_lists_every_artifact(project, fake_pip, monkeypatch, capsys) -> None:
    code, out, err = run(["--arch", "host"], monkeypatch, capsys)
    assert code == 0, err
    assert "import check: ok" in out
    for name in ("layer", *FUNCTIONS):
        assert f"{name}.zip" in out


def test_bad_arch_is_a_usage_error(project, fake_pip, monkeypatch, capsys) -> None:
    code, _, err = run(["--arch", "riscv"], monkeypatch, capsys)
    assert code == 2
    assert "--arch must be one of arm64, x86_64, host" in err


def test_unknown_requirement_is_one_clear_line(project, fake_pip, monkeypatch, capsys) -> None:
    project.requirements.write_text("no-such-package-anywhere\n")
    code, _, err = run([], monkeypatch, capsys)
    assert code == 1
    assert "no such package no-such-package-anywhere" in err
    assert "Traceback" not in err
