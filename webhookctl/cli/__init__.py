"""The `webhookctl` command: assembles the command modules and owns the only catch-all."""

from __future__ import annotations

import os
import sys

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

for _name, _command in (
    ("preflight", preflight.preflight),
    ("plan", plan.plan),
    ("up", up.up),
    ("down", down.down),
    ("status", status.status),
    ("outputs", outputs.outputs),
    ("build", build.build),
    ("send-test", send_test.send_test),
    ("logs", logs.logs),
    ("sign", sign.sign),
    ("verify", verify.verify),
):
    app.command(_name)(_command)
for _name, _group in (
    ("events", events.app),
    ("dlq", dlq.app),
    ("audit", audit.app),
    ("secrets", secrets.app),
    ("local", local.app),
    ("alarms", alarms.app),
    ("export", export.app),
):
    app.add_typer(_group, name=_name)
# --- end of command registration ---


def main() -> None:
    from webhookctl.cli.console import abort

    try:
        # Not standalone: click's own usage errors come here, to be told in one line like every other error.
        code = app(prog_name="webhookctl", standalone_mode=False)
    except WebhookctlError as exc:
        abort(exc.message, exc.code, exc.hint)
    except typer.Abort:
        abort("aborted", exit_codes.FAILED)
    except KeyboardInterrupt:
        abort("interrupted", 130)
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
