"""Checks that read the account: credentials, region, API Gateway's logging role, provider secrets."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from webhookctl.names import Names
from webhookctl.provision.apigateway_account import ApiGatewayAccount
from webhookctl.provision.preflight.checks import Check, describe_error, failed, passed, skipped, warned

if TYPE_CHECKING:
    from webhookctl.aws import AwsContext
    from webhookctl.config import Settings

REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


def check_credentials(ctx: "AwsContext") -> Check:
    try:
        identity = ctx.client("sts").get_caller_identity()
    except Exception as exc:  # noqa: BLE001 - any failure here is the check's answer
        return failed("credentials", f"sts GetCallerIdentity failed: {describe_error(exc)}; fix: {_credentials_fix(ctx)}")
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
            f"cannot read API Gateway's account settings: {describe_error(exc)}; fix: allow apigateway:GET on "
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


def check_provider_secrets(ctx: "AwsContext", settings: "Settings", *, credentials_ok: bool = True) -> Check:
    """Warn when an enabled provider will have no signing material after `up`: every delivery to it is refused."""
    from webhookctl.provision.secret_readiness import read_secret_readiness, without_secret_sentence

    name = "secrets"
    if not credentials_ok:
        return skipped(name, "not checked: the credentials check failed")
    try:
        readiness = read_secret_readiness(ctx.client("secretsmanager"), settings)
    except Exception as exc:  # noqa: BLE001 - e.g. AccessDenied or a KMS decrypt failure: reported, not fatal
        return skipped(name, f"could not read the provider secret: {describe_error(exc)}")
    missing = readiness.without_secret
    if not missing:
        return passed(name, "every enabled provider has signing material")
    if not settings.protected:
        return passed(name, f"up generates test material for {', '.join(missing)}")
    created = "" if readiness.exists else "up creates the secret with no value (protected env); "
    return warned(name, created + without_secret_sentence(settings.env, missing))
