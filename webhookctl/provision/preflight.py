"""Preflight: read-only checks that must pass before the first mutating call.

Each check reports its numbers and, when it fails, the fix. It catches both
failures of the original deployment: a handler import missing from the layer,
and reserved concurrency that would push the account's unreserved concurrency
below 100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from webhookctl import aws_limits
from webhookctl.config import ARCHITECTURES, ENV_NAME, FUNCTIONS, RUNTIMES
from webhookctl.errors import UsageError
from webhookctl.names import NAME_LIMITS, Names
from webhookctl.provision.apigateway_account import ApiGatewayAccount
from webhookctl.provision.concurrency import ConcurrencyDecision, fit_reservations

if TYPE_CHECKING:
    from webhookctl.aws import AwsContext
    from webhookctl.packaging.result import BuildResult
    from webhookctl.config import Settings

RESERVED_MODES = ("fit", "strict", "off")
STATUSES = ("pass", "fail", "skip", "warn")
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
WAF_MIN_RATE_LIMIT = 10
WAF_MAX_RATE_LIMIT = 2_000_000_000
WAF_WINDOWS_S = (60, 120, 300, 600)

# Characters AWS accepts in each kind of name (one table with the local cloud's rules).
NAME_CHARACTERS = aws_limits.NAME_CHARACTERS
# Secrets Manager treats "-" plus six characters at the end of a name as an ARN suffix.
SECRET_SUFFIX_LOOKALIKE = re.compile(r"-[A-Za-z0-9]{6}$")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    status: str  # pass | fail | skip | warn

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "status": self.status}


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail, "pass")


def failed(name: str, detail: str) -> Check:
    return Check(name, False, detail, "fail")


def skipped(name: str, detail: str) -> Check:
    return Check(name, True, detail, "skip")


def warned(name: str, detail: str) -> Check:
    return Check(name, True, detail, "warn")


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
    from webhookctl.provision.limit_checks import check_limits  # imports this module's Check

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


# --- credentials and region ---------------------------------------------------------------


def check_credentials(ctx: "AwsContext") -> Check:
    try:
        identity = ctx.client("sts").get_caller_identity()
    except Exception as exc:  # noqa: BLE001 - any failure here is the check's answer
        return failed("credentials", f"sts GetCallerIdentity failed: {_describe(exc)}; fix: {_credentials_fix(ctx)}")
    where = f" at {ctx.endpoint_url}" if ctx.endpoint_url else ""
    return passed("credentials", f"account {identity.get('Account')} as {identity.get('Arn')} (target {ctx.target}{where})")


def _credentials_fix(ctx: "AwsContext") -> str:
    if ctx.endpoint_url:
        return f"check that {ctx.endpoint_url} is up (for the local cloud: webhookctl local start)"
    return "configure credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or use --target local"


def check_region(ctx: "AwsContext") -> Check:
    region = ctx.region
    if not REGION_NAME.fullmatch(region or ""):
        return failed("region", f"{region!r} is not an AWS region name; fix: pass --region (e.g. us-east-1) or set AWS_REGION")
    if ctx.target == "aws":
        known = ctx.session.get_available_regions("lambda", partition_name=ctx.partition)
        if known and region not in known:
            return warned(
                "region",
                f"{region} is not a Lambda region this botocore knows in partition {ctx.partition}; "
                "fix: check the name, or upgrade boto3 if the region is new",
            )
    return passed("region", f"{region} (partition {ctx.partition})")


# --- names ------------------------------------------------------------------------------------


def check_names(settings: "Settings") -> Check:
    if not ENV_NAME.fullmatch(settings.env or ""):
        return failed(
            "names",
            f"env name {settings.env!r} must match {ENV_NAME.pattern}; fix: use lowercase letters, digits and hyphens, at most 16 characters",
        )
    names = Names(settings.prefix, settings.env)
    problems: list[str] = []
    notes: list[str] = []
    longest: tuple[float, str, str, int] | None = None
    for label, (kind, name) in names.all_names(settings.region).items():
        limit = NAME_LIMITS[kind]
        if len(name) > limit:
            problems.append(
                f"{label} {name!r} is {len(name)} characters, over the {kind} limit of {limit}; "
                f"fix: shorten the prefix or env by {len(name) - limit}"
            )
        pattern, allowed = NAME_CHARACTERS[kind]
        if not pattern.fullmatch(name):
            problems.append(f"{label} {name!r} may hold only {allowed}; fix: change the prefix or env")
        if kind == "secret" and SECRET_SUFFIX_LOOKALIKE.search(name):
            notes.append(
                f"secret name {name!r} ends with '-' and six characters, which Secrets Manager can mistake for an ARN suffix; "
                "fix: use an env name that is not six characters long"
            )
        fill = len(name) / limit
        if longest is None or fill > longest[0]:
            longest = (fill, name, kind, limit)
    if problems:
        return failed("names", "; ".join(problems))
    assert longest is not None
    summary = f"{len(names.all_names(settings.region))} names fit AWS limits; tightest: {longest[1]} ({len(longest[1])}/{longest[3]}, {longest[2]})"
    if notes:
        return warned("names", "; ".join([summary, *notes]))
    return passed("names", summary)


# --- runtime, WAF, imports --------------------------------------------------------------------


def check_runtime(settings: "Settings") -> Check:
    runtime, arch = settings.runtime, settings.architecture
    problems = []
    if runtime not in RUNTIMES:
        problems.append(f"runtime {runtime!r} is not supported (supported: {', '.join(RUNTIMES)})")
    if arch not in ARCHITECTURES:
        problems.append(f"architecture {arch!r} is not supported (supported: {', '.join(ARCHITECTURES)})")
    if problems:
        return failed("runtime", "; ".join(problems) + "; fix: set [lambda] runtime and architecture to a supported pair")
    return passed("runtime", f"{runtime} on {arch}")


def check_waf(settings: "Settings") -> Check:
    limit, window = settings.waf_rate_limit, settings.waf_window_s
    problems = []
    if not WAF_MIN_RATE_LIMIT <= limit <= WAF_MAX_RATE_LIMIT:
        problems.append(
            f"waf.rate_limit is {limit}, outside AWS's range {WAF_MIN_RATE_LIMIT}..{WAF_MAX_RATE_LIMIT}; "
            f"fix: set [waf] rate_limit to at least {WAF_MIN_RATE_LIMIT}"
        )
    if window not in WAF_WINDOWS_S:
        problems.append(
            f"waf.window_s is {window}, but WAF evaluates only {', '.join(map(str, WAF_WINDOWS_S))} seconds; "
            f"fix: set [waf] window_s to one of them"
        )
    if problems:
        return failed("waf", "; ".join(problems))
    return passed("waf", f"{limit} requests per {window} s per source IP ({limit / window:.1f} req/s), then Block")


def check_api_logging(ctx: "AwsContext", settings: "Settings", *, credentials_ok: bool = True, account: "ApiGatewayAccount | None" = None) -> Check:
    """Stage access logging needs the account's API Gateway CloudWatch role in this region (apigateway:GetAccount).

    Without it AWS refuses UpdateStage: "CloudWatch Logs role ARN must be set in account settings to
    enable logging" (API Gateway Developer Guide, "Set up CloudWatch logging for REST APIs").
    """
    if not settings.api_access_logs:
        return passed("api_logging", "stage access logging is off ([api] access_logs = false), so no account logging role is needed")
    if not credentials_ok:
        return skipped("api_logging", "not checked because the credentials check failed")
    try:
        arn = (account or ApiGatewayAccount(ctx)).read().get("cloudwatchRoleArn")
    except Exception as exc:  # noqa: BLE001 - a read that fails is the check's answer
        return failed(
            "api_logging",
            f"cannot read API Gateway's account settings: {_describe(exc)}; fix: allow apigateway:GET on "
            f"arn:{ctx.partition}:apigateway:{ctx.region}::/account, or set [api] access_logs = false",
        )
    if arn:
        return passed("api_logging", f"the account's API Gateway CloudWatch role in {ctx.region} (cloudWatchRoleArn) is {arn}")
    role = Names(settings.prefix, settings.env).account_logging_role
    if settings.api_create_account_logging_role:
        return passed(
            "api_logging",
            f"cloudWatchRoleArn is not set in {ctx.region}; up creates {role} and sets it ([api] create_account_logging_role = true)",
        )
    return failed(
        "api_logging",
        f"API Gateway's account setting cloudWatchRoleArn is not set in {ctx.region}, and stage access logging needs it; "
        f"fix: set [api] create_account_logging_role = true (up creates {role}, trusted by apigateway.amazonaws.com with "
        f"{_logging_policy(ctx.partition)}, and sets it for the account; down never removes it), "
        "or set [api] access_logs = false",
    )


def _logging_policy(partition: str) -> str:
    from webhookctl.provision.policies import api_gateway_logging_policy_arn

    return api_gateway_logging_policy_arn(partition)


def check_imports(build: "BuildResult | None") -> Check:
    if build is None:
        return skipped("import_check", "no build was given, so handler imports were not checked; fix: run webhookctl build")
    result = build.import_check
    if result.ok and not result.missing:
        return passed("import_check", f"every module the handlers import resolves in the {build.arch} layer, code or stdlib")
    lines = [_missing_sentence(missing) for missing in result.missing] or ["the build's import check failed"]
    return failed("import_check", "; ".join(lines))


def _missing_sentence(missing: Any) -> str:
    functions = getattr(missing, "functions", ()) or ()
    used = f" (function {', '.join(functions)})" if functions else ""
    line = getattr(missing, "line", None)
    where = f"{missing.imported_by}:{line}" if line else missing.imported_by
    fix = getattr(missing, "fix", None) or f"add the distribution that provides '{missing.module}' to the layer requirements"
    return f"module '{missing.module}' imported by {where}{used} is missing from the layer; fix: {fix}"


# --- account concurrency ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConcurrencyOutcome:
    check: Check
    reservations: dict[str, int | None]
    decision: ConcurrencyDecision | None = None


class AccountSettingsUnavailable(Exception):
    """The endpoint does not implement Lambda GetAccountSettings."""


def _worth_a_warning(check: Check, reserved_mode: str, credentials_ok: bool) -> bool:
    """Everything not plainly checked is a warning, except a concurrency check the user turned off,
    or one skipped only because the credentials failed (that failure is the news)."""
    if check.status == "warn":
        return True
    knock_on = not credentials_ok and check.name in ("concurrency", "api_logging", "secrets")
    return check.status == "skip" and not (knock_on or (check.name == "concurrency" and reserved_mode == "off"))


def check_provider_secrets(ctx: "AwsContext", settings: "Settings", *, credentials_ok: bool = True) -> Check:
    """Warn when an enabled provider will have no signing material after `up`: every delivery to it is refused."""
    from webhookctl.provision.secret_readiness import read_secret_readiness, without_secret_sentence

    name = "secrets"
    if not credentials_ok:
        return skipped(name, "not checked: the credentials check failed")
    try:
        readiness = read_secret_readiness(ctx.client("secretsmanager"), settings)
    except Exception as exc:  # noqa: BLE001 - e.g. AccessDenied or a KMS decrypt failure: reported, not fatal
        return skipped(name, f"could not read the provider secret: {_describe(exc)}")
    missing = readiness.without_secret
    if not missing:
        return passed(name, "every enabled provider has signing material")
    if not settings.protected:
        return passed(name, f"up generates test material for {', '.join(missing)}")
    created = "" if readiness.exists else "up creates the secret with no value (protected env); "
    return warned(name, created + without_secret_sentence(settings.env, missing))


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
                f"cannot read the account's concurrency: {_describe(exc)}; fix: allow lambda:GetAccountSettings and "
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


# --- wording ----------------------------------------------------------------------------------


def _format_reservations(values: dict[str, int | None]) -> str:
    parts = [f"{key}={'none' if value is None else value}" for key, value in values.items()]
    return ", ".join(parts) if parts else "none"


def _describe(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        message = (error.get("Message") or "").strip().splitlines()
        return f"{error.get('Code', 'error')}" + (f": {message[0]}" if message else "")
    return str(exc) or type(exc).__name__

