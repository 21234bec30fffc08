"""Every bad input gets the exit code CLI.md gives it, one error line (plus at most a hint), and no traceback.

Each row runs `main()`, the console script's function, with its own argv, working directory and
environment, in json mode where the command has it: an error must leave stdout empty. A few rows also
run through the installed `webhookctl` in their own processes, and must come out the same. All rows run
up front (one moto server for those that need an endpoint); each parametrized test checks its own row.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import free_port

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
DEPLOYED = "dev"  # the env that exists on the moto server
MISSING = "ghost"  # an env that does not


@dataclass(frozen=True)
class Row:
    id: str
    args: tuple[str, ...]
    code: int
    says: str  # the error line contains this (case-insensitive)
    where: str = "offline"  # offline (no credentials, --target aws) | moto (a deployed-looking env) | closed (nothing listens)
    config: str | bytes | None = None  # written to ./webhookctl.toml in the row's own directory
    environ: dict[str, str] = field(default_factory=dict)
    json: bool = True  # add `-o json`


def rows() -> list[Row]:
    r = Row
    not_deployed = [
        "status", "outputs", "down --yes", "events list", "events show stripe#evt_1", "dlq list", "dlq peek",
        "dlq tail", "dlq replay", "dlq purge --yes", "audit tail", "logs receiver", "secrets list",
        "secrets set stripe --generate", "send-test stripe --no-wait",
    ]  # fmt: skip
    no_credentials = [
        "preflight", "plan", "up --yes", "down --yes", "status", "outputs", "events list", "dlq list",
        "secrets list", "send-test stripe", "logs receiver", "audit tail",
    ]  # fmt: skip
    return [
        # env names, from the option and from both env vars
        r("env-uppercase", ("status", "--env", "Bad_Env"), 2, "invalid env name"),
        r("env-too-long", ("status", "--env", "a" * 17), 2, "invalid env name"),
        r("env-empty", ("status", "--env", ""), 2, "invalid env name"),
        r("env-leading-digit", ("status", "--env", "1dev"), 2, "invalid env name"),
        r("env-from-WEBHOOKCTL_ENV", ("status",), 2, "invalid env name", environ={"WEBHOOKCTL_ENV": "Prod"}),
        r("env-from-ENVIRONMENT_SUFFIX", ("up", "--yes"), 2, "invalid env name", environ={"ENVIRONMENT_SUFFIX": "pr_12"}),
        # configuration
        r("config-unknown-key", ("status",), 2, "'bogus'", config="bogus = 1\n"),
        r("config-unknown-nested-key", ("status",), 2, "'lambda.memory'", config="[lambda]\nmemory = 3\n"),
        r("config-unknown-function", ("status",), 2, "'functions.nosuch'", config="[functions.nosuch]\nmemory_mb = 128\n"),
        r("config-unknown-key-in-env-override", ("status",), 2, "bogus", config="[env.dev.waf]\nbogus = 1\n"),
        r("config-string-for-int", ("status",), 2, "functions.receiver.memory_mb", config='[functions.receiver]\nmemory_mb = "lots"\n'),
        r("config-string-for-list", ("status",), 2, "protected_envs", config='protected_envs = "prod"\n'),
        r("config-int-for-string", ("status",), 2, "region", config="region = 5\n"),
        r("config-unknown-provider", ("status",), 2, "providers.enabled", config='[providers]\nenabled = ["stripe", "nosuch"]\n'),
        r("config-bad-architecture", ("status",), 2, "lambda.architecture", config='[lambda]\narchitecture = "mips"\n'),
        r("config-negative-rate", ("status",), 2, "api.rate_limit", config="[api]\nrate_limit = -5\n"),
        r("config-waf-window-not-allowed", ("status",), 2, "waf.window_s", config="[waf]\nwindow_s = 61\n"),
        r("config-malformed-toml", ("status",), 2, "not valid toml", config="[api\nrate_limit = 1\n"),
        r("config-malformed-toml-offline-command", ("sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json"), 2, "not valid toml", config="[api\n"),
        r("config-malformed-toml-build", ("build",), 2, "not valid toml", config="x = = 1\n"),
        r("config-file-missing", ("status", "--config", "missing.toml"), 2, "missing.toml"),
        # unknown providers, in every command that takes one
        r("provider-sign", ("sign", "nosuch", "--secret", "x", "--body-file", "body.json"), 2, "unknown provider"),
        r("provider-verify", ("verify", "nosuch", "--secret", "x", "--body-file", "body.json", "--header", "a: b"), 2, "unknown provider"),
        r("provider-send-test", ("send-test", "nosuch"), 2, "unknown provider", where="moto"),
        r("provider-secrets-set", ("secrets", "set", "nosuch", "--generate"), 2, "unknown provider", where="moto"),
        r("provider-events-list", ("events", "list", "--provider", "nosuch"), 2, "unknown provider", where="moto"),
        r("provider-dlq-replay", ("dlq", "replay", "--provider", "nosuch"), 2, "unknown provider", where="moto"),
        r("provider-not-enabled", ("send-test", "github"), 2, "not enabled", where="moto", config='[providers]\nenabled = ["stripe"]\n'),
        # missing credentials
        *[r(f"no-credentials-{c.replace(' ', '-')}", tuple(c.split()), 2, "no aws credentials") for c in no_credentials],
        # nothing listens at the endpoint
        *[r(f"unreachable-{c.replace(' ', '-')}", tuple(c.split()), 1, "cannot reach", where="closed") for c in ("status", "events list")],
        # refusals
        r("purge-without-yes", ("dlq", "purge"), 2, "--yes", where="moto"),
        r("purge-audit-without-yes", ("dlq", "purge", "--queue", "audit"), 2, "--yes", where="moto"),
        # destructive commands that cannot ask (stdin is not a terminal here; -o json never asks) need --yes
        r("down-without-yes-json", ("down",), 2, "--yes", where="moto"),
        r("down-without-yes-text", ("down",), 2, "--yes", where="moto", json=False),
        r("purge-without-yes-text", ("dlq", "purge"), 2, "--yes", where="moto", json=False),
        r("down-protected-without-force", ("down", "--env", "prod", "--yes"), 2, "protected", where="moto"),
        r("down-configured-protected", ("down", "--env", "staging", "--yes"), 2, "protected", where="moto", config='protected_envs = ["staging"]\n'),
        r("events-show-missing-event", ("events", "show", "stripe#evt_missing"), 1, "stripe#evt_missing", where="moto"),
        r("events-show-malformed-key", ("events", "show", "nohash"), 2, "provider#event_id", where="moto"),
        # an env that does not exist
        *[r(f"not-deployed-{c.replace(' ', '-')}", (*c.split(), "--env", MISSING), 4, "not deployed", where="moto") for c in not_deployed],
        # bad option values
        r("output-yaml", ("status", "--output", "yaml"), 2, "--output", json=False),
        r("target-mars", ("status", "--target", "mars"), 2, "--target"),
        r("target-mars-from-env", ("status",), 2, "--target", environ={"WEBHOOKCTL_TARGET": "mars"}),
        r("reserved-concurrency-maybe", ("up", "--reserved-concurrency", "maybe"), 2, "--reserved-concurrency"),
        r("max-parallel-0", ("up", "--max-parallel", "0"), 2, "--max-parallel"),
        r("count-0", ("send-test", "stripe", "--count", "0"), 2, "--count"),
        r("count-not-a-number", ("send-test", "stripe", "--count", "abc"), 2, "--count"),
        r("count-absurd", ("send-test", "stripe", "--count", "100000000000"), 2, "--count must be between 1 and 10,000"),
        r("timeout-nan", ("send-test", "stripe", "--timeout", "nan"), 2, "--timeout"),
        r("timeout-inf", ("send-test", "stripe", "--timeout", "inf"), 2, "--timeout"),
        r("event-empty", ("send-test", "stripe", "--event", ""), 2, "--event"),
        # contract breaks in the shared options, times and the config file
        r("region-invalid", ("status", "--region", "not a region"), 2, "--region"),
        r("region-empty", ("status", "--region", ""), 2, "--region"),
        r("region-uppercase", ("status", "--region", "US-EAST-1"), 2, "--region"),
        r("endpoint-not-a-url", ("status", "--endpoint-url", "not-a-url"), 2, "--endpoint-url"),
        r("endpoint-ftp", ("status", "--endpoint-url", "ftp://example.com"), 2, "--endpoint-url"),
        r("endpoint-empty", ("status", "--endpoint-url", ""), 2, "--endpoint-url"),
        r("endpoint-bad-port", ("status", "--endpoint-url", "http://127.0.0.1:port"), 2, "--endpoint-url"),
        r("endpoint-from-env", ("status",), 2, "--endpoint-url", environ={"AWS_ENDPOINT_URL": "not-a-url"}),
        r("config-not-utf8", ("status",), 2, "not utf-8", config=b'region = "caf\xe9"\n'),
        r("config-bad-override-of-another-env", ("status",), 2, "env.prod.waf.rate_limit", config="[env.prod.waf]\nrate_limit = -5\n"),
        r("config-unknown-key-override-of-another-env", ("status",), 2, "env.prod.bogus", config="[env.prod]\nbogus = 1\n"),
        r("config-override-bad-env-name", ("status",), 2, "env.Prod", config="[env.Prod.waf]\nrate_limit = 100\n"),
        r("since-before-1970", ("audit", "tail", "--since", "1960-01-01T00:00:00Z"), 2, "--since"),
        r("since-unicode-digits", ("audit", "tail", "--since", "\u0661\u0665m"), 2, "--since"),
        r("at-unicode-digits", ("sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--at", "\u0661\u0662\u0663"), 2, "--at"),
        r("at-negative-iso", ("sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--at", "-1969-01-01T00:00:00Z"), 2, "--at"),
        r("at-before-1970", ("verify", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--header", "a: b", "--at", "1900-01-01T00:00:00Z"), 2, "--at"),
        r("aws-profile-missing", ("status",), 2, "'nosuch'", environ={"AWS_PROFILE": "nosuch"}),
        r("profile-option-missing", ("status", "--profile", "nosuch"), 2, "'nosuch'"),
        r("argument-10kb", ("status", "--env", "a" * 10_000), 2, "characters)"),
        r("target-10kb", ("status", "--target", "x" * 10_000), 2, "characters)"),
        r("click-choice-10kb", ("logs", "x" * 10_000), 2, "characters)"),
        r("concurrency-0", ("send-test", "stripe", "--concurrency", "0"), 2, "--concurrency"),
        r("at-garbage-sign", ("sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--at", "garbage"), 2, "--at"),
        r("at-garbage-verify", ("verify", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--header", "a: b", "--at", "garbage"), 2, "--at"),
        r("header-without-colon", ("verify", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--header", "nocolon"), 2, "--header"),
        r("body-file-missing-sign", ("sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "missing.json"), 2, "missing.json"),
        r("body-file-missing-verify", ("verify", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "missing.json", "--header", "a: b"), 2, "missing.json"),
        r("arch-mips", ("build", "--arch", "mips"), 2, "--arch"),
        r("queue-unknown", ("dlq", "peek", "--queue", "nosuch"), 2, "--queue"),
        r("queue-unknown-replay", ("dlq", "replay", "--queue", "nosuch"), 2, "--queue"),
        r("peek-limit-0", ("dlq", "peek", "--limit", "0"), 2, "--limit"),
        r("replay-max-0", ("dlq", "replay", "--max", "0"), 2, "--max"),
        r("replay-concurrency-0", ("dlq", "replay", "--concurrency", "0"), 2, "--concurrency"),
        r("replay-rate-negative", ("dlq", "replay", "--rate", "-1"), 2, "--rate"),
        r("timeout-negative", ("send-test", "stripe", "--timeout", "-1"), 2, "--timeout"),
        r("secrets-set-value-and-generate", ("secrets", "set", "stripe", "--value", "x", "--generate"), 2, "--generate"),
        r("logs-unknown-function", ("logs", "nosuch"), 2, "function"),
        r("events-status-unknown", ("events", "list", "--status", "NOPE"), 2, "--status"),
        r("events-limit-0", ("events", "list", "--limit", "0"), 2, "--limit"),
        r("since-garbage", ("audit", "tail", "--since", "forever"), 2, "--since"),
        r("local-port-0", ("local", "start", "--port", "0"), 2, "--port"),
        r("local-port-not-a-number", ("local", "start", "--port", "x"), 2, "--port"),
        r("chaos-unknown-function", ("local", "chaos", "--function", "nosuch"), 2, "--function"),
        r("chaos-error-rate-2", ("local", "chaos", "--function", "receiver", "--error-rate", "2"), 2, "--error-rate"),
        r("secret-in-wrong-form", ("secrets", "set", "stripe", "--value", "not-a-stripe-secret"), 2, "stripe", where="moto"),
        # click's own usage errors
        r("unknown-command", ("nosuchcommand",), 2, "no such command", json=False),
        r("unknown-option", ("status", "--nosuchopt"), 2, "--nosuchopt"),
        r("missing-argument", ("send-test",), 2, "missing argument"),
        r("option-without-value", ("status", "--env"), 2, "--env", json=False),
    ]


# Rows the product still gets wrong, outside the CLI layer; strict, so a fix turns them into failures to remove.
KNOWN_WRONG: dict[str, str] = {}  # row id -> why the product still gets it wrong (strict xfail)


def params(table: list[Row]) -> list[object]:
    return [
        pytest.param(row, id=row.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[row.id])] if row.id in KNOWN_WRONG else [])
        for row in table
    ]


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def _base_environ(home: Path) -> dict[str, str]:
    """No credentials, no profile, target aws (never a local cloud), and a private home."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEBHOOKCTL_")) and k != "ENVIRONMENT_SUFFIX"}
    return {
        **keep,
        "WEBHOOKCTL_HOME": str(home),
        "WEBHOOKCTL_TARGET": "aws",
        "WEBHOOKCTL_LOCAL_PORT": str(free_port()),  # nothing listens: a row can never reach a real local cloud
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "COLUMNS": "200",
    }


