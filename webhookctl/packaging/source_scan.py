"""What Python code asks for, read from its syntax tree: imported modules and AWS service clients."""

from __future__ import annotations

import ast
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


def parse(path: Path) -> ast.Module:
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        raise WebhookctlError(f"{path}:{exc.lineno}: syntax error: {exc.msg}", hint="Lambda could not import this file either") from None
    except (OSError, ValueError) as exc:
        raise WebhookctlError(f"cannot read {path}: {exc}") from None


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
