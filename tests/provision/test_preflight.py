"""Preflight checks: each pass and fail path, with moto (mock_aws) for the AWS reads.

moto has no Lambda GetAccountSettings, so the tests that need its answer replace
that one method on the context's real (moto-backed) Lambda client.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.conftest import set_account_logging_role
from webhookctl.aws import AwsContext, AwsOptions, connect
from webhookctl.packaging.result import Artifact, BuildResult, ImportCheck, Missing
from webhookctl.config import load_settings
from webhookctl.errors import UsageError
from webhookctl.provision import preflight
from webhookctl.provision.preflight import run_preflight

REGION = "us-east-1"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray ./webhookctl.toml
    return load_settings("dev")


@pytest.fixture
def aws(aws_credentials):
    with mock_aws():
        yield


@pytest.fixture
def bare_ctx(aws) -> AwsContext:
    """A fresh account: API Gateway's cloudWatchRoleArn was never set."""
    return connect(AwsOptions(env="dev", region=REGION, target="aws"))


@pytest.fixture
def ctx(bare_ctx) -> AwsContext:
    """An account that has API Gateway's CloudWatch role set, as any that used API Gateway logging has."""
    set_account_logging_role(boto3, REGION)
    return bare_ctx


def with_reservations(settings, **values):
    functions = {key: dataclasses.replace(fs, reserved_concurrency=values.get(key)) for key, fs in settings.functions.items()}
    return dataclasses.replace(settings, functions=functions)


def account_settings(ctx, limit: int, unreserved: int) -> list[int]:
    """Make the context's Lambda client answer GetAccountSettings; returns a list counting the calls."""
    calls: list[int] = []
    client = ctx.client("lambda")

    def answer(**_):
        calls.append(1)
        return {"AccountLimit": {"ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": unreserved}}

    client.get_account_settings = answer
    return calls


def account_settings_error(ctx, code: str, status: int, message: str = "") -> None:
    client = ctx.client("lambda")

    def refuse(**_):
        raise ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetAccountSettings")

    client.get_account_settings = refuse


def fake_build(missing: tuple[Missing, ...] = ()) -> BuildResult:
    artifact = Artifact(Path("x.zip"), 1, "0" * 64)
    return BuildResult(
        arch="arm64",
        python_version="3.11",
        layer=artifact,
        functions={"receiver": artifact, "processor": artifact, "audit": artifact},
        import_check=ImportCheck(ok=not missing, missing=missing),
    )


def create_function(name: str, reserved: int | None = None) -> None:
    iam = boto3.client("iam", region_name=REGION)
    try:
        role = iam.get_role(RoleName="test-role")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="test-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    lam = boto3.client("lambda", region_name=REGION)
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=role, Handler="handler.handler", Code={"ZipFile": buffer.getvalue()})
    if reserved is not None:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)


# --- the whole run --------------------------------------------------------------------------


def test_everything_passes_and_nothing_is_written(ctx, settings):
    account_settings(ctx, 1000, 1000)
    result = run_preflight(ctx, settings, reserved_mode="fit", build=fake_build())
    assert result.ok, result.to_json()
    assert [c.name for c in result.checks] == ["credentials", "region", "names", "runtime", "waf", "api_logging", "import_check", "concurrency", "aws_limits", "secrets"]
    assert {c.status for c in result.checks} == {"pass"}
    assert result.warnings == []
    assert ctx.counter.write == 0
    assert set(ctx.counter.by_operation) == {"sts:GetCallerIdentity", "apigateway:GetAccount", "lambda:GetFunctionConcurrency", "secretsmanager:DescribeSecret"}


def test_json_document_has_the_contract_keys(ctx, settings):
    account_settings(ctx, 1000, 1000)
    document = run_preflight(ctx, settings, reserved_mode="fit", build=fake_build()).to_json()
    assert document["ok"] is True
    for check in document["checks"]:
        assert set(check) >= {"name", "ok", "detail", "status"}
        assert check["status"] in ("pass", "fail", "skip", "warn")
    assert document["reservations"] == {"receiver": None, "processor": None, "audit": None}
    assert document["concurrency"]["account_limit"] == 1000


