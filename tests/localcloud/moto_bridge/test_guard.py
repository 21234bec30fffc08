"""The bridge's start-up check: fingerprints of moto's source decide which patches go in."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from webhookctl.localcloud.moto_bridge import guard, moto_tuning, patches
from webhookctl.localcloud.moto_bridge.patching import _INSTALLED


@pytest.fixture
def fresh_guard():
    guard.forget()
    moto_tuning.revert()
    yield
    guard.forget()
    moto_tuning.revert()


def test_every_patch_matches_a_tested_fingerprint_on_this_moto():
    untested = {p.name: guard.fingerprint(p) for p in patches.PATCHES
                if guard.fingerprint(p) not in patches.TESTED.get(p.name, ())}
    assert untested == {}, f"moto {guard.moto_version()} changed what these patches replace: {untested}"


def test_every_patch_has_an_installer_and_each_bug_fix_its_upstream_patch():
    from pathlib import Path

    from webhookctl.localcloud.moto_bridge import moto_queue_tuning, stream_mappings

    installers = {f.__name__ for f in moto_tuning.TUNINGS} | {"read_the_clock_once_per_queue_scan",
                                                               "call_json_views_directly", "adopt_stream_mappings"}
    assert set(patches.BY_NAME) == installers
    assert hasattr(moto_queue_tuning, "read_the_clock_once_per_queue_scan") and hasattr(stream_mappings, "adopt_stream_mappings")
    upstream = Path(guard.__file__).parent / "upstream"
    for patch in patches.PATCHES:
        if patch.fixes:
            assert (upstream / f"{patch.fixes}.patch").is_file() and (upstream / f"{patch.fixes}.md").is_file()


def test_a_speed_patch_over_changed_source_is_left_to_moto_with_one_warning(fresh_guard, monkeypatch, capsys):
    monkeypatch.setitem(patches.TESTED, "read_sqs_retention_directly", frozenset({"0" * 16}))
    moto_tuning.apply()
    from moto.sqs.models import SQSBackend

    installed = {name for (_, name) in _INSTALLED}
    assert "is_message_valid_based_on_retention_period" not in installed
    assert "delete_message" in installed  # the others still go in
    assert SQSBackend.is_message_valid_based_on_retention_period.__module__ == "moto.sqs.models"
    warnings = [line for line in capsys.readouterr().err.splitlines() if "left to moto" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: moto ") and "read_sqs_retention_directly" in warnings[0]


def test_a_needed_patch_over_changed_source_refuses_in_one_sentence(fresh_guard, monkeypatch, capsys):
    monkeypatch.setitem(patches.TESTED, "serialise_sqs_deletes", frozenset({"0" * 16}))
    with pytest.raises(SystemExit) as exited:
        guard.check_all()
    assert exited.value.code == 1
    (line,) = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: moto {guard.moto_version()} is not supported") and patches.SUPPORTED_RANGE in line


SITECUSTOMIZE = """
import moto.sqs.models as models
def delete_message(self, receipt_handle):  # a moto whose delete differs from the tested one
    return None
models.Queue.delete_message = delete_message
"""


def test_local_start_on_an_unknown_moto_is_one_line_and_exit_1(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "WEBHOOKCTL_HOME": str(tmp_path / "home")}
    from tests.conftest import free_port

    result = subprocess.run([sys.executable, "-m", "webhookctl", "local", "start", "--port", str(free_port())],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"moto {guard.moto_version()} is not supported by the local cloud" in result.stderr
    assert patches.SUPPORTED_RANGE in result.stderr
