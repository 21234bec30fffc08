"""The dependency graph of a desired state: validation and a deterministic topological order."""

from __future__ import annotations

from typing import Iterable, Sequence

from webhookctl.provision.models import Resource, dependencies


def dependency_map(resources: Sequence[Resource]) -> dict[str, set[str]]:
    """name -> names it depends on; raises on a duplicate name, an unknown dependency or a cycle."""
    names = [r.name for r in resources]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate logical names: {', '.join(sorted(duplicates))}")
    known = set(names)
    graph: dict[str, set[str]] = {}
    for resource in resources:
        deps = dependencies(resource)
        unknown = deps - known
        if unknown:
            raise ValueError(f"{resource.name} depends on unknown resources: {', '.join(sorted(unknown))}")
        graph[resource.name] = deps
    order(graph)  # raises on a cycle
    return graph


def order(graph: dict[str, set[str]]) -> list[str]:
    """Dependencies first; ties keep insertion order (a depth-first walk)."""
    done: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ValueError("dependency cycle: " + " -> ".join((*path, name)))
        state[name] = "visiting"
        for dep in sorted(graph[name], key=list(graph).index):
            visit(dep, (*path, name))
        state[name] = "done"
        done.append(name)

    for name in graph:
        visit(name, ())
    return done


def dependents(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """name -> names that depend on it (the reversed graph, for teardown)."""
    reverse: dict[str, set[str]] = {name: set() for name in graph}
    for name, deps in graph.items():
        for dep in deps:
            reverse[dep].add(name)
    return reverse


def reachable(graph: dict[str, set[str]], roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(graph[name])
    return seen
