"""One soak run against a deployed env: plan, send, follow every accepted event to its end, count."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable

from bench.soak.deliveries import ProviderSigner
from bench.soak.driver import SendOutcome, SoakSender
from bench.soak.fates import follow_events
from bench.soak.plan import PlanShape, plan_sends
from bench.soak.report import SoakReport
from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import UsageError
from webhookctl.operations.deployment import Deployment
from webhookctl.operations.signed_fixtures import TIMESTAMPED

MAX_CONCURRENCY = 256


@dataclass(frozen=True)
class SoakOptions:
    count: int = 5000
    concurrency: int = 32
    drain_timeout_s: float = 300.0
    seed: int = 0
    providers: tuple[str, ...] = ()  # empty: every provider the env enables
    redelivery_share: float = 0.10
    forged_share: float = 0.05

    def check(self, settings: Settings) -> None:
        if self.count < 1:
            raise UsageError("--count must be at least 1")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise UsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
        if self.drain_timeout_s <= 0:
            raise UsageError("--drain-timeout must be more than 0 seconds")
        unknown = [p for p in self.providers if p not in settings.providers_enabled]
        if unknown:
            raise UsageError(f"provider(s) not enabled in env {settings.env}: {', '.join(unknown)}")
        if self.count > settings.waf_rate_limit:
            # Every send comes from one address, so the WAF rate rule would block most of the soak.
            raise UsageError(
                f"{self.count} sends exceed env {settings.env}'s WAF rate limit of {settings.waf_rate_limit} per {settings.waf_window_s} s from one address",
                hint="deploy the soak env with a higher [waf] rate_limit (see bench/soak/webhookctl.toml)",
            )


@dataclass
class SoakProgress:
    """Hooks for showing progress; each is optional."""

    sent: Callable[[SendOutcome], None] = lambda outcome: None
    following: Callable[[int, int], None] = lambda done, total: None


def run_soak(ctx: AwsContext, settings: Settings, options: SoakOptions, progress: SoakProgress | None = None) -> SoakReport:
    options.check(settings)
    progress = progress or SoakProgress()
    deployment = Deployment(ctx, settings)
    providers = options.providers or settings.providers_enabled
    signers = {provider: ProviderSigner(deployment, provider) for provider in providers}
    shape = PlanShape(options.count, options.redelivery_share, options.forged_share, min_gap=2 * options.concurrency)
    plan = plan_sends(shape, tuple(providers), TIMESTAMPED, seed=options.seed)
    url = deployment.webhook_url("{provider}")

    since_ms = int(time.time() * 1000)
    started = time.monotonic()
    outcomes = SoakSender(deployment.webhook_url, signers, options.concurrency).send_all(plan, progress.sent)
    sent_at = time.monotonic()
    stored = {o.event_key for o in outcomes if o.http_status == 200 and (o.received or o.duplicate)}
    fates = follow_events(deployment, stored, since_ms=since_ms, timeout_s=options.drain_timeout_s, on_poll=progress.following)
    return SoakReport(
        env=settings.env,
        url=url,
        count=options.count,
        concurrency=options.concurrency,
        send_seconds=sent_at - started,
        drain_seconds=time.monotonic() - sent_at,
        outcomes=outcomes,
        fates=fates,
        load_average=os.getloadavg() if hasattr(os, "getloadavg") else None,
    )