def test_unknown_reserved_mode_is_refused(ctx, settings):
    with pytest.raises(UsageError, match="--reserved-concurrency must be one of fit, strict, off"):
        run_preflight(ctx, settings, reserved_mode="loose", build=None)


# --- credentials and region -------------------------------------------------------------------


def test_credentials_pass_names_the_account(ctx):
    check = preflight.check_credentials(ctx)
    assert check.status == "pass"
    assert "123456789012" in check.detail


def test_missing_credentials_fail_with_the_fix_and_skip_concurrency(no_aws_credentials, settings):
    ctx = AwsContext(session=boto3.Session(), region=REGION, target="aws", endpoint_url=None)
    result = run_preflight(ctx, settings, reserved_mode="fit", build=fake_build())
    credentials = result.check("credentials")
    assert credentials.status == "fail" and not result.ok
    assert "GetCallerIdentity" in credentials.detail and "fix: configure credentials" in credentials.detail
    concurrency = result.check("concurrency")
    assert concurrency.status == "skip" and "credentials check failed" in concurrency.detail
    assert result.warnings == []  # the credentials failure is the news; its knock-on skip is not repeated
    assert ctx.counter.write == 0


def test_unreachable_endpoint_fails_credentials_with_a_fix(aws_credentials, settings):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
    ctx = AwsContext(session=boto3.Session(), region=REGION, target="endpoint", endpoint_url=endpoint)
    ctx._make_client = _no_retry_client(ctx)  # keep the test fast: one attempt
    check = preflight.check_credentials(ctx)
    assert check.status == "fail"
    assert f"check that {endpoint} is up" in check.detail


def _no_retry_client(ctx):
    from botocore.config import Config

    def make(service):
        return ctx.session.client(service, region_name=ctx.region, endpoint_url=ctx.endpoint_url, config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1))

    return make


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-4"])
def test_valid_region_names_pass(ctx, region):
    ctx = dataclasses.replace(ctx, region=region, _clients={})
    assert preflight.check_region(ctx).status == "pass"


@pytest.mark.parametrize("region", ["US-EAST-1", "useast1", "moon", "us-east", "us_east_1", ""])
def test_invalid_region_names_fail(ctx, region):
    check = preflight.check_region(dataclasses.replace(ctx, region=region, _clients={}))
    assert check.status == "fail"
    assert "fix: pass --region" in check.detail


def test_region_unknown_to_aws_warns(ctx):
    check = preflight.check_region(dataclasses.replace(ctx, region="xx-nowhere-9", _clients={}))
    assert check.status == "warn" and check.ok


def test_region_on_another_endpoint_is_not_looked_up(ctx):
    check = preflight.check_region(dataclasses.replace(ctx, region="xx-nowhere-9", target="endpoint", _clients={}))
    assert check.status == "pass"


# --- names ------------------------------------------------------------------------------------


def test_default_names_pass_with_the_tightest_reported(settings):
    check = preflight.check_names(settings)
    assert check.status == "pass"
    assert "webhookctl-processor-role-dev-use1 (34/64, iam_role)" in check.detail


def test_the_longest_valid_prefix_and_env_still_fit(settings):
    check = preflight.check_names(dataclasses.replace(settings, prefix="p" * 24, env="e" * 16))
    assert check.status == "pass", check.detail


@pytest.mark.parametrize("region", ["ap-southeast-2", "us-gov-west-1", "cn-northwest-1", "eu-central-2"])
def test_the_longest_names_fit_in_every_region(settings, region):
    # Role names carry the region (IAM is global; review F5): the longest still fits IAM's 64.
    check = preflight.check_names(dataclasses.replace(settings, prefix="p" * 24, env="e" * 16, region=region))
    assert check.status == "pass", check.detail


def test_bad_env_name_fails(settings):
    check = preflight.check_names(dataclasses.replace(settings, env="Prod_1"))
    assert check.status == "fail"
    assert "env name 'Prod_1'" in check.detail


