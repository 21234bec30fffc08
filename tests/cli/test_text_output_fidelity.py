"""Text output prints every value exactly as `-o json` has it, on one line, at a narrow width, piped.

Each command runs twice against a deployed-looking env on a moto server (or, for `plan`, `preflight`,
`outputs`, `audit tail` and `logs`, an env deployed with `up`): `-o json`, then text with a 40-column
console that is not a terminal. Every string value of the JSON document must appear verbatim in the
text. Values carry `:secret:`-like codes, markup and long ARN-like ids, which rich used to turn into
emoji, styles and lines folded in two.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import webhookctl.packaging
from tests.cli.operations_env import deploy_on, reset, run
from tests.conftest import set_account_logging_role
from tests.operations.conftest import put_event, send_processor_letter
from tests.provision.conftest import make_artifacts
from webhookctl.names import Names
from webhookctl.packaging.result import Artifact, BuildResult, ImportCheck

TRICKY_ID = "evt_:secret:_[bold]x[/bold]_" + "0123456789abcdef" * 5  # an emoji code, markup, and 100 characters


def leaf_strings(document: Any) -> Iterator[str]:
    if isinstance(document, dict):
        for value in document.values():
            yield from leaf_strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from leaf_strings(value)
    elif isinstance(document, str) and document:
        yield document


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    from webhookctl.cli import console as console_module

    monkeypatch.setenv("COLUMNS", "40")
    for target in (console_module.console, console_module.err_console):
        monkeypatch.setattr(target, "width", 40)


@pytest.fixture
def deployed(moto_server: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    env = deploy_on(moto_server)
    put_event(env, "stripe", TRICKY_ID, event_type="payment_intent.succeeded:tada:")
    send_processor_letter(env, "stripe", TRICKY_ID)
    (tmp_path / "body.json").write_text(json.dumps({"id": TRICKY_ID, "type": "charge.succeeded"}))
    return env


SIGN = ("sign", "stripe", "--secret", "whsec_abcdefghijkl", "--body-file", "body.json", "--at", "1700000000")

# Values that text shows in another form on purpose (JSON's machine form of the same fact).
NOT_SHOWN_AS_IS = {
    # the raw body, the queue URL and message ids (dlq list shows the URL); the age instead of the time
    "dlq peek": {"body", "sent_at", "url", "message_id", "receipt_handle"},
    # CloudWatch's ids of the log events (the time and the stream say which line it is)
    "audit tail": {"log_event_id"},
    "logs receiver": {"event_id"},
}
TRICKY_PATH = ":secret:[bold]x[/bold]" + "0123456789abcdef" * 3  # a folder name of the same kind


@pytest.mark.parametrize(
    "args",
    [
        ("events", "list"),
        ("events", "show", f"stripe#{TRICKY_ID}"),
        ("dlq", "list"),
        ("dlq", "peek"),
        ("secrets", "list"),
        ("status",),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_every_json_value_appears_verbatim_in_narrow_piped_text(deployed: Any, moto_server: str, narrow: None, args: tuple[str, ...]) -> None:
    as_json = run(moto_server, *args, "-o", "json")
    as_text = run(moto_server, *args)
    assert as_json.exit_code == as_text.exit_code, as_text.output
    skipped = NOT_SHOWN_AS_IS.get(" ".join(args[:2]), set())
    document = json.loads(as_json.stdout)
    wanted = [value for value in leaf_strings(_without(document, skipped)) if "\n" not in value]
    shown = as_text.stdout + as_text.stderr  # notes and warnings go to stderr, one line each
    missing = [value for value in wanted if value not in shown]
    assert not missing, as_text.stdout
    assert "㊙" not in as_text.stdout and "🎉" not in as_text.stdout


def test_offline_commands_print_values_verbatim(deployed: Any, moto_server: str, narrow: None) -> None:
    from click.testing import CliRunner

    from tests.cli.operations_env import _Main

    signed = CliRunner().invoke(_Main(), [*SIGN, "-o", "json"], catch_exceptions=False)
    text = CliRunner().invoke(_Main(), list(SIGN), catch_exceptions=False)
    for value in json.loads(signed.stdout)["headers"].values():
        assert value in text.stdout


def _tricky_build(root: Path) -> BuildResult:
    made = make_artifacts(root / TRICKY_PATH)

    def artifact(code: Any) -> Artifact:
        return Artifact(code.path, code.path.stat().st_size, code.sha256, hashlib.sha256(code.path.read_bytes()[::-1]).hexdigest())

    return BuildResult(
        arch="arm64",
        python_version="3.11",
        layer=artifact(made.layer),
        functions={key: artifact(code) for key, code in made.functions.items()},
        import_check=ImportCheck(ok=True, missing=()),
        locked=("aws-xray-sdk==2.14.0", "wrapt==1.16.0"),
    )


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The real build needs pip and minutes: tiny real zips under a folder whose name is tricky."""
    monkeypatch.setattr(webhookctl.packaging, "build_artifacts", lambda settings, arch="arm64", out_dir=None, *, progress=None: _tricky_build(tmp_path))


