"""Which dotted module names a set of files (a zip's contents, or sys.path entries) can import."""

from __future__ import annotations

from typing import Iterable

_SOURCE_SUFFIXES = (".py",)
_EXTENSION_SUFFIXES = (".so", ".pyd")


class ModuleIndex:
    """Built from relative POSIX file paths; a module exists as `a/b.py`, `a/b/` or an extension `a/b.*.so`."""

    def __init__(self, files: Iterable[str]):
        # Plain string work (no PurePosixPath per file): a layer lists thousands of files on every build.
        self._modules: set[str] = set()
        for name in files:
            parts = name.split("/")
            for end in range(1, len(parts)):
                self._modules.add("/".join(parts[:end]))  # packages and namespace packages
            stem = _module_stem(name, parts[-1])
            if stem is not None:
                self._modules.add(stem)

    def has(self, dotted: str) -> bool:
        return dotted.replace(".", "/") in self._modules

    def top_level(self) -> set[str]:
        return {name for name in self._modules if "/" not in name}


def _module_stem(name: str, base: str) -> str | None:
    """`name` without its module suffix; `base` is its last part (suffixes as PurePosixPath reads them)."""
    dot = base.rfind(".")
    suffix = base[dot:] if 0 < dot < len(base) - 1 else ""
    if suffix in _SOURCE_SUFFIXES:
        return name[: -len(suffix)]
    if suffix in _EXTENSION_SUFFIXES:
        # foo.cpython-311-aarch64-linux-gnu.so and foo.abi3.so both provide module foo
        return name[: len(name) - len(base)] + base.split(".", 1)[0]
    return None
