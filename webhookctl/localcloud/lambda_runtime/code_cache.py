"""Uploaded zips extracted once per content hash, and the import path a worker gets."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from webhookctl.localcloud.lambda_runtime.functions import FunctionSpec

# What AWS's Python runtime itself puts on the path (/var/runtime): the SDK and its dependencies.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


class CodeCache:
    """Extracts function and layer zips under `root`, keyed by their sha256."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._runtime_dir: Path | None = None

    def import_path(self, spec: FunctionSpec) -> list[str]:
        """Task root first, then the layers as /opt/python would hold them, then the runtime's SDK."""
        task_root = self._extract("code", spec.code_sha256, spec.code_zip)
        path = [str(task_root)]
        # Layers are extracted over each other into /opt in order, so a later layer wins a conflict.
        for layer in reversed(spec.layers):
            opt = self._extract("layers", layer.sha256, layer.zip_bytes)
            python = opt / "python"
            path += [str(python / "lib" / f"python{_runtime_version(spec.runtime)}" / "site-packages"), str(python)]
        path.append(str(self.runtime_dir()))
        return path

    def runtime_dir(self) -> Path:
        """Links to the host's SDK packages, standing in for /var/runtime."""
        with self._lock:
            if self._runtime_dir is not None:
                return self._runtime_dir
            target = self.root / "runtime"
            target.mkdir(parents=True, exist_ok=True)
            for package in RUNTIME_PACKAGES:
                source = _package_source(package)
                if source is None:
                    continue
                link = target / source.name
                if not link.exists():
                    try:
                        link.symlink_to(source, target_is_directory=source.is_dir())
                    except FileExistsError:
                        pass
            self._runtime_dir = target
            return target

    def _extract(self, kind: str, sha256: str, zip_bytes: bytes) -> Path:
        target = self.root / kind / sha256
        if target.is_dir():
            return target
        with self._lock:
            if target.is_dir():
                return target
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".extract-"))
            try:
                with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
                    archive.extractall(staging)
                    _restore_modes(archive, staging)
                os.replace(staging, target)
            except Exception:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return target


def _runtime_version(runtime: str) -> str:
    digits = runtime.removeprefix("python")
    return digits if digits else "3.11"


def _package_source(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(spec.origin) if spec.origin else None


def _restore_modes(archive: zipfile.ZipFile, root: Path) -> None:
    for info in archive.infolist():
        mode = (info.external_attr >> 16) & 0o777
        if mode and not info.is_dir():
            os.chmod(root / info.filename, mode | 0o400)
