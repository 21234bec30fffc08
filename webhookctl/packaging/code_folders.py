"""The code that goes into zips: each function's handler package, and the shared layer packages."""

from __future__ import annotations

from pathlib import Path

from webhookctl import exit_codes
from webhookctl.packaging.deterministic_zip import files_under
from webhookctl.packaging.import_check import CodeFolder
from webhookctl.config import FUNCTIONS
from webhookctl.errors import UsageError, WebhookctlError
from webhookctl.names import HANDLER_PACKAGES

HANDLER_MODULE = "handler.py"


def function_folders(handlers: Path) -> dict[str, CodeFolder]:
    """receiver/processor/audit -> handlers/<package>/; every one must have a handler.py."""
    if not handlers.is_dir():
        raise UsageError(f"handlers folder not found: {handlers}", hint="set [build] handlers_dir in webhookctl.toml")
    absent = [f"{HANDLER_PACKAGES[key]}/{HANDLER_MODULE} (function {key})" for key in FUNCTIONS if not (handlers / HANDLER_PACKAGES[key] / HANDLER_MODULE).is_file()]
    if absent:
        raise WebhookctlError(
            f"missing handler code in {handlers}: {', '.join(absent)}",
            code=exit_codes.USAGE,
            hint="each function's package needs a handler.py defining handler(event, context)",
        )
    return {key: CodeFolder(HANDLER_PACKAGES[key], handlers / HANDLER_PACKAGES[key], in_layer=False) for key in FUNCTIONS}


def shared_folders(packages: list[Path]) -> dict[str, CodeFolder]:
    return {path.name: CodeFolder(path.name, path, in_layer=True) for path in packages}


def shippable_files(root: Path, prefix: str = "") -> dict[str, Path]:
    """Files of own code to zip: everything but bytecode, which differs per machine and per run."""
    return {
        name: path
        for name, path in files_under(root, prefix).items()
        if "__pycache__" not in name.split("/") and not name.endswith((".pyc", ".pyo"))
    }
