"""DynamoDB Streams under mock_aws at botocore 1.44's account-based endpoints ({account}.streams-ddb.{region})."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from webhookctl.localcloud.moto_bridge import streams_endpoints


@pytest.fixture
def without_the_route(monkeypatch):
    """moto's routes as moto 5.2.5 ships them (conftest added the account-based one for the suite)."""
    from moto import backend_index
    from moto.dynamodbstreams import urls

    monkeypatch.setattr(urls, "url_bases", [b for b in urls.url_bases if b != streams_endpoints.ACCOUNT_BASED_URL])
    monkeypatch.setattr(backend_index, "backend_url_patterns",
                        [(s, p) for s, p in backend_index.backend_url_patterns if p.pattern != streams_endpoints.ACCOUNT_BASED_URL])


def a_stream() -> str:
    table = boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    return table["LatestStreamArn"]


def test_the_account_based_host_reaches_moto_once_routed(mocked, without_the_route):
    arn = a_stream()
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    with pytest.raises(ClientError, match="Not yet implemented"):
        streams.describe_stream(StreamArn=arn)
    assert streams_endpoints.route_account_based_endpoints() is True
    assert streams_endpoints.route_account_based_endpoints() is False  # once only
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLED"
