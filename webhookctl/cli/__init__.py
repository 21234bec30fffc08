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
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --- command registration (help order); command modules import nothing heavy at top level ---
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
