"""Load each Lambda handler by file path, with only its folder and the layer on the import path.

All three entry points are named handler.py, so every test gets a fresh copy, and the modules of
the handler folders (and the runtime layer package, which caches boto3 clients) are forgotten after.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
HANDLERS = REPO / "handlers"
LAYER = REPO / "layer"
_FORGET_UNDER = (str(HANDLERS), str(LAYER / "webhook_runtime"))


def forget_handler_modules() -> None:
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None) or ""
        if origin.startswith(_FORGET_UNDER):
            del sys.modules[name]


def load_handler_module(package: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    forget_handler_modules()
    monkeypatch.syspath_prepend(str(LAYER))
    monkeypatch.syspath_prepend(str(HANDLERS / package))
    return importlib.import_module("handler")
