"""Remove what Lambda never reads from an installed requirements folder."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

# AWS SDK model folders are most of a naive layer; only the services the code calls are kept.
SDK_DATA_DIRS = ("botocore/data", "boto3/data")
_BYTECODE = ("__pycache__",)
_TEST_DIRS = ("tests", "test")
_DOC_DIRS = ("docs", "doc", "examples")  # only when not a Python package (botocore.docs is imported at runtime)
_DROP_SUFFIXES = (".pyc", ".pyo", ".pyi")
_DROP_NAMES = ("py.typed",)
# dist-info keeps METADATA (importlib.metadata reads it), entry points, top-level names and licenses.
_DIST_INFO_CLUTTER = ("RECORD", "INSTALLER", "REQUESTED", "WHEEL", "direct_url.json")


@dataclass
class PruneStats:
    files: int = 0
    bytes: int = 0

    def drop(self, path: Path) -> None:
        if path.is_dir():
            for child in path.rglob("*"):
                if child.is_file():
                    self.files += 1
                    self.bytes += child.stat().st_size
            shutil.rmtree(path)
        elif path.exists():
            self.files += 1
            self.bytes += path.stat().st_size
            path.unlink()


def prune_site(root: Path, keep_services: frozenset[str]) -> PruneStats:
    """Prune `root` (the layer's `python/` folder) in place; `keep_services` are botocore service names."""
    stats = PruneStats()
    stats.drop(root / "bin")  # console scripts: nothing on Lambda runs them
    for data in SDK_DATA_DIRS:
        models = root / data
        if models.is_dir():
            for service in sorted(p for p in models.iterdir() if p.is_dir()):
                if service.name not in keep_services:
                    stats.drop(service)
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts)):
        if not folder.exists():
            continue  # inside a folder already removed
        if folder.name in _BYTECODE or folder.name in _TEST_DIRS:
            stats.drop(folder)
        elif folder.name in _DOC_DIRS and not (folder / "__init__.py").exists():
            stats.drop(folder)
        elif folder.name.endswith(".dist-info"):
            for name in _DIST_INFO_CLUTTER:
                stats.drop(folder / name)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix in _DROP_SUFFIXES or path.name in _DROP_NAMES:
            stats.drop(path)
    return stats
