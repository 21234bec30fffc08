"""Printing log lines as they arrive, shared by `audit tail` and `logs` (follow mode prints JSON lines)."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from webhookctl.cli.console import info, write_document


def stream_items(items: Iterable[Any], output: str, render: Callable[[Any], None]) -> int:
    """Print each item as it comes (-o json: one JSON object per line); Ctrl-C stops cleanly."""
    shown = 0
    try:
        for item in items:
            if output == "json":
                write_document(json.dumps(item.to_json()) + "\n")
            else:
                render(item)
            shown += 1
    except KeyboardInterrupt:
        info("stopped")
    return shown
