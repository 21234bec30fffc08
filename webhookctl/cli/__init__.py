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
from webhookctl.cli import build as _build  # noqa: E402

app.command("build")(_build.build)
from webhookctl.cli import sign as _sign  # noqa: E402
from webhookctl.cli import verify as _verify  # noqa: E402

app.command("sign")(_sign.sign)
app.command("verify")(_verify.verify)
from webhookctl.cli import preflight as _preflight  # noqa: E402

app.command("preflight")(_preflight.preflight)
from webhookctl.cli import down as _down  # noqa: E402
from webhookctl.cli import outputs as _outputs  # noqa: E402
from webhookctl.cli import plan as _plan  # noqa: E402
from webhookctl.cli import status as _status  # noqa: E402
from webhookctl.cli import up as _up  # noqa: E402

app.command("plan")(_plan.plan)
app.command("up")(_up.up)
app.command("down")(_down.down)
app.command("status")(_status.status)
app.command("outputs")(_outputs.outputs)
from webhookctl.cli import local as _local  # noqa: E402

app.add_typer(_local.app, name="local")
from webhookctl.cli import audit as _audit  # noqa: E402
from webhookctl.cli import dlq as _dlq  # noqa: E402
from webhookctl.cli import events as _events  # noqa: E402
from webhookctl.cli import logs as _logs  # noqa: E402
from webhookctl.cli import secrets as _secrets  # noqa: E402
from webhookctl.cli import send_test as _send_test  # noqa: E402

app.add_typer(_secrets.app, name="secrets")
app.command("send-test")(_send_test.send_test)
app.add_typer(_events.app, name="events")
app.add_typer(_dlq.app, name="dlq")
app.add_typer(_audit.app, name="audit")
app.command("logs")(_logs.logs)
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
