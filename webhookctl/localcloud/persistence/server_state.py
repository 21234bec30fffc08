"""The server's saved state: moto's backends (DynamoDB's live in the table process) and the runtime's."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webhookctl.localcloud.moto_bridge import state as moto_state
from webhookctl.localcloud.persistence import requests, rules
from webhookctl.localcloud.persistence.durable import DurableState, Restored, StateParts
from webhookctl.localcloud.persistence.runtime_state import RuntimeState
from webhookctl.localcloud.persistence.store import StateDir

SERVER_FOLDER = "server"
TABLES_FOLDER = "tables"
# Stream iterators are per connection: nothing to keep.
_NOT_SAVED = ("dynamodbstreams",)


def state_root(work_dir: Path) -> Path:
    return work_dir / "state"


def kept_in_memory() -> bool:
    """WEBHOOKCTL_LOCAL_STATE=memory saves nothing (to measure what saving costs)."""
    return os.environ.get("WEBHOOKCTL_LOCAL_STATE", "disk") == "memory"


@dataclass
class ServerState:
    app: Any  # the server's WSGI app, journaling
    durable: DurableState | None
    runtime_state: RuntimeState | None
    restored: Restored | None

    def resume(self) -> int:
        """Once the runtime runs: hand on the async events accepted before the restart."""
        return self.runtime_state.resubmit() if self.runtime_state is not None else 0

    def close(self) -> None:
        if self.durable is not None:
            self.durable.close()


class _ServerParts:
    """What the server saves; the app and the runtime are given once they exist (after the snapshot is read)."""

    def __init__(self) -> None:
        self.app: Any = None
        self.runtime: RuntimeState | None = None
        self.leave_out: tuple[str, ...] = _NOT_SAVED

    def capture(self) -> dict[str, Any]:
        runtime_part = self.runtime.capture() if self.runtime is not None else {}
        return {"moto": moto_state.backend_state(leave_out=self.leave_out), "runtime": runtime_part}

    def restore(self, saved: dict[str, Any]) -> None:
        moto_state.restore_backends(saved["moto"])
        if self.runtime is not None:
            self.runtime.restore(saved.get("runtime", {}))

    def redo(self, entry: tuple) -> None:
        kind = entry[0]
        if kind == "request":
            requests.replay(self.app, entry[1])
        elif kind.startswith(("logs.", "sqs.")):
            moto_state.apply_effect(entry)
        elif self.runtime is not None:
            self.runtime.redo(entry)


@dataclass
class LoadedServerState:
    """The server's snapshot read into objects, not yet restored (`open_server_state` does that)."""

    durable: DurableState
    parts: _ServerParts


def load_server_state(work_dir: Path, *, fresh: bool) -> LoadedServerState | None:
    """Read the server's saved state; None when it is kept in memory only."""
    if kept_in_memory():
        return None
    parts = _ServerParts()
    folder = StateDir(state_root(work_dir) / SERVER_FOLDER)
    durable = DurableState(folder, StateParts(parts.capture, parts.restore, parts.redo), journal_limit=5000)
    durable.load(fresh=fresh)
    return LoadedServerState(durable, parts)


def open_server_state(work_dir: Path, app: Any, runtime: Any, *, tables_elsewhere: bool, fresh: bool,
                      loaded: LoadedServerState | None = None) -> ServerState:
    """Restore the saved state (read by `load_server_state`, or now) into moto and the runtime, then journal every change `app` makes."""
    loaded = loaded or load_server_state(work_dir, fresh=fresh)
    if loaded is None:
        return ServerState(app, None, None, None)
    durable, parts = loaded.durable, loaded.parts
    parts.app = app
    parts.leave_out = _NOT_SAVED + (("dynamodb",) if tables_elsewhere else ())
    if runtime is not None and hasattr(runtime, "keep_state_with"):
        parts.runtime = RuntimeState(durable, runtime)
        runtime.keep_state_with(parts.runtime)
    moto_state.hook_effects(durable.record, durable.guard)
    restored = durable.open(fresh=fresh)
    wrapped = requests.DurableApp(app, durable, rules.server_kind(tables_elsewhere))
    return ServerState(wrapped, durable, parts.runtime, restored)


def open_table_state(work_dir: Path, service: Any, *, fresh: bool) -> tuple[Any, DurableState | None, Restored | None]:
    """The table process's: moto's DynamoDB, with item writes journaled as requests."""
    if kept_in_memory():
        return service, None, None
    def capture() -> dict[str, Any]:
        return {"moto": moto_state.backend_state(only=("dynamodb",))}

    def restore(saved: dict[str, Any]) -> None:
        moto_state.restore_backends(saved["moto"])

    def redo(entry: tuple) -> None:
        if entry[0] == "request":
            status = requests.replay(service, entry[1])
            if not status.startswith("2"):
                raise RuntimeError(f"the table answered {status} on replay")

    # Items are small (at most 400 KB each): no blobs, so the snapshot pickles at C speed.
    durable = DurableState(StateDir(state_root(work_dir) / TABLES_FOLDER), StateParts(capture, restore, redo), journal_limit=1000, blobs=False)
    restored = durable.open(fresh=fresh)
    return requests.DurableApp(service, durable, rules.table_process_kind), durable, restored