def test_derived_name_over_its_limit_fails_with_the_numbers(settings):
    # 40 + len("-processor-role-dev-use1") = 64 fits the role limit of 64; 50 does not.
    assert preflight.check_names(dataclasses.replace(settings, prefix="a" * 40)).status == "pass"
    check = preflight.check_names(dataclasses.replace(settings, prefix="a" * 50))
    assert check.status == "fail"
    assert "processor_role" in check.detail and "receiver_function" not in check.detail  # 63 <= 64
    assert "is 74 characters, over the iam_role limit of 64; fix: shorten the prefix or env by 10" in check.detail


def test_bad_characters_fail(settings):
    check = preflight.check_names(dataclasses.replace(settings, prefix="web hook"))
    assert check.status == "fail"
    assert "may hold only" in check.detail


def test_secret_name_that_looks_like_an_arn_suffix_warns(settings):
    check = preflight.check_names(dataclasses.replace(settings, env="stagin"))
    assert check.status == "warn" and check.ok
    assert "six characters" in check.detail


# --- runtime, WAF and the import check --------------------------------------------------------


@pytest.mark.parametrize("runtime", ["python3.11", "python3.12", "python3.13"])
@pytest.mark.parametrize("arch", ["arm64", "x86_64"])
def test_supported_runtime_and_architecture_pass(settings, runtime, arch):
    assert preflight.check_runtime(dataclasses.replace(settings, runtime=runtime, architecture=arch)).status == "pass"


@pytest.mark.parametrize(("runtime", "arch", "named"), [("python3.9", "arm64", "python3.9"), ("python3.11", "ppc64", "ppc64"), ("nodejs20.x", "x86", "nodejs20.x")])
def test_unsupported_runtime_or_architecture_fails(settings, runtime, arch, named):
    check = preflight.check_runtime(dataclasses.replace(settings, runtime=runtime, architecture=arch))
    assert check.status == "fail"
    assert named in check.detail and "fix:" in check.detail


@pytest.mark.parametrize(("limit", "window"), [(10, 60), (600, 60), (2_000_000_000, 600), (100, 120), (100, 300)])
def test_waf_within_limits_passes(settings, limit, window):
    assert preflight.check_waf(dataclasses.replace(settings, waf_rate_limit=limit, waf_window_s=window)).status == "pass"


def test_waf_rate_below_ten_fails(settings):
    check = preflight.check_waf(dataclasses.replace(settings, waf_rate_limit=9))
    assert check.status == "fail"
    assert "waf.rate_limit is 9" in check.detail and "at least 10" in check.detail


@pytest.mark.parametrize("window", [30, 90, 3600])
def test_waf_window_not_offered_by_aws_fails(settings, window):
    check = preflight.check_waf(dataclasses.replace(settings, waf_window_s=window))
    assert check.status == "fail"
    assert f"waf.window_s is {window}" in check.detail and "60, 120, 300, 600" in check.detail


def test_import_check_passes_for_a_clean_build():
    assert preflight.check_imports(fake_build()).status == "pass"


def test_missing_layer_dependency_fails_naming_module_handler_and_fix():
    missing = Missing("aws_xray_sdk", "webhook_receiver/handler.py", 7, "add aws-xray-sdk to layer/requirements.txt", ("receiver",))
    check = preflight.check_imports(fake_build((missing,)))
    assert check.status == "fail"
    assert "'aws_xray_sdk'" in check.detail
    assert "webhook_receiver/handler.py:7" in check.detail
    assert "fix: add aws-xray-sdk to layer/requirements.txt" in check.detail


def test_no_build_means_the_import_check_is_skipped_with_a_warning(ctx, settings):
    account_settings(ctx, 1000, 1000)
    result = run_preflight(ctx, settings, reserved_mode="fit", build=None)
    assert result.check("import_check").status == "skip"
    assert any(w.startswith("import_check:") for w in result.warnings)


def test_a_failed_check_fails_the_whole_preflight(ctx, settings):
    account_settings(ctx, 1000, 1000)
    result = run_preflight(ctx, dataclasses.replace(settings, waf_window_s=90), reserved_mode="fit", build=fake_build())
    assert not result.ok
    assert [c.name for c in result.failures] == ["waf"]


# --- account concurrency ----------------------------------------------------------------------


