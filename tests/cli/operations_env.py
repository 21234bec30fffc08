"""A deployed-looking env on a plain moto server, for the operating commands' CLI tests."""

from __future__ import annotations

import sys
from typing import Any

from click.testing import CliRunner

from webhookctl.config import load_settings
from tests.operations.conftest import Env, aws_context, create_env


def reset(endpoint: str) -> None:
    """moto keeps its state per process, across servers: start each test from nothing."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST")).read()


def deploy_on(endpoint: str) -> Env:
    reset(endpoint)
    return create_env(aws_context(endpoint), load_settings("dev"))


class _Main:
    """Lets CliRunner drive `main()`, the entry point that turns errors into one line and an exit code."""

    name = "webhookctl"

    def main(self, args: Any = (), prog_name: str | None = None, **_: Any) -> None:
        from webhookctl.cli import main

        sys.argv = ["webhookctl", *args]
        main()


def run(endpoint: str, *args: str, input: str | None = None) -> Any:
    # The click runner that typer's CliRunner extends, given main() rather than the bare Typer app.
    return CliRunner().invoke(_Main(), [*args, "--endpoint-url", endpoint], input=input, catch_exceptions=False)
