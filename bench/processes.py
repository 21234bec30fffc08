"""The local cloud's processes as /proc shows them: the server, its table process and its workers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TABLE_PROCESS = b"webhookctl.localcloud.tables"  # in the table process's command line


@dataclass(frozen=True)
class ProcessStat:
    pid: int
    parent: int
    cpu_ticks: int  # user + system
    command: bytes

    @property
    def part(self) -> str:
        """What it is to the local cloud, once known to be the server or one of its children."""
        return "tables" if TABLE_PROCESS in self.command else "workers"


def family(server_pid: int) -> list[ProcessStat]:
    """The server and its live children (children that exited are gone from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            stat = ProcessStat(int(entry.name), int(fields[1]), int(fields[11]) + int(fields[12]), (entry / "cmdline").read_bytes())
        except (OSError, IndexError, ValueError):
            continue
        if stat.pid == server_pid or stat.parent == server_pid:
            found.append(stat)
    return found


def cpu_seconds_by_part(server_pid: int) -> dict[str, float]:
    """CPU-seconds so far of the server, its table process and its function workers."""
    ticks = {"server": 0, "tables": 0, "workers": 0}
    for stat in family(server_pid):
        ticks["server" if stat.pid == server_pid else stat.part] += stat.cpu_ticks
    return {part: value / os.sysconf("SC_CLK_TCK") for part, value in ticks.items()}


def table_processes(server_pid: int) -> list[int]:
    return [stat.pid for stat in family(server_pid) if stat.pid != server_pid and stat.part == "tables"]


def worker_count(server_pid: int) -> int:
    return sum(1 for stat in family(server_pid) if stat.pid != server_pid and stat.part == "workers")
