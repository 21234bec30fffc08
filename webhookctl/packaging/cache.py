"""Build cache under WEBHOOKCTL_CACHE (default ~/.cache/webhookctl), keyed by a hash of every input."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from webhookctl.packaging.result import BuildResult, manifest_text, result_from_manifest

_MANIFEST = "manifest.json"
_COMPLETE = ".complete"
# Least recently used entries beyond these counts are removed: a build is ~10 MB, an installed site ~40 MB.
KEEP_BUILDS = 24
KEEP_SITES = 6
KEEP_LAYERS = 6
_LAYER_RECORD = "layer.json"


def cache_root() -> Path:
    configured = os.environ.get("WEBHOOKCTL_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "webhookctl"


class InputHash:
    """A sha256 over labelled parts, so moving bytes between parts changes the key."""

    def __init__(self, kind: str):
        self._digest = hashlib.sha256(kind.encode())

    def add(self, label: str, data: bytes | str) -> InputHash:
        raw = data.encode() if isinstance(data, str) else data
        self._digest.update(f"\0{label}\0{len(raw)}\0".encode() + raw)
        return self

    def add_files(self, label: str, files: dict[str, Path]) -> InputHash:
        for name in sorted(files):
            mode = "x" if os.access(files[name], os.X_OK) else "-"
            self.add(f"{label}:{name}:{mode}", files[name].read_bytes())
        return self

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class BuildCache:
    """Two levels: installed+pruned requirements per (target, lock), and finished builds per input hash."""

    def __init__(self, root: Path):
        self.root = root

    def site(self, key: str) -> Path | None:
        """The cached `python/` folder for `key`, when a complete one exists."""
        folder = self.root / "site" / key
        if not (folder / _COMPLETE).exists():
            return None
        _mark_used(folder)
        return folder / "python"

    def new_site(self, key: str) -> Path:
        """A scratch folder to install into; `commit_site` publishes it."""
        (self.root / "site").mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=self.root / "site"))

    def commit_site(self, key: str, scratch: Path) -> Path:
        (scratch / _COMPLETE).write_text("")
        final = _publish(scratch, self.root / "site" / key)
        _trim(self.root / "site", KEEP_SITES, keep=final)
        return final / "python"

    def layer_zip(self, key: str) -> tuple[Path, dict[str, str]] | None:
        """A finished layer zip for `key` and its record (bytes, sha256, content_sha256), when one exists.

        Builds that differ only in function code share their layer: zipping it is most of a build.
        """
        folder = self.root / "layers" / key
        try:
            record = json.loads((folder / _LAYER_RECORD).read_text())
        except (OSError, ValueError):
            return None
        _mark_used(folder)
        return folder / "layer.zip", record

    def keep_layer_zip(self, key: str, zip_path: Path, record: dict[str, str]) -> None:
        """Keep a copy of a freshly written layer zip under `key` (the record is written last)."""
        (self.root / "layers").mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=self.root / "layers"))
        shutil.copyfile(zip_path, scratch / "layer.zip")
        (scratch / _LAYER_RECORD).write_text(json.dumps(record))
        final = _publish(scratch, self.root / "layers" / key)
        _trim(self.root / "layers", KEEP_LAYERS, keep=final)

    def build(self, key: str) -> BuildResult | None:
        folder = self.root / "builds" / key
        try:
            result = result_from_manifest((folder / _MANIFEST).read_text(), folder)
        except (OSError, ValueError, KeyError):
            return None
        _mark_used(folder)
        return result

    def new_build(self, key: str) -> Path:
        (self.root / "builds").mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=self.root / "builds"))

    def commit_build(self, key: str, scratch: Path, result: BuildResult) -> BuildResult:
        # The manifest is written last: an entry without one is ignored by `build`.
        (scratch / _MANIFEST).write_text(manifest_text(result))
        folder = _publish(scratch, self.root / "builds" / key)
        _trim(self.root / "builds", KEEP_BUILDS, keep=folder)
        return result_from_manifest((folder / _MANIFEST).read_text(), folder)


def _publish(scratch: Path, final: Path) -> Path:
    """Move `scratch` to `final` atomically; if a concurrent build got there first, keep theirs."""
    try:
        scratch.rename(final)
    except OSError:
        if not final.exists():
            raise
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def _mark_used(folder: Path) -> None:
    try:
        os.utime(folder)
    except OSError:
        pass  # a read-only cache still serves hits; it just forgets which were recent


def _trim(kind: Path, count: int, *, keep: Path) -> None:
    """Remove the least recently used finished entries of `kind` beyond `count` (never `keep`)."""
    entries = [p for p in kind.iterdir() if p.is_dir() and not p.name.startswith(".") and p != keep]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    discard(entries[max(count - 1, 0):])


def discard(folders: Iterable[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