@dataclass(frozen=True)
class Invocation:
    argv: list[str]
    cwd: Path
    environ: dict[str, str]


def _prepare(row: Row, workdir: Path, base: dict[str, str], endpoints: dict[str, str]) -> Invocation:
    workdir.mkdir(parents=True)
    (workdir / "body.json").write_text('{"id": "evt_1", "type": "payment_intent.succeeded"}')
    if isinstance(row.config, bytes):
        (workdir / "webhookctl.toml").write_bytes(row.config)
    elif row.config is not None:
        (workdir / "webhookctl.toml").write_text(row.config)
    environ = {**base, **row.environ}
    argv = list(row.args)
    if row.where in endpoints:
        environ.update(CREDENTIALS)
        argv += ["--endpoint-url", endpoints[row.where]]
    if row.json:
        argv += ["-o", "json"]
    return Invocation(argv, workdir, environ)


def _run_in_process(invocation: Invocation) -> Outcome:
    """`main()`, the console script's function, with this row's argv, cwd, environment and fresh streams."""
    from webhookctl.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in invocation.environ.items():
            patch.setenv(name, value)
        patch.chdir(invocation.cwd)
        patch.setattr(sys, "argv", ["webhookctl", *invocation.argv])
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - an escaped exception is what the table must catch
                err.write(traceback.format_exc())
                code = -1
    return Outcome(code, out.getvalue(), err.getvalue())


