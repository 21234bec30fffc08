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
    audit,
    build,
    dlq,
    down,
    events,
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
):
    app.add_typer(_group, name=_name)
# --- end of command registration ---


def main() -> None:
    from webhookctl.cli.console import abort

    try:
        app(prog_name="webhookctl")
    except WebhookctlError as exc:
        abort(exc.message, exc.code, exc.hint)
    except KeyboardInterrupt:
        abort("interrupted", 130)
    except Exception as exc:  # noqa: BLE001 - the one place unexpected errors are caught
        message, hint, code = _describe(exc)
        if os.environ.get("WEBHOOKCTL_DEBUG"):
            raise
        abort(message, code, hint)


def _describe(exc: Exception) -> tuple[str, str | None, int]:
    """One sentence and a hint for an unexpected exception, by its kind."""
    module = type(exc).__module__
    if module.startswith("botocore"):
        from webhookctl.aws_errors import describe_botocore_error

        return describe_botocore_error(exc)
    return f"unexpected error: {type(exc).__name__}: {exc}", "set WEBHOOKCTL_DEBUG=1 for the traceback", exit_codes.FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
