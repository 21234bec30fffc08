"""The soak in CI: a few hundred signed webhooks, re-deliveries and forgeries through the whole pipeline.

The by-hand soak (`python -m bench.soak`, 5,000 sends) runs the same driver; this keeps it
small enough for CI and asserts the same guarantees. The plan and report checks below need no server.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.soak.driver import SendOutcome
from bench.soak.fates import EventFate
from bench.soak.plan import FORGED, FRESH, REDELIVERY, STALE, WRONG_KEY, PlanShape, plan_sends
from bench.soak.report import SoakReport, render_table

ENV = "soak"
PROVIDERS = ("stripe", "github", "shopify", "square", "adyen", "standardwebhooks", "svix", "paypal")
TIMESTAMPED = ("stripe", "standardwebhooks", "svix")


# -- the plan and the report, without a server ------------------------------------------------


def test_plan_has_the_asked_shares_and_every_redelivery_repeats_an_earlier_fresh_send():
    plan = plan_sends(PlanShape(1000, min_gap=64), PROVIDERS, TIMESTAMPED, seed=7)
    kinds = [send.kind for send in plan]
    assert (kinds.count(FRESH), kinds.count(REDELIVERY), kinds.count(FORGED)) == (850, 100, 50)
    for send in plan:
        if send.kind == REDELIVERY:
            original = plan[send.original]
            assert original.kind == FRESH and original.provider == send.provider
            assert send.index - send.original >= 64
    assert {send.provider for send in plan if send.kind == FRESH} == set(PROVIDERS)
    forgeries = {(send.provider, send.forgery) for send in plan if send.kind == FORGED}
    assert (("stripe", STALE) in forgeries) and (("stripe", WRONG_KEY) in forgeries)
    assert all(forgery == WRONG_KEY for provider, forgery in forgeries if provider not in TIMESTAMPED)
    assert plan == plan_sends(PlanShape(1000, min_gap=64), PROVIDERS, TIMESTAMPED, seed=7)


def test_a_short_plan_still_puts_originals_first():
    plan = plan_sends(PlanShape(12, redelivery_share=0.5, forged_share=0.0, min_gap=64), ("github",), (), seed=1)
    for send in plan:
        if send.kind == REDELIVERY:
            assert send.original < send.index and plan[send.original].kind == FRESH


def _outcome(index, kind, key, status=200, received=False, duplicate=False, detail=""):
    return SendOutcome(index, kind, "github", key, status, received, duplicate, 10.0 + index, detail)


def _report(outcomes, fates):
    return SoakReport("t", "http://x/{provider}", len(outcomes), 2, 1.0, 1.0, outcomes, {f.event_key: f for f in fates})


def test_report_passes_a_clean_run():
    report = _report(
        [_outcome(0, FRESH, "a", received=True), _outcome(1, REDELIVERY, "a", duplicate=True), _outcome(2, FORGED, "f", status=401)],
        [EventFate("a", "PROCESSED", 1, False, 1)],
    )
    figures = report.figures()
    assert report.ok
    assert (figures["accepted"], figures["duplicates"], figures["rejected"], figures["processed"]) == (1, 1, 1, 1)
    assert "PASS" in render_table(report)


@pytest.mark.parametrize(
    "outcomes, fates, failed",
    [
        ([_outcome(0, FRESH, "a", received=True)], [EventFate("a", "RECEIVED", 0, False, 0)], "lost"),
        ([_outcome(0, FRESH, "a", received=True)], [EventFate("a", "PROCESSED", 2, False, 1)], "processed_twice"),
        ([_outcome(0, FRESH, "a", received=True)], [EventFate("a", "PROCESSED", 1, False, 2)], "processed_twice"),
        ([_outcome(0, FRESH, "a", received=True)], [EventFate("a", "PROCESSED", 1, False, 0)], "unaudited"),
        ([_outcome(0, FRESH, "a", status=503)], [], "unexpected_statuses"),
        ([_outcome(0, FORGED, "f", received=True)], [EventFate("f", "PROCESSED", 1, False, 1)], "unexpected_statuses"),
        (
            [_outcome(0, FRESH, "a", received=True), _outcome(1, REDELIVERY, "a", received=True)],
            [EventFate("a", "PROCESSED", 1, False, 1)],
            "accepted_twice",
        ),
    ],
)
def test_report_fails_on_each_broken_guarantee(outcomes, fates, failed):
    report = _report(outcomes, fates)
    assert not report.ok
    assert report.figures()[failed] == 1
    assert failed in report.problems
    assert "FAIL" in render_table(report)


def test_a_dead_lettered_event_is_not_lost():
    report = _report([_outcome(0, FRESH, "a", received=True)], [EventFate("a", "RECEIVED", 0, True, 0)])
    assert report.ok and report.figures()["in_dlq"] == 1 and report.figures()["lost"] == 0


# -- the soak itself, on the local cloud ------------------------------------------------------


@pytest.mark.e2e
def test_soak_loses_nothing_and_processes_nothing_twice(local_cloud, deployed):
    outputs = deployed(ENV)
    run = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--env", ENV, "--endpoint", local_cloud.endpoint, "--config", str(local_cloud.config),
         "--count", "300", "--concurrency", "16", "--drain-timeout", "40", "--json"],
        capture_output=True, text=True, env=local_cloud.base_env, timeout=120,
    )
    assert run.stdout, run.stderr[-2000:]
    report = json.loads(run.stdout)
    figures = report["figures"]
    assert run.returncode == 0, (figures, report["problems"])
    assert report["url"] == outputs["WebhookUrlTemplate"]
    assert (figures["sent"], figures["fresh"], figures["redeliveries"], figures["forged"]) == (300, 255, 30, 15)
    assert figures["lost"] == 0 and figures["processed_twice"] == 0 and figures["unaudited"] == 0
    assert figures["unexpected_statuses"] == 0, report["problems"]
    assert figures["rejected"] == figures["forged"]  # every forgery answered 401
    assert figures["accepted"] == figures["fresh"] and figures["accepted_twice"] == 0  # each event accepted once
    assert figures["duplicates"] == figures["redeliveries"]  # re-deliveries follow their original's answer
    assert figures["processed"] == figures["accepted"] and figures["in_dlq"] == 0
    assert figures["http_statuses"] == {"200": 285, "401": 15}
    assert 0 < figures["p50_accept_ms"] <= figures["p99_accept_ms"]
