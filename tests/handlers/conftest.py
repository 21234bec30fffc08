"""Fixtures for the Lambda handler tests."""

from __future__ import annotations

from types import ModuleType
from typing import Callable, Iterator

import pytest

from tests.handlers.handler_loading import forget_handler_modules, load_handler_module


@pytest.fixture
def load_handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ModuleType]]:
    """load_handler("webhook_receiver") -> a fresh handler module, as a new Lambda container would load it."""
    yield lambda package: load_handler_module(package, monkeypatch)
    forget_handler_modules()
