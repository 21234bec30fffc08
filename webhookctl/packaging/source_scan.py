"""What Python code asks for, read from its syntax tree: imported modules and AWS service clients."""

from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from webhookctl.errors import WebhookctlError


@dataclass(frozen=True)
class Import:
    """An absolute import: `module` is the dotted name that must exist; `line` is where it is written."""

    module: str
    line: int

    @property
    def top(self) -> str:
        return self.module.split(".", 1)[0]


@dataclass(frozen=True)
class Scan:
    """What one source file asks for: its imports and the AWS services it makes clients for."""

    imports: tuple[Import, ...]
    services: frozenset[str]


_scans: dict[str, Scan] = {}  # by the sha256 of a file's bytes, for this process


def scan(path: Path, memo_dir: Path | None = None) -> Scan:
    """imports_of and aws_services_of for `path`, parsed once per content (kept in `memo_dir` across runs)."""
    data = _read(path)
    key = hashlib.sha256(data).hexdigest()
    found = _scans.get(key) or (_read_memo(memo_dir / key[:2] / f"{key}.json") if memo_dir else None)
    if found is None:
        tree = _parse_bytes(data, path)
        found = Scan(tuple(imports_of(tree)), frozenset(aws_services_of(tree)))
        if memo_dir:
            _write_memo(memo_dir / key[:2] / f"{key}.json", found)
    _scans[key] = found
    return found


def memo_dir_under(root: Path) -> Path:
    """Where scans are kept under a cache root: by this module's own source, so a changed scanner starts afresh."""
    return root / "scans" / hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _read_memo(path: Path) -> Scan | None:
    try:
        document = json.loads(path.read_text())
        return Scan(tuple(Import(module, int(line)) for module, line in document["imports"]), frozenset(document["services"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_memo(path: Path, found: Scan) -> None:
    document = {"imports": [[i.module, i.line] for i in found.imports], "services": sorted(found.services)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(document))
        partial.replace(path)
    except OSError:
        pass  # the memo only saves time


def _parse_bytes(data: bytes, path: Path) -> ast.Module:
    try:
        return ast.parse(data, filename=str(path))
    except SyntaxError as exc:
        raise WebhookctlError(f"{path}:{exc.lineno}: syntax error: {exc.msg}", hint="Lambda could not import this file either") from None
    except ValueError as exc:  # e.g. null bytes in the source
        raise _unreadable(path, exc) from None


def parse(path: Path) -> ast.Module:
    return _parse_bytes(_read(path), path)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> WebhookctlError:
    return WebhookctlError(f"cannot read {path}: {exc}")


def imports_of(tree: ast.Module) -> list[Import]:
    """Every absolute import anywhere in the file, including inside functions and try blocks.

    `from a.b import c` needs `a.b` (c may be a name, not a module); relative imports stay inside the
    package, so they need nothing from outside it. `importlib.import_module("x")` with a literal counts too.
    """
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(Import(node.module, node.lineno))
        elif isinstance(node, ast.Call) and _called_name(node) in ("import_module", "__import__"):
            literal = _first_literal(node)
            if literal and not literal.startswith("."):
                found.append(Import(literal, node.lineno))
    return sorted(set(found), key=lambda i: (i.line, i.module))


def aws_services_of(tree: ast.Module) -> set[str]:
    """Service names passed as literals to `client(...)` / `resource(...)` (e.g. boto3.client("sqs"))."""
    services: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node) in ("client", "resource"):
            literal = _first_literal(node, keyword="service_name")
            if literal:
                services.add(literal)
    return services


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _first_literal(call: ast.Call, keyword: str = "name") -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            return kw.value.value
    return None
