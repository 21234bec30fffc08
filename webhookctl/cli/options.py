"""Shared options, added to a command's signature by a decorator so each command states them once."""

from __future__ import annotations

import functools
import inspect
import re
from typing import Annotated, Any, Callable, Optional

import typer

from webhookctl.aws import TARGETS, AwsOptions
from webhookctl.cli.console import set_output
from webhookctl.errors import UsageError

OUTPUTS = ("text", "json")

_KW = inspect.Parameter.KEYWORD_ONLY

_OUTPUT = inspect.Parameter(
    "output",
    _KW,
    default="text",
    annotation=Annotated[str, typer.Option("--output", "-o", help="text or json (json: one document on stdout).", metavar="[text|json]")],
)
_CONFIG = inspect.Parameter(
    "config",
    _KW,
    default=None,
    annotation=Annotated[Optional[str], typer.Option("--config", help="Config file (default ./webhookctl.toml when present).", metavar="PATH")],
)
_AWS = [
    inspect.Parameter(
        "env",
        _KW,
        default=None,
        annotation=Annotated[
            Optional[str],
            typer.Option("--env", "-e", envvar=["WEBHOOKCTL_ENV", "ENVIRONMENT_SUFFIX"], help="Environment suffix (default: dev).", show_envvar=True),
        ],
    ),
    inspect.Parameter("region", _KW, default=None, annotation=Annotated[Optional[str], typer.Option("--region", help="AWS region.")]),
    inspect.Parameter("profile", _KW, default=None, annotation=Annotated[Optional[str], typer.Option("--profile", help="AWS named profile.")]),
    inspect.Parameter(
        "target",
        _KW,
        default="auto",
        annotation=Annotated[
            str,
            typer.Option("--target", envvar="WEBHOOKCTL_TARGET", help="auto, aws or local.", metavar="[auto|aws|local]"),
        ],
    ),
    inspect.Parameter(
        "endpoint_url",
        _KW,
        default=None,
        annotation=Annotated[
            Optional[str],
            typer.Option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="Send every AWS call to this endpoint.", metavar="URL"),
        ],
    ),
    _OUTPUT,
    _CONFIG,
]


# AWS region names: two letters, one or more words, a number (us-east-1, ap-southeast-5, us-gov-west-1).
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def _check_region(region: str | None) -> str | None:
    if region is not None and not _REGION.fullmatch(region):
        raise UsageError(f"--region {region!r} is not an AWS region name", hint="for example us-east-1 or eu-west-2")
    return region


def _check_endpoint(url: str | None) -> str | None:
    if url is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--endpoint-url must be an http:// or https:// URL (got {url!r})", hint="for example http://127.0.0.1:4566")
    return url


def _check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise UsageError(f"--output must be text or json (got {output!r})")
    set_output(output)
    return output


def _inject(fn: Callable[..., Any], drop: str, extra: list[inspect.Parameter], build: Callable[[dict[str, Any]], Any]):
    signature = inspect.signature(fn, eval_str=True)  # the commands use `from __future__ import annotations`
    own = [p for p in signature.parameters.values() if p.name != drop]
    names = [p.name for p in extra]

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        shared = {name: kwargs.pop(name) for name in names}
        return fn(**{drop: build(shared)}, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + extra)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**{p.name: p.annotation for p in own}, **{p.name: p.annotation for p in extra}}
    del wrapper.__wrapped__  # make Typer read the new signature, not the original one
    return wrapper


def aws_command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the shared AWS options; it receives them as `opts: AwsOptions`."""

    def build(shared: dict[str, Any]) -> AwsOptions:
        if shared["target"] not in TARGETS:
            raise UsageError(f"--target must be one of {', '.join(TARGETS)} (got {shared['target']!r})")
        return AwsOptions(
            env="dev" if shared["env"] is None else shared["env"],  # --env "" is a bad name, not dev: load_settings refuses it
            region=_check_region(shared["region"]),
            profile=shared["profile"],
            target=shared["target"],
            endpoint_url=_check_endpoint(shared["endpoint_url"]),
            output=_check_output(shared["output"]),
            config=shared["config"],
        )

    return _inject(fn, "opts", _AWS, build)


def output_command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Give an offline command --output and --config; it receives `output: str` and `config: str | None`."""

    def build(shared: dict[str, Any]) -> tuple[str, str | None]:
        return _check_output(shared["output"]), shared["config"]

    return _inject(fn, "offline", [_OUTPUT, _CONFIG], build)
