"""`webhookctl alarms`: the env's CloudWatch alarms."""

from __future__ import annotations

from webhookctl.cli.assembly import command_group
from webhookctl.cli.alarms import test as _test

app = command_group("CloudWatch alarms: check that notifications arrive.", {"test": _test.test})
