"""Text output prints every value exactly as `-o json` has it, on one line, at a narrow width, piped.

Each command runs twice against a deployed-looking env on a moto server: `-o json`, then text with a
40-column console that is not a terminal. Every string value of the JSON document must appear
verbatim in the text. Values carry `:secret:`-like codes and long ARN-like ids, which rich used to
turn into emoji and fold across lines.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tests.cli.operations_env import deploy_on, run
from tests.operations.conftest import put_event, send_processor_letter

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
}


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


def _without(document: Any, keys: set[str]) -> Any:
    if isinstance(document, dict):
        return {k: _without(v, keys) for k, v in document.items() if k not in keys}
    if isinstance(document, list):
        return [_without(v, keys) for v in document]
    return document
