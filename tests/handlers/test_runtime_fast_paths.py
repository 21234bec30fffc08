"""The runtime layer's warm-path shortcuts: compact JSON as json.dumps writes it, cached timestamp text."""

from __future__ import annotations

import io
import json
import random
import time

import pytest

from tests.handlers.handler_loading import forget_handler_modules


@pytest.fixture
def runtime(monkeypatch):
    from tests.handlers.handler_loading import LAYER

    forget_handler_modules()
    monkeypatch.syspath_prepend(str(LAYER))
    import webhook_runtime.compact_json as compact_json
    import webhook_runtime.structured_log as structured_log
    import webhook_runtime.timestamps as timestamps
    yield compact_json, structured_log, timestamps
    forget_handler_modules()


@pytest.mark.parametrize("value", [
    {"a": 1, "b": [1, 2.5, None, True, False], "c": "é\u2028\"\\\n", "d": {"e": {}}}, "x", 7, 2.5, None, [],
    float("nan"), {"k": float("inf")}, {1: "int key", 2.5: "float key"}, {"t": (1, 2)}, {"\ud800": "\udfff"},
])
def test_compact_json_is_what_json_dumps_writes(runtime, value):
    compact_json, _, _ = runtime
    encode = compact_json.compact_encoder(default=str)
    assert encode(value) == json.dumps(value, separators=(",", ":"), default=str)


def test_compact_json_without_a_default_refuses_what_json_refuses(runtime):
    compact_json, _, _ = runtime
    with pytest.raises(TypeError, match="not JSON serializable"):
        compact_json.compact_encoder()({"when": object()})
    assert compact_json.compact_encoder(default=str)({"when": 1j}) == '{"when":"1j"}'


def _reference_iso(epoch_s: float) -> str:
    whole, millis = divmod(round(epoch_s * 1000), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def test_cached_timestamps_match_a_fresh_formatting_in_any_order(runtime):
    _, _, timestamps = runtime
    rng = random.Random(7)
    base = 1714564799.0
    moments = [base + rng.choice([0, 0.0004, 0.0005, 0.9994, 0.9996, 1.0, 1.001, 3600.5]) + rng.random() / 10
               for _ in range(2000)]
    for moment in moments + sorted(moments) + [base, base, base + 0.0001, base - 0.0001]:
        assert timestamps.iso_utc(moment) == _reference_iso(moment), moment


def test_log_line_still_redacts_after_a_field_name_was_seen_as_safe(runtime):
    _, structured_log, _ = runtime
    stream = io.StringIO()
    log = structured_log.JsonLogger("svc", stream=stream).bind(request_id="r-1")
    log.info("one", status=200, detail="plain")
    log.info("two", status=200, detail={"x-signature": "v1=abc"}, api_token="t0k")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["detail"] == "plain" and second["detail"] == {"x-signature": "[redacted]"}
    assert second["api_token"] == "[redacted]" and "abc" not in stream.getvalue() and "t0k" not in stream.getvalue()
    assert list(first) == ["time", "level", "service", "message", "request_id", "status", "detail"]
