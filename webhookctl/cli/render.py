"""Print a command's result as human text or as exactly one JSON document."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Callable

from webhookctl.cli.console import write_document


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_json"):
            return value.to_json()
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def emit(result: Any, output: str, text: Callable[[Any], None]) -> None:
    """JSON to stdout for `-o json`; otherwise call the command's text renderer."""
    if output == "json":
        write_document(json.dumps(to_jsonable(result), indent=2, sort_keys=False, default=str) + "\n")
    else:
        text(result)
