"""Preflight: read-only checks that must pass before the first mutating call.

Each check reports its numbers and, when it fails, the fix. It catches both
failures of the original deployment: a handler import missing from the layer,
and reserved concurrency that would push the account's unreserved concurrency
below 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from webhookctl.errors import UsageError
from webhookctl.provision.apigateway_account import ApiGatewayAccount
from webhookctl.provision.concurrency import ConcurrencyDecision
from webhookctl.provision.preflight.account_concurrency import (
    RESERVED_MODES,
    AccountSettingsUnavailable,
    ConcurrencyOutcome,
    check_concurrency,
    read_account_concurrency,
    read_reserved_concurrency,
)
from webhookctl.provision.preflight.account_state import check_api_logging, check_credentials, check_provider_secrets, check_region
from webhookctl.provision.preflight.checks import STATUSES, Check, failed, passed, skipped, warned
from webhookctl.provision.preflight.offline import check_imports, check_names, check_runtime, check_waf

if TYPE_CHECKING:
    from webhookctl.aws import AwsContext
    from webhookctl.config import Settings
    from webhookctl.packaging.result import BuildResult

__all__ = [
    "RESERVED_MODES",
    "STATUSES",
    "AccountSettingsUnavailable",
    "Check",
    "ConcurrencyOutcome",
    "PreflightResult",
    "check_api_logging",
    "check_concurrency",
    "check_credentials",
    "check_imports",
    "check_names",
    "check_provider_secrets",
    "check_region",
    "check_runtime",
    "check_waf",
    "failed",
    "passed",
    "read_account_concurrency",
    "read_reserved_concurrency",
    "run_preflight",
    "skipped",
    "warned",
]


@dataclass
class PreflightResult:
    """All checks, and the reservations `up` should apply (None = no reservation)."""

    ok: bool
    checks: list[Check]
    reservations: dict[str, int | None]
    reserved_mode: str = "fit"
    concurrency: ConcurrencyDecision | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
            "reservations": dict(self.reservations),
            "reserved_mode": self.reserved_mode,
            "concurrency": self.concurrency.to_json() if self.concurrency else None,
            "warnings": list(self.warnings),
        }


def run_preflight(
    ctx: "AwsContext",
    settings: "Settings",
    *,
    reserved_mode: str = "fit",
    build: "BuildResult | None" = None,
) -> PreflightResult:
    """Run every check; read-only (GetCallerIdentity, GetAccountSettings, GetFunctionConcurrency, apigateway GetAccount,
    DescribeSecret, GetSecretValue)."""
    if reserved_mode not in RESERVED_MODES:
        raise UsageError(f"--reserved-concurrency must be one of {', '.join(RESERVED_MODES)} (got {reserved_mode!r})")
    credentials = check_credentials(ctx)
    account = ApiGatewayAccount(ctx)
    checks = [
        credentials,
        check_region(ctx),
        check_names(settings),
        check_runtime(settings),
        check_waf(settings),
        check_api_logging(ctx, settings, credentials_ok=credentials.ok, account=account),
        check_imports(build),
    ]
    outcome = check_concurrency(ctx, settings, reserved_mode, credentials_ok=credentials.ok)
    checks.append(outcome.check)
    from webhookctl.provision.limit_checks import check_limits  # it imports this package's checks

    checks.append(check_limits(ctx, settings, build, credentials_ok=credentials.ok, account=account))
    checks.append(check_provider_secrets(ctx, settings, credentials_ok=credentials.ok))
    warnings = [f"{check.name}: {check.detail}" for check in checks if _worth_a_warning(check, reserved_mode, credentials.ok)]
    return PreflightResult(
        ok=all(check.ok for check in checks),
        checks=checks,
        reservations=outcome.reservations,
        reserved_mode=reserved_mode,
        concurrency=outcome.decision,
        warnings=warnings,
    )


def _worth_a_warning(check: Check, reserved_mode: str, credentials_ok: bool) -> bool:
    """Everything not plainly checked is a warning, except a concurrency check the user turned off,
    or one skipped only because the credentials failed (that failure is the news)."""
    if check.status == "warn":
        return True
    knock_on = not credentials_ok and check.name in ("concurrency", "api_logging", "secrets")
    return check.status == "skip" and not (knock_on or (check.name == "concurrency" and reserved_mode == "off"))
