"""The one console: results on stdout, progress and errors on stderr.

Data is never interpreted: no emoji codes (`:secret:` in an ARN stays as it is), no highlighting,
no wrapping. NO_COLOR (https://no-color.org) turns off every escape code and every animation.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, NoReturn

from rich.console import Console

from webhookctl import exit_codes

_PLAIN = bool(os.environ.get("NO_COLOR"))


class _Console(Console):
    """A rich Console whose `status` is one static line on stderr when nothing may animate."""

    def on_broken_pipe(self) -> None:
        # rich would exit 1 in silence; main() says that stdout was closed.
        raise BrokenPipeError

    def status(self, status: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if _PLAIN:
            return _StaticStatus(self, str(status))
        return super().status(status, **kwargs)


class _StaticStatus:
    """What `Console.status` gives back, printed once per message instead of animated (NO_COLOR)."""

    def __init__(self, console: Console, message: str):
        self._console, self._message = console, message

    def __enter__(self) -> "_StaticStatus":
        self.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()

    def start(self) -> None:
        self._say(self._message)

    def stop(self) -> None:
        pass

    def update(self, status: Any = None, **_: Any) -> None:
        if status is not None and str(status) != self._message:
            self._message = str(status)
            self._say(self._message)

    def _say(self, message: str) -> None:
        if _stream_is_terminal(self._console):
            self._console.print(message, markup=False)


def _stream_is_terminal(target: Console) -> bool:
    isatty = getattr(target.file, "isatty", None)
    return bool(isatty and isatty())


def _make(stderr: bool) -> Console:
    # force_terminal=False under NO_COLOR: rich then draws no live spinner or progress bar at all.
    plain = {"color_system": None, "force_terminal": False} if _PLAIN else {}
    return _Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False, **plain)


console = _make(stderr=False)
err_console = _make(stderr=True)


class _Document:
    """Whether stdout carries `-o json` output, and whether a document was already written there."""

    json = False
    written = False


document = _Document()


def set_output(output: str) -> None:
    document.json = output == "json"


def write_document(text: str) -> None:
    """Write one whole JSON document (or JSON line) to stdout in a single write."""
    document.written = True
    console.file.write(text)
    console.file.flush()


def flush_stdout() -> None:
    """Flush stdout inside main(), so a closed pipe is reported rather than lost at exit."""
    console.file.flush()


def info(message: str) -> None:
    """A progress or status line, on stderr."""
    err_console.print(message, markup=False)


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/yellow] {_escape(message)}")


def abort(message: str, code: int = exit_codes.FAILED, hint: str | None = None) -> NoReturn:
    """The only way a command exits with an error: one line (plus an optional hint) on stderr.

    With `-o json`, and when no result document was written yet, stdout also gets one JSON error document.
    """
    message, hint = shorten(message), shorten(hint) if hint else hint
    if document.json and not document.written:
        write_document(json.dumps({"error": message, "hint": hint, "exit_code": code}) + "\n")
    err_console.print(f"[red]error:[/red] {_escape(message)}")
    if hint:
        err_console.print(f"[dim]hint: {_escape(hint)}[/dim]")
    raise SystemExit(code)


_LONG_RUN = re.compile(r"\S{201,}")  # longer than any ARN or URL a message names on purpose
_MAX_LINE = 1000


def shorten(text: str) -> str:
    """One line, with an echoed argument of thousands of characters cut to an excerpt that says its size."""
    text = " ".join(text.split()) if ("\n" in text or "\r" in text) else text
    text = _LONG_RUN.sub(lambda m: f"{m.group()[:60]}… ({len(m.group())} characters)", text)
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 1] + "…"


def print_table(table: Any, *, target: Console | None = None) -> None:
    """A rich Table at its natural width: no column is folded or cut, whatever the terminal's width.

    Cells are plain text (markup off); style a cell with rich's Text.
    """
    out = target or console
    renderer = Console(
        file=out.file,
        width=1_000_000,
        color_system=out.color_system,  # type: ignore[arg-type]
        force_terminal=out.is_terminal,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
    renderer.width = max(renderer.measure(table).maximum, 1)
    for column in table.columns:
        column.no_wrap, column.overflow = True, "ignore"
    if table.title is not None:  # a title is wrapped to the table's width: print it on its own line
        out.print(str(table.title), markup=False)
        table.title = None
    with renderer.capture() as captured:
        renderer.print(table)
    for line in captured.get().splitlines():
        out.file.write(line.rstrip() + "\n")
    out.file.flush()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
