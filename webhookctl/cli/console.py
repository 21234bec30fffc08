"""The one console: results on stdout, progress and errors on stderr."""

from __future__ import annotations

from typing import NoReturn

from rich.console import Console

from webhookctl import exit_codes

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    """A progress or status line, on stderr."""
    err_console.print(message, markup=False)


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/yellow] {_escape(message)}")


def abort(message: str, code: int = exit_codes.FAILED, hint: str | None = None) -> NoReturn:
    """The only way a command exits with an error: one line (plus an optional hint) on stderr."""
    err_console.print(f"[red]error:[/red] {_escape(message)}")
    if hint:
        err_console.print(f"[dim]hint: {_escape(hint)}[/dim]")
    raise SystemExit(code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
