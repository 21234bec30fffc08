"""`webhookctl export cloudformation [--out FILE]`: the desired state `up` applies, as a CloudFormation template."""

# No `from __future__ import annotations`: the shared-options decorator hands Typer real annotation objects.
from typing import Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def cloudformation(
    opts: AwsOptions,
    out: Optional[str] = typer.Option(None, "--out", help="write the template here (default: stdout)"),
) -> None:
    """Print the env's desired state as a CloudFormation template (read-only; no AWS call)."""
    import json
    from pathlib import Path

    from webhookctl import exit_codes
    from webhookctl.cli.console import abort, info, write_document
    from webhookctl.cli.session import settings_for
    from webhookctl.provision.cloudformation import export_template

    template = export_template(settings_for(opts))
    text = json.dumps(template, indent=2, sort_keys=False) + "\n"
    if out is None:
        write_document(text)
        return
    try:
        Path(out).write_text(text)
    except OSError as exc:
        abort(f"cannot write {out}: {exc.strerror}", exit_codes.FAILED)
    info(f"wrote {len(template['Resources'])} resources to {out}")
