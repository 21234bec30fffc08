"""The `webhookctl` command: assembles the command modules and owns the only catch-all."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer

from webhookctl import exit_codes
from webhookctl.errors import WebhookctlError

app = typer.Typer(
    name="webhookctl",
    help="Provision and operate a serverless payment-webhook pipeline on AWS or the local cloud.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # never render locals: signing secrets live there
    rich_markup_mode=None,  # plain click help: rich's markdown stack doubles start-up time
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --- command registration (help order); command modules import nothing heavy at top level ---
from webhookctl.cli.assembly import add_commands  # noqa: E402
from webhookctl.cli import (  # noqa: E402
    alarms,
    audit,
    build,
    dlq,
    down,
    events,
    export,
    local,
    logs,
    outputs,
    plan,
    preflight,
    secrets,
    send_test,
    sign,
    status,
    up,
    verify,
)

add_commands(app, {
    "preflight": preflight.preflight, "plan": plan.plan, "up": up.up, "down": down.down, "status": status.status,
    "outputs": outputs.outputs, "build": build.build, "send-test": send_test.send_test, "logs": logs.logs,
    "sign": sign.sign, "verify": verify.verify,
    "events": events.app, "dlq": dlq.app, "audit": audit.app, "secrets": secrets.app, "local": local.app,
    "alarms": alarms.app, "export": export.app,
})
# --- end of command registration ---


def _version(value: bool) -> None:
    if value:
        from webhookctl import __version__
        from webhookctl.cli.console import console

        console.print(f"webhookctl {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_version, is_eager=True),
) -> None:
    """Provision and operate a serverless payment-webhook pipeline on AWS or the local cloud."""


def main() -> None:
    from webhookctl.cli.console import abort, document, flush_stdout

    args = sys.argv[1:]
    document.written = False
    document.json = _asks_for_json(args)  # until the command's own options say so: click's errors come first
    try:
        code = _run(args)
        flush_stdout()
    except WebhookctlError as exc:
        abort(exc.message, exc.code, exc.hint)
    except typer.Abort:
        abort("aborted", exit_codes.FAILED)
    except KeyboardInterrupt:
        abort("interrupted", INTERRUPTED)
    except BrokenPipeError:
        _stdout_closed()
    except Exception as exc:  # noqa: BLE001 - the one place unexpected errors are caught
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as click would show it
            exc.show()  # type: ignore[attr-defined]
            raise SystemExit(exc.exit_code) from None  # type: ignore[attr-defined]
        if _is_click_error(exc):  # typer may vendor click, so its exception classes are told by shape
            abort(_one_line(exc.format_message()), exc.exit_code, _usage_hint(exc))  # type: ignore[attr-defined]
        message, hint, code = _describe(exc)
        if os.environ.get("WEBHOOKCTL_DEBUG"):
            raise
        abort(message, code, hint)
    # An explicit exit (--help, typer.Exit) comes back as its code; a finished command as its return value.
    raise SystemExit(code if isinstance(code, int) and not isinstance(code, bool) else exit_codes.OK)


INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _run(args: list[str]) -> object:
    """Parse and run the command; every exception reaches main() (typer's own main would swallow Ctrl-C and EPIPE)."""
    command = typer.main.get_command(app)
    try:
        with command.make_context("webhookctl", list(args)) as ctx:
            return command.invoke(ctx)
    except typer.Exit as exc:  # --help, --version, or a command's own typer.Exit
        return exc.exit_code
    except EOFError:  # a prompt found no input
        raise typer.Abort() from None


def _asks_for_json(args: list[str]) -> bool:
    for index, arg in enumerate(args):
        if arg in ("-o", "--output") and args[index + 1 : index + 2] == ["json"]:
            return True
        if arg in ("-ojson", "--output=json"):
            return True
    return False


def _stdout_closed() -> NoReturn:
    """stdout was closed before everything was written: say so, and never exit 0 on a partial result."""
    from webhookctl.cli.console import abort, document

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
    document.written = True  # there is no stdout left for an error document
    abort("stdout was closed before all the output was written", exit_codes.FAILED)


def _is_click_error(exc: Exception) -> bool:
    return callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int)


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def _usage_hint(exc: Exception) -> str | None:
    ctx = getattr(exc, "ctx", None)
    return f"see: {ctx.command_path} --help" if ctx is not None else None


def _describe(exc: Exception) -> tuple[str, str | None, int]:
    """One sentence and a hint for an unexpected exception, by its kind."""
    module = type(exc).__module__
    if module.startswith("botocore"):
        from webhookctl.aws_errors import describe_botocore_error

        return describe_botocore_error(exc)
    return f"unexpected error: {type(exc).__name__}: {exc}", "set WEBHOOKCTL_DEBUG=1 for the traceback", exit_codes.FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
