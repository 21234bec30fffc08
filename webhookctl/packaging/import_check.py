"""Does every import in the function code, and in the shared layer packages it reaches, resolve on Lambda?

On Lambda the import path is the stdlib, the function zip and the layer's `python/` folder, nothing else.
A module found nowhere there is the original production 502 (aws_xray_sdk missing from the layer).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from webhookctl.packaging.module_index import ModuleIndex
from webhookctl.packaging.result import ImportCheck, Missing
from webhookctl.packaging.source_scan import Import, scan

STDLIB = frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names) | {"__future__"}

# Import names whose distribution is not simply the name with dashes; checked after installed metadata.
_KNOWN_DISTRIBUTIONS = {
    "yaml": "PyYAML",
    "jwt": "PyJWT",
    "dateutil": "python-dateutil",
    "Crypto": "pycryptodome",
    "nacl": "PyNaCl",
    "OpenSSL": "pyOpenSSL",
    "google": "protobuf",
    "attr": "attrs",
}


@dataclass(frozen=True)
class CodeFolder:
    """Own code: a function's folder (zipped at its root) or a shared package shipped in the layer."""

    label: str  # how reports name its files, e.g. "webhook_receiver"
    root: Path  # the folder holding the code
    in_layer: bool

    def python_files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*.py") if "__pycache__" not in p.parts)

    def display(self, path: Path) -> str:
        return f"{self.label}/{path.relative_to(self.root).as_posix()}"


def check_imports(
    functions: dict[str, tuple[CodeFolder, ModuleIndex]],
    shared: dict[str, CodeFolder],
    layer: ModuleIndex,
    requirements_label: str,
) -> ImportCheck:
    """`functions`: key -> (its code, what its zip holds); `shared`: top-level name -> layer package source."""
    nothing = ModuleIndex(())  # layer code sees only the layer (and the stdlib)
    reached_by: dict[str, set[str]] = {name: set() for name in shared}
    found: dict[tuple[str, str, int], tuple[Missing, set[str]]] = {}

    def record(folder: CodeFolder, path: Path, imp: Import, problem: tuple[str, str], function: str | None) -> None:
        module, fix = problem
        key = (module, folder.display(path), imp.line)
        if key not in found:
            found[key] = (Missing(module, folder.display(path), imp.line, fix), set())
        if function:
            found[key][1].add(function)

    for function, (code, own) in functions.items():
        pending = [code]
        seen: set[str] = set()
        while pending:
            folder = pending.pop()
            for path in folder.python_files():
                for imp in scan(path).imports:
                    problem = _resolve(imp, nothing if folder.in_layer else own, layer, requirements_label)
                    if problem:
                        record(folder, path, imp, problem, function)
                    elif imp.top in shared and imp.top not in seen and not own.has(imp.top):
                        seen.add(imp.top)
                        reached_by[imp.top].add(function)
                        pending.append(shared[imp.top])

    # Shared packages nothing reaches still ship in the layer: a broken import there is a latent 502.
    for name, folder in shared.items():
        if reached_by[name]:
            continue
        for path in folder.python_files():
            for imp in scan(path).imports:
                problem = _resolve(imp, nothing, layer, requirements_label)
                if problem:
                    record(folder, path, imp, problem, None)

    order = {name: index for index, name in enumerate(functions)}

    def reading_order(item: tuple[Missing, set[str]]) -> tuple[int, str, int, str]:
        missing, users = item
        return (min((order[f] for f in users), default=len(order)), missing.imported_by, missing.line, missing.module)

    missing = tuple(
        Missing(m.module, m.imported_by, m.line, m.fix, tuple(sorted(users, key=order.__getitem__)))
        for m, users in sorted(found.values(), key=reading_order)
    )
    return ImportCheck(ok=not missing, missing=missing)


def _resolve(imp: Import, own: ModuleIndex, layer: ModuleIndex, requirements_label: str) -> tuple[str, str] | None:
    """None when `imp` resolves; otherwise (the module that is missing, how to fix it)."""
    if imp.top in STDLIB:
        return None
    for index, where in ((own, "the function code"), (layer, "the layer")):
        if index.has(imp.top):
            if index.has(imp.module):
                return None
            return imp.module, f"'{imp.module}' is not in {where} although '{imp.top}' is: fix the import, or check the version pinned for {imp.top}"
    return imp.top, f"add {distribution_for(imp.top)} to {requirements_label}"


def distribution_for(module: str) -> str:
    """The pip name that provides top-level `module` (installed metadata first, then known names)."""
    from importlib.metadata import packages_distributions

    names = packages_distributions().get(module)
    if names:
        return sorted(names)[0]
    return _KNOWN_DISTRIBUTIONS.get(module, module.replace("_", "-"))
