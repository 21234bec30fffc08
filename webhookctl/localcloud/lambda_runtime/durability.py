"""What the runtime tells the local cloud's saved state: queued async events and stream positions.

The default keeps nothing (an in-process test cloud); persistence.runtime_state journals them.
"""

from __future__ import annotations

from typing import Any


class RuntimeDurability:
    def async_submitted(self, event: Any) -> None:
        """An Event invocation was accepted (before its 202 leaves)."""

    def async_finished(self, event: Any) -> None:
        """It was delivered, dead-lettered or dropped."""

    def stream_position(self, mapping_uuid: str) -> tuple[str, int] | None:
        """(shard token, next record index) saved for a stream mapping, if any."""
        return None

    def stream_moved(self, mapping_uuid: str, token: str, cursor: int) -> None:
        """A batch was handed on; the mapping goes on from `cursor`."""
