"""Turn the shared options into settings and a connected AWS context."""

from __future__ import annotations

import dataclasses

from webhookctl.aws import AwsContext, AwsOptions, connect, resolve_region
from webhookctl.cli.console import info
from webhookctl.config import Settings, load_settings


def settings_for(opts: AwsOptions) -> Settings:
    settings = load_settings(opts.env, opts.config)
    return dataclasses.replace(settings, region=resolve_region(opts, settings.region))


def connect_for(opts: AwsOptions, settings: Settings, *, start_local: bool = True) -> AwsContext:
    return connect(opts, configured_region=settings.region, announce=info, start_local=start_local)
