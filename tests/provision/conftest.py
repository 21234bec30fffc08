"""Provisioning test helpers: small artifact zips and contexts on moto."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from webhookctl.config import FUNCTIONS
from webhookctl.provision.deployable_code import Artifacts
from webhookctl.provision.models import CodeArtifact


def make_zip(path: Path, files: dict[str, str]) -> CodeArtifact:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, text)
    return CodeArtifact(path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def make_artifacts(root: Path, *, layer_version: str = "1", code: dict[str, str] | None = None) -> Artifacts:
    """Tiny zips: a layer and one handler per function (`code` overrides a function's source)."""
    code = code or {}
    layer = make_zip(root / f"layer-{layer_version}.zip", {"python/dep/__init__.py": f"VERSION = {layer_version!r}\n"})
    functions = {
        key: make_zip(
            root / f"{key}-{hashlib.sha256(code.get(key, '').encode()).hexdigest()[:8]}.zip",
            {"handler.py": code.get(key, f"def handler(event, context):\n    return {key!r}\n")},
        )
        for key in FUNCTIONS
    }
    return Artifacts(layer=layer, layer_hash=layer.sha256, functions=functions)


@pytest.fixture
def artifacts(tmp_path: Path) -> Artifacts:
    return make_artifacts(tmp_path / "artifacts")


@pytest.fixture
def new_context(mocked: None) -> Callable[..., object]:
    """A fresh AwsContext (fresh counters) on moto, as an endpoint with moto's reporting gaps."""
    import boto3

    from webhookctl.aws import AwsContext

    session = boto3.Session()  # shared: its loader cache makes new clients cheap

    def make(context_class: type = AwsContext, **kwargs: object) -> AwsContext:
        return context_class(session=session, region="us-east-1", target="endpoint", endpoint_url=None, **kwargs)

    return make
