"""The workers' opt-in cProfile (a diagnostic for bench/local): off by default, stats written when asked."""

from __future__ import annotations

import pstats

from webhookctl.localcloud.lambda_runtime import bootstrap


def handler(event, context):
    return {"echo": event}


def test_without_a_folder_the_handler_is_left_as_it_is():
    assert bootstrap._profiled(handler, None) is handler
    assert bootstrap._profiled(handler, "") is handler


def test_with_a_folder_each_worker_writes_its_stats(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "webhookctl-processor-dev")
    profiled = bootstrap._profiled(handler, str(tmp_path))
    assert profiled({"n": 1}, None) == {"echo": {"n": 1}}
    written = list(tmp_path.glob("webhookctl-processor-dev-*.prof"))
    assert len(written) == 1
    assert any(name == "handler" for (_, _, name) in pstats.Stats(str(written[0])).stats)  # type: ignore[attr-defined]