def test_fit_keeps_reservations_that_fit(ctx, settings):
    account_settings(ctx, 1000, 1000)
    result = run_preflight(ctx, with_reservations(settings, receiver=100, processor=50), reserved_mode="fit", build=fake_build())
    check = result.check("concurrency")
    assert check.status == "pass"
    assert result.reservations == {"receiver": 100, "processor": 50, "audit": None}
    assert "leaves 850 unreserved" in check.detail


def test_fit_scales_down_and_says_what_was_applied(ctx, settings):
    account_settings(ctx, 1000, 300)  # budget: 300 - 100 = 200
    result = run_preflight(ctx, with_reservations(settings, receiver=300, processor=100), reserved_mode="fit", build=fake_build())
    check = result.check("concurrency")
    assert result.ok and check.status == "warn"
    assert result.reservations == {"receiver": 150, "processor": 50, "audit": None}
    assert "would leave -100 unreserved, below the minimum of 100" in check.detail
    assert "scaled down proportionally to receiver=150, processor=50, audit=none, leaving 100 unreserved" in check.detail
    assert result.warnings and result.warnings[0].startswith("concurrency:")


def test_strict_fails_with_the_numbers_and_the_fix(ctx, settings):
    account_settings(ctx, 1000, 300)
    result = run_preflight(ctx, with_reservations(settings, receiver=300, processor=100), reserved_mode="strict", build=fake_build())
    check = result.check("concurrency")
    assert not result.ok and check.status == "fail"
    assert "account limit 1000, unreserved now 300" in check.detail
    assert "fix: lower [functions.*] reserved_concurrency to 200 in total" in check.detail


def test_strict_passes_when_reservations_fit(ctx, settings):
    account_settings(ctx, 1000, 1000)
    result = run_preflight(ctx, with_reservations(settings, audit=10), reserved_mode="strict", build=fake_build())
    assert result.ok and result.check("concurrency").status == "pass"
    assert result.reservations["audit"] == 10


def test_off_reserves_nothing_and_is_not_a_failure(ctx, settings):
    calls = account_settings(ctx, 10, 10)
    result = run_preflight(ctx, with_reservations(settings, receiver=500), reserved_mode="off", build=fake_build())
    check = result.check("concurrency")
    assert check.status == "skip" and check.ok and result.ok
    assert result.reservations == {"receiver": None, "processor": None, "audit": None}
    assert result.warnings == []
    assert calls == []  # nothing to verify, so nothing read


def test_existing_reservations_of_this_env_are_netted(ctx, settings):
    create_function("webhookctl-receiver-dev", reserved=200)
    create_function("webhookctl-processor-dev")  # no reservation; audit does not exist
    account_settings(ctx, 1000, 150)  # 150 left because this env already holds 200
    result = run_preflight(ctx, with_reservations(settings, receiver=250), reserved_mode="strict", build=fake_build())
    check = result.check("concurrency")
    assert check.status == "pass", check.detail
    assert result.concurrency.existing == {"receiver": 200, "processor": 0, "audit": 0}
    assert result.concurrency.unreserved_if_requested == 100
    assert ctx.counter.write == 0


def test_releasing_a_reservation_is_counted_too(ctx, settings):
    create_function("webhookctl-receiver-dev", reserved=200)
    account_settings(ctx, 1000, 50)
    result = run_preflight(ctx, settings, reserved_mode="strict", build=fake_build())
    check = result.check("concurrency")
    assert check.status == "pass", check.detail
    assert "250 stay unreserved" in check.detail


def test_account_already_below_the_minimum_warns_without_reservations(ctx, settings):
    account_settings(ctx, 10, 10)
    result = run_preflight(ctx, settings, reserved_mode="fit", build=fake_build())
    check = result.check("concurrency")
    assert check.status == "warn" and result.ok
    assert "only 10 unreserved" in check.detail


def test_plain_moto_without_get_account_settings_is_skipped_with_a_warning(ctx, settings):
    result = run_preflight(ctx, with_reservations(settings, receiver=20), reserved_mode="fit", build=fake_build())
    check = result.check("concurrency")
    assert check.status == "skip" and result.ok
    assert "cannot answer Lambda GetAccountSettings (HTTP 404: Not yet implemented)" in check.detail
    assert result.reservations["receiver"] == 20
    assert any("GetAccountSettings" in w for w in result.warnings)


