"""Preflight's checks of AWS's limits (webhookctl.aws_limits) on what `up` would send, before the first write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webhookctl import aws_limits as limits
from webhookctl.config import FUNCTIONS
from webhookctl.names import STAGE_NAME, Names
from webhookctl.provision import policies
from webhookctl.provision.apigateway_account import ApiGatewayAccount
from webhookctl.provision.preflight.checks import Check, failed, passed, skipped
from webhookctl.provision.references import resolve

if TYPE_CHECKING:
    from webhookctl.aws import AwsContext
    from webhookctl.packaging.result import BuildResult
    from webhookctl.config import Settings

WORST_ACCOUNT = "123456789012"
WORST_API_ID = "a" * 10


def check_limits(ctx: "AwsContext", settings: "Settings", build: "BuildResult | None", *, credentials_ok: bool,
                 account: ApiGatewayAccount | None = None) -> Check:
    """One check over every limit: it fails when any part fails; parts that could not be read say so."""
    parts = [
        check_environment(ctx, settings),
        check_packages(build),
        check_policy_sizes(ctx, settings),
        check_tags(settings),
        check_stage_throttle(ctx, settings, credentials_ok=credentials_ok, account=account),
    ]
    failures = [part for part in parts if not part.ok]
    if failures:
        return failed("aws_limits", "; ".join(f"{part.name}: {part.detail}" for part in failures))
    return passed("aws_limits", "; ".join(f"{part.name}: {part.detail}" for part in parts))


def _worst_case_outputs(names: Names, region: str, partition: str) -> dict[str, dict[str, str]]:
    """The longest values the environment's Refs resolve to, so the measured size is an upper bound."""
    return {
        "secret": {"arn": f"arn:{partition}:secretsmanager:{region}:{WORST_ACCOUNT}:secret:{names.secret}-XXXXXX"},
        "rest_api": {"webhook_url_base": f"https://{WORST_API_ID}.execute-api.{region}.amazonaws.com/{STAGE_NAME}/webhook/"},
    }


def check_environment(ctx: "AwsContext", settings: "Settings") -> Check:
    from webhookctl.provision.resources.functions import environment

    names = Names(settings.prefix, settings.env)
    sizes, problems = {}, []
    for key in FUNCTIONS:
        variables = resolve(environment(key, settings, names), _worst_case_outputs(names, ctx.region, ctx.partition))
        sizes[key] = limits.environment_size(variables)
        if sizes[key] > limits.ENVIRONMENT_BYTES:
            problems.append(f"{names.function(key)}'s environment variables measure {sizes[key]} bytes, over Lambda's 4 KB limit ({limits.ENVIRONMENT_BYTES} bytes)")
    measured = ", ".join(f"{key} {size} B" for key, size in sizes.items())
    if problems:
        return failed("lambda_environment", "; ".join(problems) + "; fix: keep large values (certificates) in the provider secret, not the config")
    return passed("lambda_environment", f"within Lambda's 4 KB ({limits.ENVIRONMENT_BYTES} bytes), worst case: {measured}")


def check_packages(build: "BuildResult | None") -> Check:
    if build is None:
        return skipped("package_size", "no build was given, so package sizes were not checked; fix: run webhookctl build")
    layer_unzipped = _unzipped(build.layer.path)
    problems = []
    for label, artifact in [("layer", build.layer), *build.functions.items()]:
        if limits.zipped_problem(artifact.bytes):
            problems.append(f"{label} zip is {artifact.bytes} bytes, over Lambda's 50 MB direct-upload limit ({limits.ZIPPED_BYTES} bytes)")
    totals = {key: _unzipped(artifact.path) + layer_unzipped for key, artifact in build.functions.items()}
    for key, total in totals.items():
        if total > limits.UNZIPPED_BYTES:
            problems.append(f"function {key} plus its layer unzip to {total} bytes, over Lambda's 250 MB limit ({limits.UNZIPPED_BYTES} bytes)")
    if problems:
        return failed("package_size", "; ".join(problems) + "; fix: trim [build] layer_requirements")
    largest = max(totals.values(), default=0)
    return passed("package_size", f"largest function plus layer unzipped: {largest} of {limits.UNZIPPED_BYTES} bytes; every zip under {limits.ZIPPED_BYTES} bytes")


