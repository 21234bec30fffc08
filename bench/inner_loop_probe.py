"""`webhookctl send-test ...` or `webhookctl up ...` with a stopwatch on each phase: `python bench/inner_loop_probe.py OUT.json ARGS...`.

It is the real command (the same `main()`, the same calls); only timers are wrapped around its
parts. OUT.json gets, in seconds from this interpreter's first line: when `main()` was entered
(so interpreter start plus imports), and the time spent in settings, target resolution, then for
send-test: discovery, signing, HTTP posts, the completion wait; for up: the build, the code-only
path (record check, UpdateFunctionCode and its wait), preflight and the full discovery + apply;
and rendering until exit.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()
WALL0 = time.time()

import atexit  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections import defaultdict  # noqa: E402
from typing import Any, Callable  # noqa: E402

_spent: dict[str, float] = defaultdict(float)
_marks: dict[str, float] = {"interpreter_up": WALL0}
_lock = threading.Lock()


def _timed(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            with _lock:
                _spent[phase] += time.perf_counter() - started

    return wrapper


def _write(path: str) -> None:
    ended = time.perf_counter()
    operation = _spent.pop("operation", 0.0)
    inside = {k: round(v, 4) for k, v in _spent.items()}
    if "signing" in _spent or "http" in _spent:
        # Discovery runs in threads beside nothing else: it is the operation's time not spent in its other parts.
        inside["discovery"] = round(max(0.0, operation - _spent.get("signing", 0.0) - _spent.get("http", 0.0) - _spent.get("waiting", 0.0)), 4)
    else:
        inside["operation"] = round(operation, 4)
    document = {
        "interpreter_up_epoch": WALL0,
        "imports_s": round(_marks["main"] - T0, 4),
        "phases_s": inside,
        "after_operation_s": round(ended - _marks.get("operation_end", ended), 4),
        "probe_total_s": round(ended - T0, 4),
    }
    with open(path, "w") as handle:
        json.dump(document, handle)


def _probe_up() -> None:
    from webhookctl.provision import code_only, preflight, up

    up.code.run_build = _timed("build", up.code.run_build)
    code_only.try_code_only = _timed("code-only path", code_only.try_code_only)
    code_only.remember = _timed("record", code_only.remember)
    preflight.run_preflight = _timed("preflight", preflight.run_preflight)
    up.deploy = _timed("discovery + apply", up.deploy)
    up.run_up = _operation(up.run_up)


def _operation(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The command's operation, timed, with the moment it ended marked (what follows is rendering and exit)."""
    run = _timed("operation", fn)

    def operation(*args: Any, **kwargs: Any) -> Any:
        try:
            return run(*args, **kwargs)
        finally:
            _marks["operation_end"] = time.perf_counter()

    return operation


def main() -> None:
    out, sys.argv = sys.argv[1], ["webhookctl", *sys.argv[2:]]
    atexit.register(_write, out)
    import webhookctl.cli as cli
    from webhookctl.cli import session

    session.settings_for = _timed("settings", session.settings_for)
    session.connect_for = _timed("target", session.connect_for)
    if sys.argv[1] == "up":
        _probe_up()
        _marks["main"] = time.perf_counter()
        cli.main()
        return
    from webhookctl.operations import sample_deliveries as operation
    from webhookctl.operations.completion import CompletionWatcher
    from webhookctl.operations.signed_fixtures import DeliverySigner

    DeliverySigner.build = _timed("signing", DeliverySigner.build)
    operation._post = _timed("http", operation._post)
    CompletionWatcher.wait = _timed("waiting", CompletionWatcher.wait)
    operation.send_test = _operation(operation.send_test)
    _marks["main"] = time.perf_counter()
    cli.main()


if __name__ == "__main__":
    main()
