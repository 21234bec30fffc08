"""Event source mappings: moto stores them, the runtime delivers DynamoDB stream and SQS records."""

from __future__ import annotations

import json
import time
import uuid

from tests.localcloud.lambda_runtime.test_async import make_queue, receive_all, wait_for


def make_table(cloud):
    name = f"events-{uuid.uuid4().hex[:8]}"
    description = cloud.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    return name, description["LatestStreamArn"]


def delivered(cloud, function):
    return [line.split()[1:] for line in cloud.log_messages(function) if line.startswith("DELIVERED ")]


def put(cloud, table, key, poison=False):
    item = {"pk": {"S": key}, "status": {"S": "RECEIVED"}}
    if poison:
        item["poison"] = {"BOOL": True}
    cloud.client("dynamodb").put_item(TableName=table, Item=item)


def test_stream_records_delivered_once_in_order_without_consuming_the_stream(local_lambda):
    table, stream_arn = make_table(local_lambda)
    function = local_lambda.create_function("handler.stream")
    lam = local_lambda.client("lambda")
    mapping = lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=function,
                                              StartingPosition="TRIM_HORIZON", BatchSize=3)
    keys = [f"k{i:02d}" for i in range(12)]
    for key in keys:
        put(local_lambda, table, key)
    local_lambda.client("dynamodb").update_item(TableName=table, Key={"pk": {"S": "k00"}},
                                                UpdateExpression="SET #s = :p", ExpressionAttributeNames={"#s": "status"},
                                                ExpressionAttributeValues={":p": {"S": "PROCESSED"}})
    wait_for(lambda: len(delivered(local_lambda, function)) >= 13)
    time.sleep(0.2)
    lines = delivered(local_lambda, function)
    assert [key for key, _ in lines] == keys + ["k00"]
    sequence_numbers = [int(seq) for _, seq in lines]
    assert sequence_numbers == sorted(set(sequence_numbers))
    # moto's stream still holds every record for other readers.
    streams = local_lambda.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(streams.get_records(ShardIterator=iterator)["Records"]) == 13
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled"


def test_stream_event_has_aws_record_shape(local_lambda):
    table, stream_arn = make_table(local_lambda)
    function = local_lambda.create_function("handler.stream")
    local_lambda.client("lambda").create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=function, StartingPosition="LATEST")
    time.sleep(0.1)
    put(local_lambda, table, "shape")
    wait_for(lambda: delivered(local_lambda, function))
    spec_events = []
    original = local_lambda.runtime.execute

    def capture(spec, payload):
        spec_events.append(json.loads(payload))
        return original(spec, payload)

    local_lambda.runtime.execute = capture
    try:
        put(local_lambda, table, "shape", poison=False)
        wait_for(lambda: spec_events)
    finally:
        del local_lambda.runtime.execute
    record = spec_events[0]["Records"][0]
    assert set(record) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"}
    assert record["eventName"] == "MODIFY" and record["eventSource"] == "aws:dynamodb" and record["eventSourceARN"] == stream_arn
    assert record["awsRegion"] == "us-east-1"
    dynamodb = record["dynamodb"]
    assert dynamodb["Keys"] == {"pk": {"S": "shape"}}
    assert dynamodb["NewImage"]["pk"] == {"S": "shape"} and dynamodb["OldImage"]["pk"] == {"S": "shape"}
    assert dynamodb["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(dynamodb["ApproximateCreationDateTime"], int) and dynamodb["SizeBytes"] > 0


def test_bisect_isolates_the_bad_record_and_sends_batch_info_on_failure(local_lambda):
    queue_url, queue_arn = make_queue(local_lambda, f"audit-dlq-{uuid.uuid4().hex[:6]}")
    table, stream_arn = make_table(local_lambda)
    function = local_lambda.create_function("handler.stream")
    lam = local_lambda.client("lambda")
    lam.create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=function, StartingPosition="TRIM_HORIZON", BatchSize=4,
        MaximumBatchingWindowInSeconds=1, BisectBatchOnFunctionError=True, MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    for key, poison in (("a", False), ("b", False), ("c", True), ("d", False)):
        put(local_lambda, table, key, poison)
    message = json.loads(wait_for(lambda: receive_all(local_lambda, queue_url))[0]["Body"])
    wait_for(lambda: len(delivered(local_lambda, function)) >= 3)
    assert [key for key, _ in delivered(local_lambda, function)] == ["a", "b", "d"]
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["functionArn"].endswith(f":function:{function}")
    assert message["requestContext"]["approximateInvokeCount"] == 2
    assert message["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert message["version"] == "1.0" and message["timestamp"].endswith("Z")
    info = message["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == stream_arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["shardId"].startswith("shardId-")
    assert info["approximateArrivalOfFirstRecord"].endswith("Z") and info["approximateArrivalOfLastRecord"].endswith("Z")


def test_report_batch_item_failures_checkpoints_at_the_failed_record(local_lambda):
    queue_url, queue_arn = make_queue(local_lambda, f"audit-dlq-{uuid.uuid4().hex[:6]}")
    table, stream_arn = make_table(local_lambda)
    function = local_lambda.create_function("handler.stream_partial")
    local_lambda.client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=function, StartingPosition="TRIM_HORIZON", BatchSize=10,
        MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"], MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    for key, poison in (("a", False), ("b", False), ("c", True)):
        put(local_lambda, table, key, poison)
    message = json.loads(wait_for(lambda: receive_all(local_lambda, queue_url))[0]["Body"])
    put(local_lambda, table, "after")
    wait_for(lambda: len(delivered(local_lambda, function)) >= 3)
    time.sleep(0.2)
    lines = delivered(local_lambda, function)
    assert [key for key, _ in lines] == ["a", "b", "after"]
    info = message["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert int(info["startSequenceNumber"]) == int(lines[1][1]) + 1
    assert "functionError" not in message["responseContext"]
    assert message["requestContext"]["approximateInvokeCount"] == 3


def test_disabled_mapping_pauses_delivery(local_lambda):
    table, stream_arn = make_table(local_lambda)
    function = local_lambda.create_function("handler.stream")
    lam = local_lambda.client("lambda")
    mapping = lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=function, StartingPosition="TRIM_HORIZON")
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    put(local_lambda, table, "paused")
    time.sleep(0.4)
    assert delivered(local_lambda, function) == []
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    wait_for(lambda: delivered(local_lambda, function))
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
    local_lambda.runtime.sync_event_source_mappings()
    assert mapping["UUID"] not in local_lambda.runtime.mappings.running()


def test_sqs_mapping_deletes_only_succeeded_messages(local_lambda):
    dlq_url, dlq_arn = make_queue(local_lambda, f"src-dlq-{uuid.uuid4().hex[:6]}")
    sqs = local_lambda.client("sqs")
    url = sqs.create_queue(QueueName=f"src-{uuid.uuid4().hex[:6]}", Attributes={
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
    })["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    function = local_lambda.create_function("handler.sqs_partial")
    for body in ("one", "bad", "two"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    local_lambda.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"])
    dead = wait_for(lambda: receive_all(local_lambda, dlq_url), timeout_s=15)
    assert [m["Body"] for m in dead] == ["bad"]
    got = sorted(line for line in local_lambda.log_messages(function) if line.startswith("GOT "))
    assert got == ["GOT one", "GOT two"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
