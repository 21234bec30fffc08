"""DynamoDB in its own process: served, forwarded to, and its streams read across the process boundary."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest

from tests.localcloud.conftest import free_port, serve_in_thread
from webhookctl.localcloud import lifecycle
from webhookctl.localcloud.doorbell import Doorbell
from webhookctl.localcloud.lambda_runtime.execution import _table_endpoints
from webhookctl.localcloud.tables.remote import RemoteShards, TableConnection, TableProcess
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
    remote, local = RemoteShards(TableConnection(table_service)), LocalShards(Doorbell())  # the service runs in this process
    account = "123456789012"
    info, records = remote.read(account, "us-east-1", arn, None, 0, 10, wait_s=0, window_s=0)
    assert records == [] and info.length == 4  # a new shard: the reader picks its starting position first
    assert local.read(account, "us-east-1", arn, None, 0, 10, wait_s=0, window_s=0) == (info, [])
    again, records = remote.read(account, "us-east-1", arn, info.token, 1, 10, wait_s=0, window_s=0)
    assert again == info and [r["eventName"] for r in records] == ["INSERT", "INSERT", "MODIFY"]
    assert (info, records) == local.read(account, "us-east-1", arn, info.token, 1, 10, wait_s=0, window_s=0)
    assert records[-1]["dynamodb"]["OldImage"]["status"] == {"S": "RECEIVED"}
    assert isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], float)
    assert remote.read(account, "us-east-1", arn, info.token, 1, 2, wait_s=0, window_s=0)[1] == records[:2]
    assert remote.index_at(account, "us-east-1", arn, info.token, time.time() + 60) == 4
    assert remote.read(account, "us-east-1", arn.replace(name, "no-such-table"), None, 0, 10, wait_s=0, window_s=0) == (None, [])
    assert remote.stream_exists(account, "us-east-1", arn) and not remote.stream_exists(account, "us-east-1", arn + "x")


def test_a_read_waits_for_the_next_write_then_for_the_batch_window(table_service, aws_credentials):
    client, name, arn = streamed_table(table_service)
    remote = RemoteShards(TableConnection(table_service))
    info, _ = remote.read("123456789012", "us-east-1", arn, None, 0, 10, wait_s=0, window_s=0)
    writes = threading.Timer(0.3, lambda: [client.put_item(TableName=name, Item={"event_key": {"S": f"w{n}"}}) for n in range(2)])
    began = time.monotonic()
    writes.start()
    _, records = remote.read("123456789012", "us-east-1", arn, info.token, 0, 10, wait_s=5, window_s=0.5)
    waited = time.monotonic() - began
    assert [r["dynamodb"]["Keys"]["event_key"]["S"] for r in records] == ["w0", "w1"]  # both, thanks to the window
    assert 0.3 <= waited < 3.0
    began = time.monotonic()
    assert remote.read("123456789012", "us-east-1", arn, info.token, 2, 10, wait_s=0.3, window_s=0)[1] == []
    assert time.monotonic() - began >= 0.25  # nothing new: it waited out `wait_s`


def test_functions_are_pointed_at_the_table_process():
    assert _table_endpoints(None) == {}
    assert _table_endpoints("http://127.0.0.1:5000") == {
        "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://127.0.0.1:5000"}


def test_table_process_exits_when_its_parent_goes_away():
    tables = TableProcess()
    endpoint = tables.wait_ready(timeout_s=30)
    status, _ = TableConnection(endpoint).get_json("/_webhookctl/tables/shard", {"account": "123456789012", "region": "us-east-1", "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/none/stream/x"})
    assert status == 404  # it answers: no such stream
    tables._child.stdin.close()  # what the parent's death does to the pipe
    assert tables._child.wait(10) == 0


@contextmanager
def local_cloud() -> Iterator[tuple[int, int]]:
    """(port, server pid) of a local cloud started as `webhookctl local start` starts it; stopped after."""
    port = free_port()
    env = {**os.environ, "WEBHOOKCTL_LOCAL_PORT": str(port)}
    started = subprocess.run([sys.executable, "-m", "webhookctl", "local", "start", "-o", "json"],
                             capture_output=True, text=True, env=env, timeout=60)
    assert started.returncode == 0, started.stderr
    try:
        yield port, json.loads(started.stdout)["pid"]
    finally:
        subprocess.run([sys.executable, "-m", "webhookctl", "local", "stop"], env=env, timeout=60)


def test_local_cloud_serves_dynamodb_from_its_table_process(aws_credentials):
    import boto3

    with local_cloud() as (port, pid):
        health = lifecycle.probe(f"http://127.0.0.1:{port}")
        tables = health["tables"]
        assert tables.startswith("http://127.0.0.1:") and tables != f"http://127.0.0.1:{port}"
        _, name, _ = streamed_table(f"http://127.0.0.1:{port}")  # created through the server
        direct = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=tables)
        assert name in direct.list_tables()["TableNames"]
        assert len(lifecycle.group_members(pid)) >= 2  # the server and its table process
    assert lifecycle.group_members(pid) == []


def test_the_server_stops_when_its_table_process_dies(aws_credentials):
    import signal

    with local_cloud() as (_, pid):
        for member in [member for member in lifecycle.group_members(pid) if member != pid]:
            os.kill(member, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while lifecycle._alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not lifecycle._alive(pid)  # no half-working endpoint left answering