def _unzipped(path: Any) -> int:
    """Unzipped size; 0 for an artifact that is not a readable zip (its zipped size is still checked)."""
    import zipfile
    from pathlib import Path

    try:
        return limits.unzipped_size(Path(path).read_bytes())
    except (OSError, zipfile.BadZipFile):
        return 0


def check_policy_sizes(ctx: "AwsContext", settings: "Settings") -> Check:
    names = Names(settings.prefix, settings.env)
    arns = policies.ResourceArns.for_env(names, account_id=WORST_ACCOUNT, region=ctx.region, partition=ctx.partition,
                                         kms_key_arn=f"arn:{ctx.partition}:kms:{ctx.region}:{WORST_ACCOUNT}:key/{'0' * 36}")
    problems = []
    largest = 0
    for key in FUNCTIONS:
        document = policies.function_policy(key, arns)
        largest = max(largest, limits.policy_characters(document))
        if limits.inline_policy_problem(document, names.role(key, ctx.region)):
            problems.append(f"{names.role(key, ctx.region)}'s inline policy is {limits.policy_characters(document)} characters, over IAM's {limits.INLINE_ROLE_POLICY_CHARS}")
    if limits.trust_policy_problem(policies.assume_role_policy()):
        problems.append(f"the trust policy is over IAM's {limits.TRUST_POLICY_CHARS} characters")
    key_policy = policies.kms_key_policy(policies.ResourceArns.for_env(
        names, account_id=WORST_ACCOUNT, region=ctx.region, partition=ctx.partition, kms_key_arn="*"))
    if limits.key_policy_problem(key_policy):
        problems.append(f"the key policy is over KMS's {limits.KEY_POLICY_BYTES} bytes")
    if problems:
        return failed("policy_sizes", "; ".join(problems) + "; fix: shorten the prefix")
    return passed("policy_sizes", f"largest inline role policy {largest} of {limits.INLINE_ROLE_POLICY_CHARS} characters; key policy within {limits.KEY_POLICY_BYTES} bytes")


def check_tags(settings: "Settings") -> Check:
    count = len(Names(settings.prefix, settings.env).tags())
    problem = limits.tags_problem(count)
    return failed("tags", f"{problem} fix: tag less") if problem else passed("tags", f"{count} tags per resource (limit {limits.TAGS_PER_RESOURCE})")


def check_stage_throttle(ctx: "AwsContext", settings: "Settings", *, credentials_ok: bool,
                         account: ApiGatewayAccount | None = None) -> Check:
    if not credentials_ok:
        return skipped("stage_throttle", "not checked because the credentials check failed")
    try:
        throttle = (account or ApiGatewayAccount(ctx)).read().get("throttleSettings") or {}
    except Exception as exc:  # noqa: BLE001 - an unreadable account is reported, not raised
        return skipped("stage_throttle", f"apigateway GetAccount failed ({type(exc).__name__}), so the account throttle was not read")
    rate = float(throttle.get("rateLimit", limits.ACCOUNT_RATE_LIMIT))
    burst = int(throttle.get("burstLimit", limits.ACCOUNT_BURST_LIMIT))
    problem = limits.throttle_problem(float(settings.api_rate_limit), settings.api_burst_limit, rate, burst)
    if problem:
        return failed("stage_throttle", f"{problem} fix: lower [api] rate_limit/burst_limit, or ask AWS to raise the account's API Gateway throttle quota")
    return passed("stage_throttle", f"stage {settings.api_rate_limit:g} rps / {settings.api_burst_limit} burst within the account's {rate:g} rps / {burst} burst")
