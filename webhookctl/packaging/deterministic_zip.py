"""Zip files so the same inputs give the same bytes: sorted entries, fixed times, modes and compression."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

from webhookctl.packaging.result import Artifact

# The earliest time a zip entry can hold; the real mtimes would make every checkout differ.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESSION = zipfile.ZIP_DEFLATED
LEVEL = 9
_FILE_MODE = 0o644
_EXEC_MODE = 0o755


def files_under(root: Path, prefix: str = "") -> dict[str, Path]:
    """Every regular file below `root`, keyed by its archive name (`prefix` + relative POSIX path)."""
    entries: dict[str, Path] = {}
    top = os.fspath(root)
    for folder, dirs, names in os.walk(top):
        dirs.sort()
        # String paths: a site holds thousands of files, and pathlib's per-path parsing was most of this walk.
        below = os.path.relpath(folder, top)
        base = prefix if below == os.curdir else prefix + below.replace(os.sep, "/") + "/"
        for name in names:
            full = os.path.join(folder, name)
            if os.path.isfile(full):
                entries[base + name] = Path(full)
    return entries


def write_zip(entries: dict[str, Path], dest: Path) -> Artifact:
    """Write `entries` (archive name -> file) to `dest` and describe the result."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    content = hashlib.sha256()
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(entries):
            info = _entry(name, entries[name])
            data = entries[name].read_bytes()
            archive.writestr(info, data, compress_type=COMPRESSION, compresslevel=LEVEL)
            content.update(f"{name}\0{info.external_attr >> 16:o}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    partial.replace(dest)
    return describe(dest, content.hexdigest())


def describe(path: Path, content_sha256: str) -> Artifact:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return Artifact(path=path, bytes=path.stat().st_size, sha256=digest.hexdigest(), content_sha256=content_sha256)


def _entry(name: str, source: Path) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.create_system = 3  # unix, so the mode below is honoured when Lambda unpacks the zip
    executable = source.stat().st_mode & stat.S_IXUSR
    info.external_attr = (stat.S_IFREG | (_EXEC_MODE if executable else _FILE_MODE)) << 16
    return info

