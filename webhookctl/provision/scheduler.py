"""Run one piece of work per graph node, dependencies first, with bounded parallelism."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable

from webhookctl.provision.graph import dependents, order


class NodeFailed(Exception):
    """The work of node `name` raised `error`; nothing new was started afterwards."""

    def __init__(self, name: str, error: BaseException):
        super().__init__(f"{name}: {error}")
        self.name = name
        self.error = error


def run_graph(graph: dict[str, set[str]], work: Callable[[str], None], *, max_parallel: int = 8, reverse: bool = False) -> None:
    """Call work(name) for every node once all it waits for is done (reverse: its dependents).

    On the first failure no new work starts; work in flight finishes, then NodeFailed is raised.
    """
    waits_for = dependents(graph) if reverse else {name: set(deps) for name, deps in graph.items()}
    release = {name: set() for name in graph}
    for name, blockers in waits_for.items():
        for blocker in blockers:
            release[blocker].add(name)
    rank = {name: i for i, name in enumerate(order(graph))}
    chain = longest_chains(release)

    def priority(name: str) -> tuple[int, int]:
        # The longest chain still ahead goes first: it sets the wall time. Ties keep the dependency order.
        return (-chain[name], -rank[name] if reverse else rank[name])

    remaining = {name: len(blockers) for name, blockers in waits_for.items()}
    ready = sorted((n for n, count in remaining.items() if count == 0), key=priority)
    failure: NodeFailed | None = None
    with ThreadPoolExecutor(max_workers=max(1, max_parallel), thread_name_prefix="provision") as pool:
        running: dict[Future, str] = {}
        while ready or running:
            while ready and failure is None and len(running) < max(1, max_parallel):
                name = ready.pop(0)
                running[pool.submit(work, name)] = name
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                error = future.exception()
                if error is not None:
                    failure = failure or NodeFailed(name, error)
                    continue
                for follower in release[name]:
                    remaining[follower] -= 1
                    if remaining[follower] == 0:
                        ready.append(follower)
                ready.sort(key=priority)
    if failure is not None:
        raise failure


def longest_chains(release: dict[str, set[str]]) -> dict[str, int]:
    """name -> number of nodes on the longest chain that starts with it (itself included)."""
    length: dict[str, int] = {}

    def visit(name: str) -> int:
        if name not in length:
            length[name] = 1 + max((visit(follower) for follower in release[name]), default=0)
        return length[name]

    for name in release:
        visit(name)
    return length
