"""`webhookctl build`: function zips, the layer zip and the import check."""

# No `from __future__ import annotations`: the shared-option decorator hands Typer real annotation objects.
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from webhookctl.cli.options import output_command


@output_command
def build(
    offline: Any,
    arch: Annotated[
        Optional[str],
        typer.Option("--arch", help="arm64 or x86_64 (Lambda wheels), or host (this machine, for the local cloud). Default: \\[lambda] architecture.", metavar="[arm64|x86_64|host]"),
    ] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output folder (default .webhookctl/packaging/<arch>).", metavar="DIR")] = None,
    env: Annotated[
        Optional[str],
        typer.Option("--env", "-e", envvar=["WEBHOOKCTL_ENV", "ENVIRONMENT_SUFFIX"], help="Env whose \\[env.NAME.*] overrides apply (default: dev)."),
    ] = None,
) -> None:
    """Build the function zips and the layer zip, and check every import resolves; exit 3 when one does not."""
    from webhookctl import exit_codes
    from webhookctl.packaging import build_artifacts
    from webhookctl.cli.console import abort, emit, spinner
    from webhookctl.config import load_settings

    output, config = offline
    settings = load_settings(env or "dev", config)
    with spinner("building") as status:
        result = build_artifacts(settings, arch or settings.architecture, out, progress=lambda message: status.update(message))
    emit(result, output, _render_text)
    if not result.import_check.ok:
        first = result.import_check.missing[0]
        more = len(result.import_check.missing) - 1
        abort(first.sentence() + (f"; {more} more unresolved" if more else ""), exit_codes.PREFLIGHT_FAILED, first.fix)


def _render_text(result: Any) -> None:
    from webhookctl.cli.console import console, new_table, print_table

    table = new_table("artifact", "size", "sha256", "content sha256", "path")
    for name, artifact in [("layer", result.layer), *result.functions.items()]:
        table.add_row(name, _size(artifact.bytes), artifact.sha256, artifact.content_sha256 or "-", str(artifact.path))
    how = "from cache" if result.cached else "built"
    console.print(f"{result.arch} (Python {result.python_version}), {how} in {result.seconds:.2f}s; layer content hash {result.layer_hash}", markup=False)
    print_table(table)
    if result.locked:
        console.print(f"layer requirements: {' '.join(result.locked)}", markup=False)
    if result.import_check.ok:
        console.print("import check: ok (every import resolves to the stdlib, the function code or the layer)")
        return
    console.print(f"import check: FAILED ({len(result.import_check.missing)} unresolved)")
    for missing in result.import_check.missing:
        console.print(f"  {missing.sentence()}", markup=False)
        console.print(f"    fix: {missing.fix}", markup=False)


def _size(count: int) -> str:
    return f"{count / 1_000_000:.2f} MB" if count >= 100_000 else f"{count / 1000:.1f} kB"
