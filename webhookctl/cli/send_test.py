"""`webhookctl send-test PROVIDER`: post signed test events and follow them through."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from webhookctl.aws import AwsOptions
from webhookctl.cli.options import aws_command


@aws_command
def send_test(
    provider: Annotated[str, typer.Argument(help="stripe, github, shopify, square, adyen, standardwebhooks, svix or paypal.", show_default=False)],
    event: Annotated[Optional[str], typer.Option("--event", help="Event type (default: the provider's most common one).", metavar="TYPE")] = None,
    count: Annotated[int, typer.Option("--count", help="How many events to send (at most 10,000; deliveries are built as they are sent).", metavar="N")] = 1,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Requests in flight at once.", metavar="C")] = 1,
    invalid_signature: Annotated[bool, typer.Option("--invalid-signature", help="Sign with a wrong key; expects 401.")] = False,
    stale: Annotated[bool, typer.Option("--stale", help="Sign an hour in the past; expects 401.")] = False,
    duplicate: Annotated[bool, typer.Option("--duplicate", help="Send each event twice; expects one processing.")] = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Do not wait for processing and the audit line.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the follow-through.", metavar="SECONDS")] = 60.0,
    *,
    opts: AwsOptions,
) -> None:
    """Send signed, realistic test events to the env's webhook URL and follow them through."""
    from webhookctl.cli.console import abort, emit, progress_bar
    from webhookctl.cli.session import connect_for, settings_for
    from webhookctl.operations.providers import check_provider
    from webhookctl.operations.sample_deliveries import SendProgress, SendTestRequest, send_test as run

    settings = settings_for(opts)
    check_provider(provider, settings)
    request = SendTestRequest(provider=provider, event_type=event, count=count, concurrency=concurrency, invalid_signature=invalid_signature,
                              stale=stale, duplicate=duplicate, wait=not no_wait, timeout_s=timeout)
    request.check()
    ctx = connect_for(opts, settings)
    sends = count * (2 if duplicate else 1)
    with progress_bar() as bar:
        sending = bar.add_task(f"sending {provider}", total=sends)
        waiting: dict[str, Any] = {}

        def on_wait(done: int, total: int) -> None:
            if "task" not in waiting:
                waiting["task"] = bar.add_task("processed + audited", total=total)
            bar.update(waiting["task"], completed=done)

        result = run(ctx, settings, request, progress=SendProgress(sent=lambda r: bar.advance(sending), waiting=on_wait))
    emit(result, opts.output, render_text)
    if not result.ok:
        unexpected = result.summary()["unexpected"]
        abort(f"{unexpected} of {len(result.results)} results differ from what was expected")


def render_text(result: Any) -> None:
    from rich.markup import escape

    from webhookctl.cli.console import console, new_table, print_table

    summary = result.summary()
    if len(result.results) <= 4:
        for r in result.results:
            mark = "[green]ok[/green]" if r.expected else "[red]unexpected[/red]"
            copy = " (second copy)" if r.duplicate_send else ""
            console.print(f"{mark} {escape(r.event_key)}{copy}  {escape(r.event_type)}  HTTP {r.http_status} in {r.response_ms:.0f} ms  -> {r.final_status}")
            if r.accepted_at:
                console.print(f"    accepted at   {r.accepted_at}")
            if r.processed_at:
                console.print(f"    processed at  {r.processed_at}")
            if r.audited_at:
                console.print(f"    audited at    {r.audited_at}")
            if r.problem:
                console.print(f"    [yellow]{escape(r.problem)}[/yellow]")
    else:
        bad = [r for r in result.results if not r.expected]
        if bad:
            table = new_table("event_key", "http", "final_status", "problem", framed=True, title="unexpected results", title_justify="left")
            for r in bad[:20]:
                table.add_row(r.event_key, str(r.http_status), r.final_status, r.problem or "")
            print_table(table)
            if len(bad) > 20:
                console.print(f"... and {len(bad) - 20} more")
    console.print(
        f"sent {summary['sent']}, accepted {summary['accepted']}, rejected {summary['rejected']}, "
        f"processed {summary['processed']}; p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms; "
        f"{summary['seconds']} s to {result.url}",
        markup=False,
    )