def _run_as_process(invocation: Invocation) -> Outcome:
    done = subprocess.run([WEBHOOKCTL, *invocation.argv], cwd=invocation.cwd, env=invocation.environ, capture_output=True, text=True, timeout=90)
    return Outcome(done.returncode, done.stdout, done.stderr)


WEBHOOKCTL = shutil.which("webhookctl") or str(Path(sys.executable).with_name("webhookctl"))
# Rows also run through the installed console script, in their own processes, to check that path too.
AS_PROCESS = ("unknown-command", "count-not-a-number", "no-credentials-status", "not-deployed-events-show-stripe#evt_1", "config-malformed-toml")


@dataclass(frozen=True)
class Outcomes:
    in_process: dict[str, Outcome]
    as_process: dict[str, Outcome]
    env: object  # the deployed env, to check after every row that nothing was deleted
    rows_dir: Path


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcomes]:
    from moto.server import ThreadedMotoServer

    from tests.cli.operations_env import reset
    from tests.operations.conftest import aws_context, create_env
    from webhookctl.config import load_settings

    root = tmp_path_factory.mktemp("bad-input")
    (root / "home").mkdir()
    (root / "defaults.toml").write_text("")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        reset(endpoint)
        env = create_env(aws_context(endpoint), load_settings(DEPLOYED, root / "defaults.toml"))
        endpoints = {"moto": endpoint, "closed": f"http://127.0.0.1:{free_port()}"}
        base = _base_environ(root / "home")
        table = {row.id: _prepare(row, root / "rows" / row.id, base, endpoints) for row in rows()}
        with ThreadPoolExecutor(max_workers=len(AS_PROCESS)) as pool:
            processes = {key: pool.submit(_run_as_process, table[key]) for key in AS_PROCESS}
            in_process = {key: _run_in_process(invocation) for key, invocation in table.items()}
            yield Outcomes(in_process, {key: future.result() for key, future in processes.items()}, env, root / "rows")
    finally:
        server.stop()


