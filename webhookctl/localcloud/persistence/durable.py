"""DurableState: one process's state, restored at start, journaled while it runs, snapshotted by a fork."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, ContextManager, Iterator

from webhookctl.localcloud.moto_bridge import state as moto_state
from webhookctl.localcloud.persistence.barrier import SnapshotBarrier
from webhookctl.localcloud.persistence.journal import DamagedState, JournalWriter, read_journal
from webhookctl.localcloud.persistence.store import BLOB_MIN_BYTES, StateDir

FORMAT = 1
# After a restart that redid journals, their records are folded into a snapshot this much later: the
# forked copy's pickling would otherwise compete for the CPU with the start of both processes.
FOLD_DELAY_S = 10.0


@dataclass(frozen=True)
class Restored:
    snapshot_generation: int | None  # None: nothing was saved
    journal_records: int
    skipped: int  # records whose redo failed (each is logged)
    seconds: float
    lock_wait_s: float = 0.0  # of `seconds`: waiting for the previous process to let go of the folder

    def describe(self) -> str:
        if self.snapshot_generation is None and not self.journal_records:
            return "no saved state"
        return (f"saved state loaded in {self.seconds:.2f} s (snapshot {self.snapshot_generation}, {self.journal_records} "
                f"journal records redone, {self.skipped} skipped; {self.lock_wait_s:.2f} s waiting for the folder)")


@dataclass(frozen=True)
class _Loaded:
    generation: int | None  # the snapshot's, None when there was none
    value: Any  # the snapshot's objects, not yet restored
    seconds: float
    lock_wait_s: float


@dataclass(frozen=True)
class StateParts:
    """What a process saves: `capture` runs in the process (keep it quick), `restore` and `redo` at start."""

    capture: Callable[[], Any]
    restore: Callable[[Any], None]
    redo: Callable[[tuple], None]


class DurableState:
    def __init__(self, folder: StateDir, parts: StateParts, *, journal_limit: int = 2000, blobs: bool = True):
        self.folder = folder
        self.parts = parts
        self.journal_limit = journal_limit  # more records than this since the last snapshot: take one
        self.blobs = blobs  # large values kept once by content (zips), outside the snapshot
        self.barrier = SnapshotBarrier()
        self._writer: JournalWriter | None = None
        self._generation = 0
        self._replaying = False
        self._cond = threading.Condition()
        self._requested = self._taken = self._durable = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._loaded: _Loaded | None = None
        self._fold: threading.Timer | None = None

    # -- start -----------------------------------------------------------------------------
    def load(self, fresh: bool = False) -> None:
        """Lock the folder, forget it when `fresh`, else read the snapshot into objects (restored by `open`).

        Needs nothing of the process but moto's classes, so the server does it while the table process
        loads its own state.
        """
        if self._loaded is not None:
            return
        began = time.monotonic()
        self.folder.lock()
        locked = time.monotonic()
        if fresh:
            self.folder.wipe()
        snapshot = self.folder.read_snapshot()
        value = None
        if snapshot is not None:
            self._check(snapshot.header)
            with _no_collections():
                try:
                    value = moto_state.loads(snapshot.payload, self.folder.get_blob)
                except DamagedState:
                    raise
                except Exception as exc:  # any unpickling failure: the file is not what was written
                    raise DamagedState(f"{self.folder.snapshot_path} cannot be loaded ({type(exc).__name__}: {exc})") from None
        self._loaded = _Loaded(snapshot.generation if snapshot else None, value, time.monotonic() - began, locked - began)

    def open(self, fresh: bool = False) -> Restored:
        """`load`, then restore the snapshot and redo the journals after it; from now on changes are journaled."""
        self.load(fresh)
        loaded, self._loaded = self._loaded, None  # its objects are about to live in moto's registry
        assert loaded is not None
        began = time.monotonic()
        since = loaded.generation or 0
        with _no_collections():
            if loaded.generation is not None:
                self.parts.restore(loaded.value)
            records, skipped, last = self._redo_journals(since)
        self._generation = max(since, last + 1)
        self._writer = JournalWriter(self.folder.journal_path(self._generation))
        self._thread = threading.Thread(target=self._snapshots, name="state-snapshots", daemon=True)
        self._thread.start()
        if records:  # fold the journals into a snapshot, in the background, once the start is over
            self._fold = threading.Timer(FOLD_DELAY_S, self.snapshot, kwargs={"wait": False})
            self._fold.daemon = True
            self._fold.start()
        return Restored(loaded.generation, records, skipped, loaded.seconds + time.monotonic() - began, loaded.lock_wait_s)

    def _check(self, header: dict[str, Any]) -> None:
        if header.get("format") != FORMAT:
            raise DamagedState(f"{self.folder.snapshot_path} has format {header.get('format')}, this version reads {FORMAT}")
        if header.get("moto") != moto_state.moto_version():
            raise DamagedState(f"{self.folder.snapshot_path} was saved with moto {header.get('moto')}, "
                               f"and moto {moto_state.moto_version()} cannot read it back")

    def _redo_journals(self, since: int) -> tuple[int, int, int]:
        records = skipped = 0
        last = since - 1
        self._replaying = True
        try:
            for number, path in self.folder.journals(since):
                last = number
                for payload in read_journal(path):
                    try:
                        entry = pickle.loads(payload)
                    except Exception as exc:
                        raise DamagedState(f"{path} holds an unreadable record ({type(exc).__name__})") from None
                    records += 1
                    try:
                        self.parts.redo(entry)
                    except Exception as exc:  # one change that no longer applies must not cost the rest
                        skipped += 1
                        _log(f"could not redo a journaled {entry[0]!r} ({type(exc).__name__}: {exc})")
        finally:
            self._replaying = False
        return records, skipped, last

    # -- while running -----------------------------------------------------------------------
    def guard(self) -> ContextManager[None]:
        """Held around a change and its record."""
        return self.barrier.shared()

    def record(self, entry: tuple) -> None:
        """Journal one change (a tuple of plain values) before its answer leaves."""
        if self._replaying:
            return
        with self.barrier.shared():
            writer = self._writer
            if writer is None:
                return
            writer.append(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
            full = writer.records >= self.journal_limit
        if full:
            self.snapshot(wait=False)

    def snapshot(self, wait: bool = True, timeout_s: float = 60.0) -> bool:
        """Ask for a snapshot of the state as it is now; with `wait`, return once it is on disk."""
        with self._cond:
            self._requested += 1
            ticket = self._requested
            self._cond.notify_all()
            if not wait:
                return True
            deadline = time.monotonic() + timeout_s
            while self._durable < ticket and not self._stopping:
                if not self._cond.wait(max(0.0, deadline - time.monotonic())):
                    return False
            return self._durable >= ticket

    def close(self) -> None:
        """A last snapshot, taken in this process (nothing else changes the state any more)."""
        if self._fold is not None:
            self._fold.cancel()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=60)
        if self._writer is None:
            return
        with self.barrier.exclusive():
            generation, extras = self._switch_journal()
        try:
            self._write(generation, extras)
        except Exception as exc:
            _log(f"the last snapshot failed ({type(exc).__name__}: {exc}); the journals keep the state")

    # -- snapshots ---------------------------------------------------------------------------
    def _snapshots(self) -> None:
        while True:
            with self._cond:
                while self._taken >= self._requested and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                ticket = self._taken = self._requested
            ok = self._fork_snapshot()
            with self._cond:
                if ok:
                    self._durable = max(self._durable, ticket)
                self._cond.notify_all()
            if not ok:
                time.sleep(1.0)

    def _switch_journal(self) -> tuple[int, Any]:
        """Under the exclusive barrier: later records go to a new journal, which the snapshot will not hold."""
        extras = self.parts.capture()
        old = self._writer
        self._generation += 1
        self._writer = JournalWriter(self.folder.journal_path(self._generation))
        if old is not None:
            old.close()
        return self._generation, extras

    def _fork_snapshot(self) -> bool:
        with self.barrier.exclusive():
            generation, extras = self._switch_journal()
            pid = os.fork()
            if pid == 0:  # the child: a frozen copy of the state, written while the parent goes on serving
                code = 0
                try:
                    self._write(generation, extras)
                except BaseException:
                    os.write(2, f"error: snapshot failed: {traceback.format_exc()}".encode(errors="replace"))
                    code = 1
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            _log(f"a snapshot failed (status {status}); the journals keep the state")
        return status == 0

    def _write(self, generation: int, extras: Any) -> None:
        payload, blobs = moto_state.dumps_with_blobs(extras, self.folder.put_blob if self.blobs else None, BLOB_MIN_BYTES)
        header = {"format": FORMAT, "moto": moto_state.moto_version(), "python": sys.version.split()[0], "saved_at": time.time()}
        self.folder.write_snapshot(generation, header, payload)
        self.folder.forget_before(generation, blobs)


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """No cyclic garbage collection while the state is rebuilt, and none of it scanned afterwards.

    Loading creates hundreds of thousands of objects, none of them garbage; each few hundred set off
    a collection that walks all those created so far, which made loading 10,000 items several times
    slower than the unpickling itself. Once loaded they are moved out of the collector's sight
    (gc.freeze): they live as long as the process or are freed by their reference counts.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _log(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)
