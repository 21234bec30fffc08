"""`up --outputs-file`: the path is made ready before the first write, so a deploy never ends on a bad path."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from webhookctl.errors import UsageError, WebhookctlError


def prepare_outputs_file(path: Path) -> Path:
    """Create the file's missing parent folders; UsageError (exit 2) when it could not be written."""
    if path.is_dir():
        raise UsageError(f"--outputs-file {path} is a folder; give a file path")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"--outputs-file {path}: {_first_file(parent)} is a file, not a folder") from None
    except OSError as exc:
        raise UsageError(f"--outputs-file {path}: cannot create {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--outputs-file {path} is not writable")
    return path


def write_outputs_file(path: Path, outputs: Any) -> None:
    """Write the outputs as one JSON document; WebhookctlError (exit 1) when it cannot be written."""
    try:
        path.write_text(json.dumps(outputs, indent=2) + "\n")
    except OSError as exc:
        raise WebhookctlError(f"cannot write {path}: {exc.strerror}") from None


def _first_file(folder: Path) -> Path:
    """The part of `folder` that exists but is not a folder (what stopped mkdir)."""
    for candidate in [*reversed(folder.parents), folder]:
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return folder
