"""Which dotted module names a set of files (a zip's contents, or sys.path entries) can import."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable

_SOURCE_SUFFIXES = (".py",)
_EXTENSION_SUFFIXES = (".so", ".pyd")


class ModuleIndex:
    """Built from relative POSIX file paths; a module exists as `a/b.py`, `a/b/` or an extension `a/b.*.so`."""

    def __init__(self, files: Iterable[str]):
        self._modules: set[str] = set()
        for name in files:
            path = PurePosixPath(name)
            for parent in list(path.parents)[:-1]:
                self._modules.add(parent.as_posix())  # packages and namespace packages
            stem = _module_stem(path)
            if stem is not None:
                self._modules.add(stem)

    def has(self, dotted: str) -> bool:
        return dotted.replace(".", "/") in self._modules

    def top_level(self) -> set[str]:
        return {name for name in self._modules if "/" not in name}


def _module_stem(path: PurePosixPath) -> str | None:
    if path.suffix in _SOURCE_SUFFIXES:
        return path.with_suffix("").as_posix()
    if path.suffix in _EXTENSION_SUFFIXES:
        # foo.cpython-311-aarch64-linux-gnu.so and foo.abi3.so both provide module foo
        return path.with_name(path.name.split(".", 1)[0]).as_posix()
    return None

