"""One process's state folder: a lock, the snapshot, the journals that follow it, and large values as blobs."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webhookctl.localcloud.persistence.journal import DamagedState, frame, unframe

MAGIC = b"webhookctl-local-state 1\n"
# Values this large (function and layer zips) are kept once, by content, outside the snapshot.
BLOB_MIN_BYTES = 256 * 1024


@dataclass(frozen=True)
class Snapshot:
    generation: int  # the snapshot holds every change journaled before journal `generation`
    header: dict[str, Any]
    payload: bytes


class StateDir:
    def __init__(self, root: Path):
        self.root = root
        self.snapshot_path = root / "snapshot"
        self.blobs = root / "blobs"
        self._lock_handle: Any = None

    def lock(self, timeout_s: float = 15.0) -> None:
        """Hold the folder for this process's life; waits while a previous process finishes its last snapshot."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / "lock", "w")
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise DamagedState(f"{self.root} is still held by another local cloud process") from None
                time.sleep(0.05)
        self._lock_handle = handle

    def wipe(self) -> None:
        """Forget everything saved here (the lock file stays, it is held)."""
        for entry in self.root.iterdir() if self.root.is_dir() else ():
            if entry.name == "lock":
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def journal_path(self, generation: int) -> Path:
        return self.root / f"journal-{generation:08d}"

    def journals(self, since: int) -> list[tuple[int, Path]]:
        found = []
        for path in self.root.glob("journal-*"):
            with contextlib.suppress(ValueError):
                number = int(path.name.split("-", 1)[1])
                if number >= since:
                    found.append((number, path))
        return sorted(found)

    def read_snapshot(self) -> Snapshot | None:
        try:
            data = self.snapshot_path.read_bytes()
        except FileNotFoundError:
            return None
        where = f"{self.snapshot_path}"
        if not data.startswith(MAGIC):
            raise DamagedState(f"{where} is not a saved local cloud state")
        records = list(unframe(data[len(MAGIC):], where))
        if len(records) != 2:
            raise DamagedState(f"{where} is incomplete")
        try:
            header = json.loads(records[0])
            return Snapshot(int(header["generation"]), header, records[1])
        except (ValueError, KeyError, TypeError) as exc:
            raise DamagedState(f"{where} has an unreadable header ({exc})") from None

    def write_snapshot(self, generation: int, header: dict[str, Any], payload: bytes) -> None:
        """Atomically: the new snapshot, or (after a crash) the previous one, never half of one."""
        document = json.dumps({**header, "generation": generation}).encode()
        tmp = self.root / f".snapshot-{generation}.tmp"
        with open(tmp, "wb") as out:
            out.write(MAGIC + frame(document) + frame(payload))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.snapshot_path)

    def forget_before(self, generation: int, blobs_in_use: set[str]) -> None:
        for number, path in self.journals(0):
            if number < generation:
                path.unlink(missing_ok=True)
        if self.blobs.is_dir():
            for blob in self.blobs.iterdir():
                if blob.name not in blobs_in_use and not blob.name.endswith(".tmp"):
                    blob.unlink(missing_ok=True)

    # -- blobs ---------------------------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.blobs / digest
        if not path.exists():
            self.blobs.mkdir(parents=True, exist_ok=True)
            tmp = self.blobs / f"{digest}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return digest

    def get_blob(self, digest: str) -> bytes:
        try:
            data = (self.blobs / digest).read_bytes()
        except FileNotFoundError:
            raise DamagedState(f"{self.blobs / digest} is missing") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise DamagedState(f"{self.blobs / digest} is damaged")
        return data