def test_plain_moto_fails_strict(ctx, settings):
    result = run_preflight(ctx, settings, reserved_mode="strict", build=fake_build())
    check = result.check("concurrency")
    assert check.status == "fail" and not result.ok
    assert "cannot answer Lambda GetAccountSettings" in check.detail and "fix:" in check.detail


def test_a_server_answering_with_an_html_404_is_reduced_to_its_status(ctx, settings):
    account_settings_error(ctx, "404", 404, "<!doctype html>\n<title>404 Not Found</title>")
    check = run_preflight(ctx, settings, reserved_mode="fit", build=fake_build()).check("concurrency")
    assert check.status == "skip"
    assert "(HTTP 404)" in check.detail and "<" not in check.detail


def test_access_denied_fails_with_the_permissions_to_add(ctx, settings):
    account_settings_error(ctx, "AccessDeniedException", 403, "not authorized to perform lambda:GetAccountSettings")
    check = run_preflight(ctx, settings, reserved_mode="fit", build=fake_build()).check("concurrency")
    assert check.status == "fail"
    assert "AccessDeniedException" in check.detail and "allow lambda:GetAccountSettings" in check.detail


def test_read_reserved_concurrency_of_an_absent_function_is_zero(ctx):
    assert preflight.read_reserved_concurrency(ctx.client("lambda"), "no-such-function") == 0
    create_function("has-one", reserved=7)
    assert preflight.read_reserved_concurrency(ctx.client("lambda"), "has-one") == 7


# --- API Gateway account logging role (review F1) --------------------------------------------
# API Gateway Developer Guide, "Set up CloudWatch logging for REST APIs": UpdateStage with access
# logging is refused ("CloudWatch Logs role ARN must be set in account settings to enable logging")
# until the account's cloudWatchRoleArn is set in the region. moto accepts it; preflight must not.


def test_a_fresh_account_without_the_logging_role_fails_with_both_ways_out(bare_ctx, settings):
    account_settings(bare_ctx, 1000, 1000)
    result = run_preflight(bare_ctx, settings, reserved_mode="fit", build=fake_build())
    check = result.check("api_logging")
    assert check.status == "fail" and not result.ok
    assert "cloudWatchRoleArn is not set in us-east-1" in check.detail
    assert "[api] create_account_logging_role = true" in check.detail and "[api] access_logs = false" in check.detail
    assert "webhookctl-apigw-cloudwatch" in check.detail and "AmazonAPIGatewayPushToCloudWatchLogs" in check.detail
    assert bare_ctx.counter.by_operation.get("apigateway:GetAccount") == 1
    assert bare_ctx.counter.write == 0


def test_an_account_with_the_logging_role_passes_and_names_it(ctx, settings):
    check = preflight.check_api_logging(ctx, settings)
    assert check.status == "pass" and "role/account-apigw-cloudwatch" in check.detail


def test_without_access_logs_the_account_role_is_not_needed(bare_ctx, settings):
    check = preflight.check_api_logging(bare_ctx, dataclasses.replace(settings, api_access_logs=False))
    assert check.status == "pass" and "access_logs = false" in check.detail
    assert "apigateway:GetAccount" not in bare_ctx.counter.by_operation


def test_creating_the_account_role_is_an_accepted_way_out(bare_ctx, settings):
    check = preflight.check_api_logging(bare_ctx, dataclasses.replace(settings, api_create_account_logging_role=True))
    assert check.status == "pass" and "up creates webhookctl-apigw-cloudwatch" in check.detail


def test_an_unreadable_account_setting_fails_with_the_permission_to_grant(bare_ctx, settings):
    def refuse(**_):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "User is not authorized"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetAccount")

    bare_ctx.client("apigateway").get_account = refuse
    check = preflight.check_api_logging(bare_ctx, settings)
    assert check.status == "fail" and "allow apigateway:GET on arn:aws:apigateway:us-east-1::/account" in check.detail
