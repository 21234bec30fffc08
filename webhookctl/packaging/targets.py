"""Build targets: which wheels pip may pick for a Lambda architecture and runtime, or for this machine."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from webhookctl.errors import UsageError

ARCHES = ("arm64", "x86_64", "host")

# glibc of the Lambda base image: python3.11 runs on Amazon Linux 2, 3.12+ on Amazon Linux 2023.
_GLIBC_MINOR = {"python3.11": 26, "python3.12": 34, "python3.13": 34}
_MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}


@dataclass(frozen=True)
class BuildTarget:
    """Where the layer will run: `platforms` empty means this machine's own interpreter."""

    arch: str
    python_version: str  # "3.11"
    platforms: tuple[str, ...] = ()
    implementation: str = "cp"

    @property
    def is_host(self) -> bool:
        return not self.platforms

    def key(self) -> str:
        """Everything about the target that changes which wheels are chosen."""
        if self.is_host:
            return f"host:{sys.implementation.name}-{self.python_version}-{platform.machine()}-{sys.platform}"
        return f"{self.arch}:{self.implementation}{self.python_version}:{','.join(self.platforms)}"

    def pip_options(self) -> list[str]:
        """pip options that pin the wheels to the target (none for the host)."""
        if self.is_host:
            return []
        options: list[str] = []
        for tag in self.platforms:
            options += ["--platform", tag]
        return options + [
            "--implementation",
            self.implementation,
            "--python-version",
            self.python_version,
            "--only-binary=:all:",
        ]


def target_for(arch: str, runtime: str) -> BuildTarget:
    """The target for `--arch` (arm64, x86_64 or host) and the Lambda runtime (python3.X)."""
    if arch not in ARCHES:
        raise UsageError(f"--arch must be one of {', '.join(ARCHES)} (got {arch!r})")
    if arch == "host":
        return BuildTarget(arch="host", python_version=f"{sys.version_info.major}.{sys.version_info.minor}")
    if runtime not in _GLIBC_MINOR:
        raise UsageError(f"unsupported Lambda runtime {runtime!r}", hint=f"use one of {', '.join(_GLIBC_MINOR)}")
    return BuildTarget(arch=arch, python_version=runtime.removeprefix("python"), platforms=manylinux_platforms(_MACHINE[arch], _GLIBC_MINOR[runtime]))


def manylinux_platforms(machine: str, glibc_minor: int) -> tuple[str, ...]:
    """Every manylinux tag a glibc 2.<glibc_minor> system accepts, newest first (pip does not expand them)."""
    oldest = 5 if machine == "x86_64" else 17
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(glibc_minor, oldest - 1, -1)]
    tags.append(f"manylinux2014_{machine}")
    if machine == "x86_64":
        tags += [f"manylinux2010_{machine}", f"manylinux1_{machine}"]
    return tuple(tags)