def test_no_row_deleted_or_wrote_anything(outcomes: Outcomes) -> None:
    env: Any = outcomes.env
    assert env.client("dynamodb").describe_table(TableName=env.names.table)["Table"]["TableStatus"] == "ACTIVE"
    for queue in ("processor", "audit"):
        assert env.queue_url(queue)
    for workdir in outcomes.rows_dir.iterdir():
        assert {path.name for path in workdir.iterdir()} <= {"body.json", "webhookctl.toml", "latin1.toml"}, workdir.name


def test_row_ids_are_unique() -> None:
    ids = [row.id for row in rows()]
    assert len(ids) == len(set(ids))
    assert set(AS_PROCESS) <= set(ids) and set(KNOWN_WRONG) <= set(ids)


def _check(row: Row, outcome: Outcome) -> None:
    shown = f"exit {outcome.code}\n--- stdout\n{outcome.stdout}--- stderr\n{outcome.stderr}"
    assert "Traceback" not in outcome.stdout + outcome.stderr, shown
    assert outcome.code == row.code, shown
    lines = outcome.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), shown
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), shown
    assert row.says.lower() in lines[0].lower(), shown
    assert all(len(line) <= 1000 for line in lines), shown  # an echoed argument is cut to an excerpt
    if row.json:  # -o json: exactly one error document on stdout, saying what stderr says
        assert json.loads(outcome.stdout) == {
            "error": lines[0].removeprefix("error: "),
            "hint": lines[1].removeprefix("hint: ") if len(lines) == 2 else None,
            "exit_code": row.code,
        }, shown
        assert outcome.stdout.count("\n") == 1, shown
    else:
        assert outcome.stdout == "", shown


