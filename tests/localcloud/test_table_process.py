"""DynamoDB in its own process: served, forwarded to, and its streams read across the process boundary."""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from tests.localcloud.conftest import free_port, serve_in_thread, wait_for
from webhookctl.localcloud import lifecycle
from webhookctl.localcloud.doorbell import Doorbell
from webhookctl.localcloud.lambda_runtime.execution import _table_endpoints
from webhookctl.localcloud.tables.remote import RemoteShards, TableConnection, TableProcess, WriteWatch
from webhookctl.localcloud.tables.service import TableService
from webhookctl.localcloud.tables.streams import LocalShards


@pytest.fixture(scope="module")
def table_service():
    service = TableService()
    endpoint, stop = serve_in_thread(service)
    try:
        yield endpoint
    finally:
        stop()


def streamed_table(endpoint: str):
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    name = f"events-{uuid.uuid4().hex[:8]}"
    described = client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "event_key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "event_key", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    return client, name, described["LatestStreamArn"]


def test_remote_shards_read_what_the_table_process_holds(table_service, aws_credentials):
    client, name, arn = streamed_table(table_service)
    for n in range(3):
        client.put_item(TableName=name, Item={"event_key": {"S": f"k{n}"}, "status": {"S": "RECEIVED"}})
    client.update_item(TableName=name, Key={"event_key": {"S": "k0"}}, UpdateExpression="SET #s = :p",
                       ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":p": {"S": "PROCESSED"}})
    remote, local = RemoteShards(TableConnection(table_service)), LocalShards()  # the service runs in this process
    account = "123456789012"
    info = remote.info(account, "us-east-1", arn)
    assert info == local.info(account, "us-east-1", arn) and info.length == 4
    records = remote.records(account, "us-east-1", arn, info.token, 1, 10)
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT", "MODIFY"]
    assert records == local.records(account, "us-east-1", arn, info.token, 1, 10)
    assert records[-1]["dynamodb"]["OldImage"]["status"] == {"S": "RECEIVED"}
    assert isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], float)
    assert remote.records(account, "us-east-1", arn, "another-shard", 0, 10) == []  # a re-created table starts over
    assert remote.index_at(account, "us-east-1", arn, info.token, time.time() + 60) == 4
    assert remote.info(account, "us-east-1", arn.replace(name, "no-such-table")) is None


def test_write_watch_rings_for_writes_in_the_table_process(table_service, aws_credentials):
    client, name, _ = streamed_table(table_service)
    doorbell = Doorbell()
    watch = WriteWatch(TableConnection(table_service), doorbell, wait_s=1.0)
    watch.start()
    try:
        time.sleep(0.3)  # its first poll learns the current count
        before = doorbell.rings
        client.put_item(TableName=name, Item={"event_key": {"S": "rung"}})
        assert wait_for(lambda: doorbell.rings > before, timeout=5)
    finally:
        watch.stop()


def test_functions_are_pointed_at_the_table_process():
    assert _table_endpoints(None) == {}
    assert _table_endpoints("http://127.0.0.1:5000") == {
        "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://127.0.0.1:5000"}


def test_table_process_exits_when_its_parent_goes_away():
    tables = TableProcess()
    endpoint = tables.wait_ready(timeout_s=30)
    status, document = TableConnection(endpoint).get_json("/_webhookctl/tables/writes", {"after": -1, "wait": 0})
    assert status == 200 and document["writes"] >= 0
    tables._child.stdin.close()  # what the parent's death does to the pipe
    assert tables._child.wait(10) == 0


def test_local_cloud_serves_dynamodb_from_its_table_process(aws_credentials):
    import boto3

    port = free_port()
    env = {**os.environ, "WEBHOOKCTL_LOCAL_PORT": str(port)}
    started = subprocess.run([sys.executable, "-m", "webhookctl", "local", "start", "-o", "json"],
                             capture_output=True, text=True, env=env, timeout=60)
    assert started.returncode == 0, started.stderr
    pid = json.loads(started.stdout)["pid"]
    try:
        health = lifecycle.probe(f"http://127.0.0.1:{port}")
        tables = health["tables"]
        assert tables.startswith("http://127.0.0.1:") and tables != f"http://127.0.0.1:{port}"
        _, name, _ = streamed_table(f"http://127.0.0.1:{port}")  # created through the server
        direct = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=tables)
        assert name in direct.list_tables()["TableNames"]
        assert len(lifecycle.group_members(pid)) >= 2  # the server and its table process
    finally:
        subprocess.run([sys.executable, "-m", "webhookctl", "local", "stop"], env=env, timeout=60)
    assert lifecycle.group_members(pid) == []