@pytest.fixture
def upped(moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: None) -> Names:
    """An env deployed with `up`, with tricky values in its logs, its audit trail and one drifted setting."""
    import boto3

    from webhookctl.config import load_settings

    monkeypatch.chdir(tmp_path)
    reset(moto_server)
    set_account_logging_role(boto3, endpoint_url=moto_server)
    assert run(moto_server, "up").exit_code == 0
    names = Names(load_settings("dev").prefix, "dev")
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=moto_server)
    now = int(time.time() * 1000)
    audit = {"event_key": f"stripe#{TRICKY_ID}", "provider": "stripe", "event_type": "charge:tada:[red]x[/red]",
             "old_status": "RECEIVED", "new_status": "PROCESSED", "time": "2024-05-01T10:00:00.000Z",
             "sequence_number": "4900000000000000000000000001", "event_name": "MODIFY"}
    for group, stream, message in (
        (names.audit_log_group, "audit:secret:stream", json.dumps(audit)),
        (names.audit_log_group, "audit:secret:stream", f"not JSON: {TRICKY_ID}"),
        (names.function_log_group("receiver"), "2024/05/01/[$LATEST]" + "ab" * 16, f"[INFO] stored {TRICKY_ID}"),
    ):
        if stream not in [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": now, "message": message}])
    functions = boto3.client("lambda", region_name="us-east-1", endpoint_url=moto_server)
    config = functions.get_function_configuration(FunctionName=names.function("receiver"))
    variables = dict(config["Environment"]["Variables"], DRIFTED=TRICKY_ID)
    functions.update_function_configuration(FunctionName=names.function("receiver"), Environment={"Variables": variables})
    return names


@pytest.mark.parametrize(
    "args",
    [("plan",), ("preflight",), ("outputs",), ("audit", "tail"), ("logs", "receiver")],
    ids=lambda args: " ".join(args[:2]),
)
def test_deployed_env_commands_print_every_json_value_verbatim(upped: Names, moto_server: str, narrow: None, args: tuple[str, ...]) -> None:
    _assert_verbatim(" ".join(args[:2]), run(moto_server, *args, "-o", "json"), run(moto_server, *args))


def test_build_prints_every_json_value_verbatim(builds: None, narrow: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _assert_verbatim("build", _offline("build", "-o", "json"), _offline("build"))


def test_local_status_prints_every_json_value_verbatim(narrow: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from webhookctl.localcloud import lifecycle

    monkeypatch.setenv("WEBHOOKCTL_HOME", str(tmp_path / TRICKY_PATH))
    # A live process that passes for the local cloud (its command line names webhookctl).
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "webhookctl"])
    try:
        lifecycle.write_state(stand_in.pid, 45999, "127.0.0.1")
        _assert_verbatim("local status", _offline("local", "status", "-o", "json"), _offline("local", "status"))
    finally:
        stand_in.kill()
        stand_in.wait()


def _offline(*args: str) -> Any:
    from click.testing import CliRunner

    from tests.cli.operations_env import _Main

    return CliRunner().invoke(_Main(), list(args), catch_exceptions=False)


def _assert_verbatim(command: str, as_json: Any, as_text: Any) -> None:
    assert as_json.exit_code == as_text.exit_code, as_text.output
    document = json.loads(as_json.stdout)
    wanted = [value for value in leaf_strings(_without(document, NOT_SHOWN_AS_IS.get(command, set()))) if "\n" not in value]
    assert wanted, as_json.stdout
    shown = as_text.stdout + as_text.stderr  # notes and warnings go to stderr, one line each
    missing = [value for value in wanted if value not in shown]
    assert not missing, f"{missing}\n{as_text.stdout}"
    assert "㊙" not in as_text.stdout and "🎉" not in as_text.stdout


def _without(document: Any, keys: set[str]) -> Any:
    if isinstance(document, dict):
        return {k: _without(v, keys) for k, v in document.items() if k not in keys}
    if isinstance(document, list):
        return [_without(v, keys) for v in document]
    return document
