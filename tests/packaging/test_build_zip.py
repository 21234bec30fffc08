"""Deterministic zips: the same files give the same bytes, whatever their timestamps."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from webhookctl.packaging.deterministic_zip import FIXED_TIME, files_under, write_zip


def _tree(root: Path) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "b.py").write_text("B = 1\n")
    (root / "a.py").write_text("A = 1\n")
    (root / "tool.sh").write_text("#!/bin/sh\n")
    (root / "tool.sh").chmod(0o775)


def test_same_files_give_the_same_bytes_despite_new_timestamps(tmp_path: Path) -> None:
    _tree(tmp_path / "src")
    first = write_zip(files_under(tmp_path / "src"), tmp_path / "one.zip")
    for path in (tmp_path / "src").rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    second = write_zip(files_under(tmp_path / "src"), tmp_path / "two.zip")
    assert first.sha256 == second.sha256
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()


def test_entries_are_sorted_with_fixed_time_mode_and_compression(tmp_path: Path) -> None:
    _tree(tmp_path / "src")
    write_zip(files_under(tmp_path / "src", "python/"), tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["python/a.py", "python/pkg/b.py", "python/tool.sh"]
    assert {i.date_time for i in infos} == {FIXED_TIME}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
    assert modes == {"python/a.py": 0o644, "python/pkg/b.py": 0o644, "python/tool.sh": 0o755}


def test_content_change_changes_the_hash(tmp_path: Path) -> None:
    _tree(tmp_path / "src")
    before = write_zip(files_under(tmp_path / "src"), tmp_path / "out.zip")
    (tmp_path / "src" / "a.py").write_text("A = 2\n")
    after = write_zip(files_under(tmp_path / "src"), tmp_path / "out.zip")
    assert before.sha256 != after.sha256
    assert after.bytes == (tmp_path / "out.zip").stat().st_size


def test_content_hash_ignores_how_the_bytes_were_compressed(tmp_path: Path, monkeypatch) -> None:
    _tree(tmp_path / "src")
    (tmp_path / "src" / "big.txt").write_text("".join(f"webhook {n} {n * n}\n" for n in range(5000)))
    best = write_zip(files_under(tmp_path / "src"), tmp_path / "best.zip")
    monkeypatch.setattr("webhookctl.packaging.deterministic_zip.LEVEL", 1)
    fast = write_zip(files_under(tmp_path / "src"), tmp_path / "fast.zip")
    assert fast.sha256 != best.sha256
    assert fast.content_sha256 == best.content_sha256


def test_module_index_reads_paths_as_pure_posix_paths_do():
    from pathlib import PurePosixPath

    from webhookctl.packaging.module_index import ModuleIndex

    names = ["a/b/c.py", "a/__init__.py", "x/.py", "y.", "z/ext.cpython-311-x86_64-linux-gnu.so", "w.abi3.pyd", "top.py", "data/file.txt", "n/m/"]
    expected = set()
    for name in names:
        path = PurePosixPath(name)
        expected.update(parent.as_posix() for parent in list(path.parents)[:-1])
        if path.suffix == ".py":
            expected.add(path.with_suffix("").as_posix())
        elif path.suffix in (".so", ".pyd"):
            expected.add(path.with_name(path.name.split(".", 1)[0]).as_posix())
    assert ModuleIndex(names)._modules - {"n/m"} == expected - {"n/m"}
    assert ModuleIndex(names).has("a.b.c") and ModuleIndex(names).has("z.ext") and not ModuleIndex(names).has("y")
