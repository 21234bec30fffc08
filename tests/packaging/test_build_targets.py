"""Which wheels each architecture may use."""

from __future__ import annotations

import sys

import pytest

from webhookctl.packaging.targets import target_for
from webhookctl.errors import UsageError


def test_arm64_for_python311_accepts_manylinux_up_to_amazon_linux_2_glibc() -> None:
    target = target_for("arm64", "python3.11")
    assert target.python_version == "3.11"
    assert "manylinux2014_aarch64" in target.platforms
    assert "manylinux_2_26_aarch64" in target.platforms
    assert "manylinux_2_28_aarch64" not in target.platforms  # needs a newer glibc than Lambda's
    options = target.pip_options()
    assert options[-5:] == ["--implementation", "cp", "--python-version", "3.11", "--only-binary=:all:"]


def test_python312_runs_on_a_newer_glibc_and_x86_64_keeps_old_tags() -> None:
    target = target_for("x86_64", "python3.12")
    assert "manylinux_2_34_x86_64" in target.platforms
    assert "manylinux1_x86_64" in target.platforms
    assert all(tag.endswith("x86_64") for tag in target.platforms)


def test_host_uses_this_interpreter_and_no_platform_options() -> None:
    target = target_for("host", "python3.11")
    assert target.is_host
    assert target.pip_options() == []
    assert target.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_targets_differ_in_their_keys() -> None:
    keys = {target_for(arch, "python3.11").key() for arch in ("arm64", "x86_64", "host")}
    assert len(keys) == 3


def test_unknown_arch_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--arch must be one of arm64, x86_64, host"):
        target_for("sparc", "python3.11")