@pytest.mark.parametrize("row", params(rows()))
def test_bad_input(row: Row, outcomes: Outcomes) -> None:
    _check(row, outcomes.in_process[row.id])


@pytest.mark.parametrize("row", params([row for row in rows() if row.id in AS_PROCESS]))
def test_bad_input_through_the_console_script(row: Row, outcomes: Outcomes) -> None:
    outcome = outcomes.as_process[row.id]
    _check(row, outcome)
    assert outcome == outcomes.in_process[row.id]


def test_sign_and_verify_ignore_the_variables_they_do_not_use(tmp_path: Path) -> None:
    """A bad AWS_PROFILE or WEBHOOKCTL_ENV is for the commands that talk to AWS; offline signing goes on."""
    base = {**_base_environ(tmp_path), "AWS_PROFILE": "nosuch", "WEBHOOKCTL_ENV": "Not_An_Env"}
    (tmp_path / "body.json").write_text('{"id": "evt_1"}')
    signed = _run_in_process(Invocation(["sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--at", "1700000000", "-o", "json"], tmp_path, base))
    assert signed.code == 0, signed.stderr
    header = json.loads(signed.stdout)["headers"]["Stripe-Signature"]
    verified = _run_in_process(
        Invocation(["verify", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--at", "1700000000", "--header", f"Stripe-Signature: {header}", "-o", "json"], tmp_path, base)
    )
    assert verified.code == 0 and json.loads(verified.stdout)["valid"] is True, verified.stderr
