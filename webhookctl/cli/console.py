"""The one console of every command: results on stdout, progress and errors on stderr.

A command hands its result to `emit` (JSON, or the command's text renderer), says progress with
`spinner`, `progress_bar` or `apply_progress`, and exits with an error only through `abort`.

Data is never interpreted: no emoji codes (`:secret:` in an ARN stays as it is), no highlighting,
no wrapping. NO_COLOR (https://no-color.org) turns off every escape code and every animation.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from typing import Any, Callable, Iterable, Iterator, NoReturn

from rich.console import Console

from webhookctl import exit_codes
from webhookctl.errors import WebhookctlError

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


# --- results: one JSON document (or JSON lines), or the command's text ---------------------------

def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_json"):
            return value.to_json()
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def emit(result: Any, output: str, text: Callable[[Any], None]) -> None:
    """JSON to stdout for `-o json`; otherwise call the command's text renderer."""
    if output == "json":
        write_document(json.dumps(to_jsonable(result), indent=2, sort_keys=False, default=str) + "\n")
    else:
        text(result)


def stream_items(items: Iterable[Any], output: str, render: Callable[[Any], None]) -> int:
    """Print each item as it comes (-o json: one JSON object per line); Ctrl-C stops cleanly."""
    shown = 0
    try:
        for item in items:
            if output == "json":
                write_document(json.dumps(item.to_json()) + "\n")
            else:
                render(item)
            shown += 1
    except KeyboardInterrupt:
        info("stopped")
    return shown


# --- messages on stderr -----------------------------------------------------------------------------

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


def confirm(question: str, *, default: bool, refused: str) -> None:
    """Ask on stderr; a no ends the command with `refused` (one error line, exit 1)."""
    import typer

    if not typer.confirm(question, default=default, err=True):
        raise WebhookctlError(refused)


# --- tables -----------------------------------------------------------------------------------------

def new_table(*columns: str, framed: bool = False, **options: Any) -> Any:
    """A rich Table with these column headers; unframed (no box, no edge padding) unless `framed`."""
    from rich.table import Table

    if not framed:
        options = {"box": None, "pad_edge": False, **options}
    table = Table(**options)
    for column in columns:
        table.add_column(column)
    return table


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


# --- progress on stderr -----------------------------------------------------------------------------

def spinner(message: str) -> Any:
    """A status line for work of unknown length; `update(message)` on what it gives says the next step."""
    return err_console.status(message, spinner="dots")


def progress_bar() -> Any:
    """A bar for counted work, drawn only on a terminal and gone when the work ends."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal)


class ApplyProgress:
    """A rich progress bar on stderr, fed by the apply events of `up` and `down`."""

    def __init__(self) -> None:
        self.status: Any = None
        self._bar: Any = None
        self._task: Any = None

    def say(self, message: str) -> None:
        if self.status is not None and self._bar is None:
            self.status.update(message)

    def begin(self, plan: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        if self.status is not None:
            self.status.stop()
        self.close()
        if not plan.changes:
            return
        self._bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=False
        )
        self._task = self._bar.add_task("applying", total=len(plan.changes))
        self._bar.start()

    def pause(self) -> None:
        if self._bar is not None:
            self._bar.stop()

    def resume(self) -> None:
        if self._bar is not None:
            self._bar.start()

    def event(self, event: str, change: Any) -> None:
        if self._bar is None:
            return
        if event == "start":
            self._bar.update(self._task, description=f"{change.action} {change.resource}")
        elif event == "done":
            self._bar.advance(self._task)
        elif event == "failed":
            self._bar.update(self._task, description=f"[red]failed[/red] {change.action} {change.resource}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description="done")
            self._bar.stop()
            self._bar = None


@contextlib.contextmanager
def apply_progress(message: str) -> Iterator[ApplyProgress]:
    """A status line (`message`) until the plan is known, then a bar over its changes; closed however it ends."""
    progress = ApplyProgress()
    try:
        with spinner(message) as status:
            progress.status = status
            yield progress
    finally:
        progress.close()
