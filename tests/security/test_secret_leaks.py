"""No secret value of an env ever shows: not in any command's stdout or stderr, error messages, `status`,
`events show`, CloudWatch Logs, the stored data, the Lambda configuration or the local cloud's own log.

One end-to-end run on the local cloud (up, secret rotation, send-test for every provider, events,
status, dlq, logs, audit and a few failing commands) is captured; then every secret of the env's
secret document, in every form a leak would take, is searched for in all of it.
"""

from __future__ import annotations

import json
import secrets as random
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from webhook_signatures import PROVIDERS

from tests.security.secret_forms import find_leaks, secret_values

pytestmark = pytest.mark.e2e

PARALLEL = 4
# A value `secrets set` must refuse (Adyen keys are hex); its error must not echo it back.
REFUSED_VALUE = "not-hex-" + random.token_urlsafe(24)


@dataclass(frozen=True)
class Step:
    name: str
    command: tuple[str, ...]  # the CLI command path, to skip it when it is not registered yet
    args: Callable[["Run"], list[str]]  # the full argument list, built once earlier steps have run
    exit_codes: tuple[int, ...] = (0,)


@dataclass
class Outcome:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float = 0.0


@dataclass
class Run:
    """The captured end-to-end run: each step's outcome, or why it did not run."""

    env: Any
    outcomes: dict[str, Outcome]
    missing: dict[str, str]
    event_key: str | None = None
    body_file: Path | None = None

    def shared(self, *extra: str, env: str | None = None) -> list[str]:
        return [*extra, *self.env.cloud.env_args(env or self.env.env)]


def _stripe_secret(run: Run) -> str:
    return _secret_document(run.env)["stripe"]["secrets"][0]


SETUP = [
    Step("secrets set --generate --keep-previous", ("secrets", "set"), lambda r: r.shared("secrets", "set", "stripe", "--generate", "--keep-previous")),
    Step("secrets set --value", ("secrets", "set"), lambda r: r.shared("secrets", "set", "github", "--value", random.token_urlsafe(32), "--keep-previous")),
]
TRAFFIC = [
    *(Step(f"send-test {p}", ("send-test",), lambda r, p=p: r.shared("send-test", p, "-o", "json")) for p in PROVIDERS),
    Step("send-test --invalid-signature", ("send-test",), lambda r: r.shared("send-test", "stripe", "--invalid-signature")),
    Step("send-test of an unknown provider", ("send-test",), lambda r: r.shared("send-test", "nosuch"), (2,)),
    Step("secrets set of a refused value", ("secrets", "set"), lambda r: r.shared("secrets", "set", "adyen", "--value", REFUSED_VALUE), (2,)),
    Step("secrets list", ("secrets", "list"), lambda r: r.shared("secrets", "list")),
    Step(
        "verify with the env's secret and a bad signature",
        ("verify",),
        lambda r: ["verify", "stripe", "--secret", _stripe_secret(r), "--body-file", str(r.body_file), "--header", f"Stripe-Signature: t={int(time.time())},v1={'0' * 64}"],
        (1,),
    ),
]
INSPECTION = [
    Step("events list -o json", ("events", "list"), lambda r: r.shared("events", "list", "-o", "json")),
    Step("events show", ("events", "show"), lambda r: r.shared("events", "show", r.event_key or "stripe#unknown")),
    Step("events show -o json", ("events", "show"), lambda r: r.shared("events", "show", r.event_key or "stripe#unknown", "-o", "json")),
    Step("events show of an unknown event", ("events", "show"), lambda r: r.shared("events", "show", "stripe#evt_never_sent"), (1,)),
    Step("status", ("status",), lambda r: r.shared("status")),
    Step("status -o json", ("status",), lambda r: r.shared("status", "-o", "json")),
    Step("status of an env that does not exist", ("status",), lambda r: r.shared("status", env="nosuch"), (4,)),
    Step("dlq list", ("dlq", "list"), lambda r: r.shared("dlq", "list", "-o", "json")),
    Step("dlq purge without --yes", ("dlq", "purge"), lambda r: r.shared("dlq", "purge"), (2,)),
    Step("logs receiver", ("logs",), lambda r: r.shared("logs", "receiver", "--since", "15m")),  # every log group is searched directly below
    Step("audit tail", ("audit", "tail"), lambda r: r.shared("audit", "tail", "--since", "15m")),
]
STEPS = [*SETUP, *TRAFFIC, *INSPECTION]


def registered(path: tuple[str, ...]) -> bool:
    """Whether `webhookctl PATH...` exists in this build of the CLI."""
    import typer.main

    from webhookctl.cli import app

    command: Any = typer.main.get_command(app)
    for name in path:
        command = getattr(command, "commands", {}).get(name)
        if command is None:
            return False
    return True


def _secret_document(env: Any) -> dict[str, Any]:
    value = env.client("secretsmanager").get_secret_value(SecretId=env.outputs["ProviderSecretArn"])["SecretString"]
    return json.loads(value)


def _run_steps(run: Run, steps: list[Step], *, parallel: int) -> None:
    ready = []
    for step in steps:
        if registered(step.command):
            ready.append(step)
        else:
            run.missing[step.name] = f"`webhookctl {' '.join(step.command)}` is not implemented yet"

    def one(step: Step) -> tuple[str, Outcome]:
        argv = step.args(run)
        began = time.monotonic()
        done: subprocess.CompletedProcess = run.env.cloud.run(*argv, timeout=180)
        return step.name, Outcome(argv, done.returncode, done.stdout, done.stderr, time.monotonic() - began)

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        run.outcomes.update(pool.map(one, ready))


