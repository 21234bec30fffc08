"""Fixture projects for build tests: handler packages, a layer, and an offline stand-in for pip."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from webhookctl.packaging import sources
from webhookctl.config import Settings, load_settings

HANDLER_PACKAGES = {"receiver": "webhook_receiver", "processor": "payment_processor", "audit": "audit_logger"}

# What the stand-in for pip installs per distribution: a miniature of the real wheels' layout.
FAKE_WHEELS: dict[str, list[str]] = {
    "boto3": [
        "boto3/__init__.py",
        "boto3/session.py",
        "boto3/data/dynamodb/2012-08-10/resources-1.json",
        "boto3/data/ec2/2016-11-15/resources-1.json",
        "boto3/examples/s3.rst",
        "boto3/__init__.pyi",
        "boto3-1.0.dist-info/METADATA",
        "boto3-1.0.dist-info/RECORD",
        "boto3-1.0.dist-info/WHEEL",
        "boto3-1.0.dist-info/INSTALLER",
        "boto3-1.0.dist-info/LICENSE",
    ],
    "botocore": [
        "botocore/__init__.py",
        "botocore/client.py",
        "botocore/docs/__init__.py",
        "botocore/docs/docstring.py",
        "botocore/data/endpoints.json",
        "botocore/data/partitions.json",
        "botocore/data/_retry.json",
        "botocore/data/sdk-default-configuration.json",
        "botocore/data/dynamodb/2012-08-10/service-2.json.gz",
        "botocore/data/sqs/2012-11-05/service-2.json.gz",
        "botocore/data/xray/2016-04-12/service-2.json.gz",
        "botocore/data/ec2/2016-11-15/service-2.json.gz",
        "botocore/data/sagemaker/2017-07-24/service-2.json.gz",
        "botocore/data/kinesis/2013-12-02/service-2.json.gz",
        f"botocore/__pycache__/client.{sys.implementation.cache_tag}.pyc",
        "botocore-1.0.dist-info/METADATA",
        "botocore-1.0.dist-info/RECORD",
    ],
    "aws-xray-sdk": [
        "aws_xray_sdk/__init__.py",
        "aws_xray_sdk/core/__init__.py",
        "aws_xray_sdk/core/recorder.py",
        "aws_xray_sdk/tests/test_recorder.py",
        "aws_xray_sdk-1.0.dist-info/METADATA",
    ],
    "cryptography": [
        "cryptography/__init__.py",
        "cryptography/hazmat/__init__.py",
        "cryptography/hazmat/bindings/_rust.abi3.so",
        "cryptography/py.typed",
        "cryptography/docs/index.rst",
    ],
}
FAKE_DEPENDENCIES = {"boto3": ["botocore"], "aws-xray-sdk": ["botocore"]}
FAKE_VERSION = "1.0"


@dataclass
class FakePip:
    """Counts how often the build resolves and installs, and installs FAKE_WHEELS for the pinned names."""

    resolved: int = 0
    installed: list[str] = field(default_factory=list)

    def resolve(self, requirements: Path, target) -> list[str]:
        self.resolved += 1
        names = [re.split(r"[<>=!~ ;\[]", line.strip(), maxsplit=1)[0].lower() for line in requirements.read_text().splitlines()]
        names = [name for name in names if name and not name.startswith("#")]
        unknown = [name for name in names if name not in FAKE_WHEELS]
        if unknown:
            from webhookctl.errors import WebhookctlError

            raise WebhookctlError(f"pip could not resolve: no such package {unknown[0]}")
        names += [dependency for name in names for dependency in FAKE_DEPENDENCIES.get(name, [])]
        return sorted({f"{name}=={FAKE_VERSION}" for name in names})

    def install(self, lock: Path, target, dest: Path) -> None:
        self.installed.append(target.arch)
        for line in lock.read_text().splitlines():
            if line and not line.startswith("#"):
                for relative in FAKE_WHEELS[line.split("==")[0]]:
                    path = dest / relative
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(f"# {relative} for {target.arch}\n")
        (dest / "bin").mkdir(parents=True, exist_ok=True)
        (dest / "bin" / "jp.py").write_text("#!/usr/bin/env python\n")


@pytest.fixture
def fake_pip(monkeypatch: pytest.MonkeyPatch) -> FakePip:
    pip = FakePip()
    monkeypatch.setattr("webhookctl.packaging.artifacts.resolve_pins", pip.resolve)
    monkeypatch.setattr("webhookctl.packaging.layer_site.install_pins", pip.install)
    return pip


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


HANDLER_SOURCE = '''\
import json

import boto3

from webhook_tools import tracing


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(tracing.name())}
'''

TRACING_SOURCE = '''\
def name():
    from aws_xray_sdk.core import xray_recorder  # imported lazily, still needed on Lambda

    return "traced"
'''


@dataclass
class Project:
    root: Path
    settings: Settings
    requirements: Path
    handlers: Path
    shared: Path

    def handler(self, key: str) -> Path:
        return self.handlers / HANDLER_PACKAGES[key] / "handler.py"

    def drop_requirement(self, name: str) -> None:
        kept = [line for line in self.requirements.read_text().splitlines() if not line.startswith(name)]
        self.requirements.write_text("\n".join(kept) + "\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project in tmp_path: three handler packages, one shared layer package, requirements, a config."""
    root = tmp_path / "project"
    for package in HANDLER_PACKAGES.values():
        write(root / "src" / package / "handler.py", HANDLER_SOURCE)
    requirements = write(root / "deps" / "requirements.txt", "boto3>=1.26.0\ncryptography>=41.0.0\naws-xray-sdk>=2.12.0\n")
    shared = root / "layer"
    write(shared / "webhook_tools" / "__init__.py", "")
    write(shared / "webhook_tools" / "tracing.py", TRACING_SOURCE)
    config = write(root / "webhookctl.toml", '[build]\nhandlers_dir = "src"\nlayer_requirements = "deps/requirements.txt"\n')
    monkeypatch.setattr(sources, "shared_layer_packages", lambda: sorted(p for p in shared.iterdir() if (p / "__init__.py").is_file()))
    monkeypatch.setenv("WEBHOOKCTL_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    return Project(root, load_settings("dev", config), requirements, root / "src", shared)

