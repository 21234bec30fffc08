"""How the command tree is put together: each name bound to a command function or a command group."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Union

import typer

Command = Union[Callable[..., Any], typer.Typer]


def add_commands(app: typer.Typer, commands: Mapping[str, Command]) -> typer.Typer:
    """Register each command (a function) or group (a Typer app) under its name; `--help` lists them in this order."""
    for name, command in commands.items():
        if isinstance(command, typer.Typer):
            app.add_typer(command, name=name)
        else:
            app.command(name)(command)
    return app


def command_group(help: str, commands: Mapping[str, Command]) -> typer.Typer:
    """A command group: bare, it prints its help."""
    return add_commands(typer.Typer(help=help, no_args_is_help=True), commands)