@pytest.fixture(scope="module")
def run(secured_env, tmp_path_factory) -> Run:
    captured = Run(secured_env, {"up": Outcome(["up"], secured_env.up.returncode, secured_env.up.stdout, secured_env.up.stderr)}, {})
    captured.body_file = tmp_path_factory.mktemp("leaks") / "body.json"
    captured.body_file.write_text('{"id": "evt_leak_check", "type": "charge.succeeded"}')
    _run_steps(captured, SETUP, parallel=1)  # rotation first, so the deliveries below are signed with the new secrets
    _run_steps(captured, TRAFFIC, parallel=PARALLEL)
    sent = captured.outcomes.get("send-test stripe")
    if sent is not None and sent.returncode == 0:
        captured.event_key = json.loads(sent.stdout)["results"][0]["event_key"]
    _run_steps(captured, INSPECTION, parallel=PARALLEL)
    return captured


@pytest.fixture(scope="module")
def every_secret(run) -> list[str]:
    """Every secret the env has had: the current document, its earlier versions, and the refused value."""
    env = run.env
    client = env.client("secretsmanager")
    arn = env.outputs["ProviderSecretArn"]
    values = set(secret_values(_secret_document(env)))
    for version in client.list_secret_version_ids(SecretId=arn, IncludeDeprecated=True)["Versions"]:
        text = client.get_secret_value(SecretId=arn, VersionId=version["VersionId"])["SecretString"]
        values.update(secret_values(json.loads(text)))
    return sorted(values) + [REFUSED_VALUE]


def _leaks(captured: dict[str, str], values: list[str]) -> list[str]:
    return [str(leak) for leak in find_leaks(captured, values)]


@pytest.mark.parametrize("step", ["up", *(s.name for s in STEPS)])
def test_command_output_holds_no_secret(step, run, every_secret):
    if step in run.missing:
        pytest.skip(run.missing[step])
    outcome = run.outcomes[step]
    assert _leaks({f"{step} stdout": outcome.stdout, f"{step} stderr": outcome.stderr}, every_secret) == []
    expected = next((s.exit_codes for s in STEPS if s.name == step), (0,))
    assert outcome.returncode in expected, f"`webhookctl {step}` exited {outcome.returncode}: {outcome.stderr[-600:]}"
    assert "Traceback" not in outcome.stderr


def test_the_run_exercised_every_provider(run):
    missing = [p for p in PROVIDERS if f"send-test {p}" in run.missing]
    if missing:
        pytest.skip(run.missing[f"send-test {missing[0]}"])
    for provider in PROVIDERS:
        outcome = run.outcomes[f"send-test {provider}"]
        assert outcome.returncode == 0, outcome.stderr[-600:]
        (result,) = json.loads(outcome.stdout)["results"]
        assert result["http_status"] == 200 and result["final_status"] == "PROCESSED", (provider, result)


def test_the_secrets_searched_for_include_the_rotated_ones(run, every_secret):
    if "secrets set --generate --keep-previous" in run.missing:
        pytest.skip(run.missing["secrets set --generate --keep-previous"])
    stripe = _secret_document(run.env)["stripe"]["secrets"]
    assert len(stripe) >= 2 and set(stripe) <= set(every_secret)  # the new secret and the one it replaced
    assert len(every_secret) >= len(PROVIDERS) + 2


def test_cloudwatch_logs_hold_no_secret(run, every_secret):
    logs = run.env.client("logs")
    captured: dict[str, str] = {}
    for page in logs.get_paginator("describe_log_groups").paginate():
        for group in page["logGroups"]:
            name = group["logGroupName"]
            events = [e["message"] for p in logs.get_paginator("filter_log_events").paginate(logGroupName=name) for e in p["events"]]
            captured[f"log group {name}"] = "\n".join(events)
    function_logs = "".join(text for name, text in captured.items() if name.startswith("log group /aws/lambda/"))
    assert "refused" in function_logs or "401" in function_logs, "no receiver log lines: the search would be vacuous"
    assert _leaks(captured, every_secret) == []


def test_stored_data_and_function_configuration_hold_no_secret(run, every_secret):
    env = run.env
    items = env.client("dynamodb").scan(TableName=env.outputs["EventsTableName"])["Items"]
    captured = {"events table": json.dumps(items)}
    for url in ("ProcessorDlqUrl", "AuditDlqUrl"):
        messages = env.client("sqs").receive_message(QueueUrl=env.outputs[url], MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        captured[url] = json.dumps(messages)
    for key in ("Receiver", "Processor", "Audit"):
        configuration = env.client("lambda").get_function_configuration(FunctionName=env.outputs[f"{key}FunctionName"])
        captured[f"{key} function configuration"] = json.dumps(configuration, default=str)
    assert items, "nothing stored: the search would be vacuous"
    assert _leaks(captured, every_secret) == []


def test_the_local_clouds_own_log_holds_no_secret(run, every_secret):
    log = run.env.cloud.home / "local-cloud.log"
    assert _leaks({"local-cloud.log": log.read_text(errors="replace") if log.exists() else ""}, every_secret) == []

