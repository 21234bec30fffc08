"""The account concurrency check: reservations must leave the account its minimum unreserved concurrency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from webhookctl.config import FUNCTIONS
from webhookctl.names import Names
from webhookctl.provision.concurrency import ConcurrencyDecision, fit_reservations
from webhookctl.provision.preflight.checks import Check, describe_error, failed, passed, skipped, warned

if TYPE_CHECKING:
    from webhookctl.aws import AwsContext
    from webhookctl.config import Settings

RESERVED_MODES = ("fit", "strict", "off")


@dataclass(frozen=True)
class ConcurrencyOutcome:
    check: Check
    reservations: dict[str, int | None]
    decision: ConcurrencyDecision | None = None


class AccountSettingsUnavailable(Exception):
    """The endpoint does not implement Lambda GetAccountSettings."""


def check_concurrency(ctx: "AwsContext", settings: "Settings", mode: str, *, credentials_ok: bool = True) -> ConcurrencyOutcome:
    requested = {key: settings.functions[key].reserved_concurrency for key in FUNCTIONS}
    asked = _format_reservations(requested) if any(v is not None for v in requested.values()) else "none configured"
    if mode == "off":
        return ConcurrencyOutcome(
            skipped("concurrency", f"skipped: --reserved-concurrency off, so no function gets a reservation (configured: {asked})"),
            {key: None for key in FUNCTIONS},
        )
    if not credentials_ok:
        check = _unverified(mode, "not checked because the credentials check failed", asked)
        return ConcurrencyOutcome(check, requested)
    lambda_client = ctx.client("lambda")
    try:
        account_limit, unreserved_now = read_account_concurrency(lambda_client)
        names = Names(settings.prefix, settings.env)
        existing = {key: read_reserved_concurrency(lambda_client, names.function(key)) for key in FUNCTIONS}
    except AccountSettingsUnavailable as exc:
        return ConcurrencyOutcome(_unverified(mode, f"the endpoint cannot answer Lambda GetAccountSettings ({exc})", asked), requested)
    except Exception as exc:  # noqa: BLE001 - a read that fails is the check's answer
        return ConcurrencyOutcome(
            failed(
                "concurrency",
                f"cannot read the account's concurrency: {describe_error(exc)}; fix: allow lambda:GetAccountSettings and "
                "lambda:GetFunctionConcurrency, or pass --reserved-concurrency off",
            ),
            requested,
        )
    decision = fit_reservations(account_limit, unreserved_now, existing, requested)
    return _judge(decision, mode)


def _unverified(mode: str, why: str, asked: str) -> Check:
    if mode == "strict":
        return failed("concurrency", f"{why}, so reservations cannot be verified (configured: {asked}); fix: use --reserved-concurrency fit or off")
    return skipped("concurrency", f"skipped with a warning: {why}; reservations are applied unverified ({asked})")


def _judge(decision: ConcurrencyDecision, mode: str) -> ConcurrencyOutcome:
    numbers = (
        f"account limit {decision.account_limit}, unreserved now {decision.unreserved_now}, "
        f"this env's existing reservations {_format_reservations(decision.existing)}"
    )
    if decision.requested_total == 0:
        if decision.pool < decision.minimum:
            return ConcurrencyOutcome(
                warned(
                    "concurrency",
                    f"no reservations configured, but the account has only {decision.pool} unreserved "
                    f"(minimum {decision.minimum}) before this env reserves anything ({numbers}); "
                    "fix: release other functions' reservations or ask AWS for a higher concurrency quota",
                ),
                decision.requested,
                decision,
            )
        return ConcurrencyOutcome(
            passed("concurrency", f"no reservations configured; {decision.pool} stay unreserved ({numbers})"),
            decision.requested,
            decision,
        )
    if decision.fits:
        return ConcurrencyOutcome(
            passed(
                "concurrency",
                f"reserving {_format_reservations(decision.requested)} leaves {decision.unreserved_if_requested} unreserved "
                f"(minimum {decision.minimum}; {numbers})",
            ),
            decision.requested,
            decision,
        )
    problem = (
        f"reserving {_format_reservations(decision.requested)} ({decision.requested_total}) would leave "
        f"{decision.unreserved_if_requested} unreserved, below the minimum of {decision.minimum} ({numbers}); "
        f"at most {decision.budget} can be reserved in total"
    )
    if mode == "strict":
        fix = (
            f"lower [functions.*] reserved_concurrency to {decision.budget} in total, request a higher account "
            "concurrency quota, or pass --reserved-concurrency fit"
        )
        return ConcurrencyOutcome(failed("concurrency", f"{problem}; fix: {fix}"), decision.requested, decision)
    applied = (
        f"scaled down proportionally to {_format_reservations(decision.fitted)}, "
        f"leaving {decision.unreserved_if_fitted} unreserved"
    )
    return ConcurrencyOutcome(
        warned("concurrency", f"{problem}; {applied}; to reserve more, request a higher account concurrency quota"),
        decision.fitted,
        decision,
    )


def read_account_concurrency(lambda_client: Any) -> tuple[int, int]:
    """(ConcurrentExecutions, UnreservedConcurrentExecutions) from Lambda GetAccountSettings."""
    from botocore.exceptions import ClientError

    try:
        limit = lambda_client.get_account_settings()["AccountLimit"]
    except ClientError as exc:
        if _not_implemented(exc):
            raise AccountSettingsUnavailable(_unavailable_reason(exc)) from None
        raise
    return int(limit["ConcurrentExecutions"]), int(limit["UnreservedConcurrentExecutions"])


def read_reserved_concurrency(lambda_client: Any, function_name: str) -> int:
    """A function's reserved concurrency; 0 when it has none or does not exist yet."""
    from botocore.exceptions import ClientError

    try:
        answer = lambda_client.get_function_concurrency(FunctionName=function_name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return 0
        raise
    return int(answer.get("ReservedConcurrentExecutions") or 0)


def _unavailable_reason(exc: Any) -> str:
    """'HTTP 404: Not yet implemented'; an HTML error page is reduced to its status."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    lines = str(exc.response.get("Error", {}).get("Message") or "").strip().splitlines()
    message = lines[0].strip() if lines and not lines[0].lstrip().startswith("<") else ""
    return f"HTTP {status}" + (f": {message}" if message else "")


def _not_implemented(exc: Any) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")).lower()
    return (
        status in (404, 501)
        and code != "ResourceNotFoundException"
        or code in {"404", "501", "NotImplemented", "NotImplementedException", "UnknownOperationException", "InvalidAction"}
        or "not yet implemented" in message
        or "not implemented" in message
    )


def _format_reservations(values: dict[str, int | None]) -> str:
    parts = [f"{key}={'none' if value is None else value}" for key, value in values.items()]
    return ", ".join(parts) if parts else "none"
