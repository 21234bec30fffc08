"""Append-only journal files: framed, checksummed records; a torn last record is a crash, not damage."""

from __future__ import annotations

import os
import struct
import threading
import zlib
from pathlib import Path
from typing import Iterator

_HEADER = struct.Struct("<II")  # payload length, crc32 of the payload


class DamagedState(Exception):
    """A saved state file that cannot be read back as written (it is left as it is, for the user to decide)."""

    HINT = "start afresh with `webhookctl local start --fresh` or `webhookctl local reset` (both forget the saved state)"

    def __str__(self) -> str:
        return f"{super().__str__()}; {self.HINT}"


def frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def unframe(data: bytes, where: str) -> Iterator[bytes]:
    """The records of `data`; stops quietly at an incomplete last record (the write a kill cut short)."""
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, crc = _HEADER.unpack_from(data, offset)
        start, end = offset + _HEADER.size, offset + _HEADER.size + length
        if end > len(data):
            return
        payload = data[start:end]
        if zlib.crc32(payload) != crc:
            raise DamagedState(f"{where} is damaged at byte {offset} (checksum mismatch)")
        yield payload
        offset = end


def read_journal(path: Path) -> Iterator[bytes]:
    return unframe(path.read_bytes(), path.name)


class JournalWriter:
    """One journal file, appended with one write(2) per record: a kill -9 never loses a written one."""

    def __init__(self, path: Path):
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._lock = threading.Lock()
        self.records = 0

    def append(self, payload: bytes) -> None:
        record = frame(payload)
        with self._lock:
            os.write(self._fd, record)
            self.records += 1

    def sync(self) -> None:
        with self._lock:
            os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            os.close(self._fd)
