"""Turn the shared options into settings and a connected AWS context, and run an operation on them."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Callable

from webhookctl.aws import AwsContext, AwsOptions, connect, resolve_region
from webhookctl.cli.console import emit, info, spinner
from webhookctl.config import Settings, load_settings


def settings_for(opts: AwsOptions) -> Settings:
    settings = load_settings(opts.env, opts.config)
    return dataclasses.replace(settings, region=resolve_region(opts, settings.region))


def connect_for(opts: AwsOptions, settings: Settings, *, start_local: bool = True) -> AwsContext:
    return connect(opts, configured_region=settings.region, announce=info, start_local=start_local)


def connected(opts: AwsOptions) -> tuple[Settings, AwsContext]:
    """The env's settings and the AWS context they connect to."""
    settings = settings_for(opts)
    return settings, connect_for(opts, settings)


def run_and_emit(opts: AwsOptions, operation: Callable[..., Any], render: Callable[[Any], None], /, *args: Any, busy: str | None = None, **kwargs: Any) -> Any:
    """Run `operation(ctx, settings, *args, **kwargs)` on the env, print its result, and give it back.

    `busy` is a status line shown while the operation runs.
    """
    settings, ctx = connected(opts)
    with spinner(busy) if busy else contextlib.nullcontext():
        result = operation(ctx, settings, *args, **kwargs)
    emit(result, opts.output, render)
    return result

