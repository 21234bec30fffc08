"""The local cloud starts like a used account: API Gateway's CloudWatch role is set in every region.

A fresh AWS account has no cloudWatchRoleArn, and stage access logging is refused until it is set
(API Gateway Developer Guide, "Set up CloudWatch logging for REST APIs"); preflight checks it. A bare
moto server is such a fresh account (tests/provision/test_commands_moto_server.py), the local cloud is not.
"""

from __future__ import annotations

import urllib.request
from typing import Iterator

import boto3
import pytest

from tests.localcloud.conftest import ScriptedRuntime, serve_in_thread


@pytest.fixture
def endpoint(aws_credentials) -> Iterator[str]:
    from webhookctl.localcloud.server import compose_app

    app, data_plane = compose_app(ScriptedRuntime(), None)
    url, stop = serve_in_thread(app)
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).close()
    try:
        yield url
    finally:
        stop()
        data_plane.shutdown()


def client(endpoint: str, service: str, region: str = "us-east-1"):
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_every_region_has_the_account_logging_role(endpoint, region):
    arn = client(endpoint, "apigateway", region).get_account()["cloudwatchRoleArn"]
    assert arn == "arn:aws:iam::123456789012:role/local-apigateway-cloudwatch"
    role = client(endpoint, "iam").get_role(RoleName="local-apigateway-cloudwatch")["Role"]
    assert role["Arn"] == arn
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}


def test_a_role_the_user_sets_is_kept(endpoint):
    apigateway = client(endpoint, "apigateway")
    apigateway.get_account()
    mine = "arn:aws:iam::123456789012:role/my-logging-role"
    apigateway.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": mine}])
    assert apigateway.get_account()["cloudwatchRoleArn"] == mine
    assert client(endpoint, "apigateway", "eu-west-1").get_account()["cloudwatchRoleArn"].endswith("/local-apigateway-cloudwatch")


def test_preflight_passes_the_logging_check_on_the_local_cloud(endpoint, settings):
    from webhookctl.aws import AwsContext
    from webhookctl.provision.preflight import check_api_logging

    ctx = AwsContext(session=boto3.Session(), region="us-east-1", target="endpoint", endpoint_url=endpoint)
    check = check_api_logging(ctx, settings)
    assert check.status == "pass" and "local-apigateway-cloudwatch" in check.detail
