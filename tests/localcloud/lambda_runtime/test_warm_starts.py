"""Functions are warm soon after a deploy changes them, as provisioned concurrency keeps them."""

from __future__ import annotations

import json
import time

from webhookctl.localcloud.lambda_runtime.warm_starts import WarmStarts

from tests.localcloud.lambda_runtime.conftest import HANDLER_SOURCE, zip_of


def _warm_worker(local_lambda, name: str, *, timeout_s: float = 20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        idle = [w for w in local_lambda.runtime.executor.workers() if w.function_name == name and w.invocations == 0]
        if idle:
            return idle[0]
        time.sleep(0.05)
    return None


def test_a_created_function_has_a_warm_worker_before_its_first_invocation(local_lambda):
    name = local_lambda.create_function("handler.pid")
    worker = _warm_worker(local_lambda, name)
    assert worker is not None, "no worker was started after CreateFunction"
    lam = local_lambda.client("lambda")
    pid = json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
    assert pid == worker.process.pid
    messages = local_lambda.log_messages(name)
    assert any(m.startswith("INIT_START") for m in messages)
    report = next(m for m in messages if m.startswith("REPORT"))
    assert "Init Duration" not in report  # the invocation did not pay the init phase


def test_new_code_gets_a_warm_worker_running_the_new_code(local_lambda):
    name = local_lambda.create_function("handler.ok")
    first = _warm_worker(local_lambda, name)
    assert first is not None
    new_source = HANDLER_SOURCE.replace('"hello from"', '"hello again from"')
    local_lambda.client("lambda").update_function_code(FunctionName=name, ZipFile=zip_of({"handler.py": new_source}))
    deadline = time.monotonic() + 20
    while first.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not first.alive  # the old code's worker is retired
    second = _warm_worker(local_lambda, name)
    assert second is not None and second is not first
    local_lambda.client("lambda").invoke(FunctionName=name, Payload=b"{}")
    assert any("hello again from" in m for m in local_lambda.log_messages(name))


def test_a_burst_of_changes_starts_one_worker_after_the_function_is_quiet():
    started: list[tuple[str, str, str]] = []
    now = [0.0]
    starts = WarmStarts(lambda *function: started.append(function), quiet_s=0.2, clock=lambda: now[0])
    try:
        for _ in range(3):
            starts.changed("123456789012", "us-east-1", "fn")
        time.sleep(0.3)
        assert started == []  # the clock has not moved: still within the quiet time
        now[0] = 1.0
        starts.changed("123456789012", "us-east-1", "other")
        starts.forget("123456789012", "us-east-1", "other")
        deadline = time.monotonic() + 5
        while not started and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert started == [("123456789012", "us-east-1", "fn")]
    finally:
        starts.stop()
