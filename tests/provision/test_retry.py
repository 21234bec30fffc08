"""Which refusals are retried as propagation delays, and for how long (review F3 and F9)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from webhookctl.provision.retry import MissingPermission, is_propagation_error, retry_on_propagation


def refusal(code: str, message: str, operation: str = "CreateEventSourceMapping") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def flaky(error: ClientError, failures: int):
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise error
        return "ok"

    return call, calls


# Lambda checks the role's stream permissions at CreateEventSourceMapping; a policy put seconds
# earlier may not be visible yet (aws-samples/lambda-refarch-webapp#7 shows the message).
STREAM = refusal(
    "InvalidParameterValueException",
    "Cannot access stream arn:aws:dynamodb:us-east-1:111122223333:table/webhookctl-events-dev/stream/2024-05-01T12:00:00.123. "
    "Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
)


def test_cannot_access_stream_is_a_propagation_delay_and_is_retried():
    assert is_propagation_error(STREAM)
    call, calls = flaky(STREAM, 3)
    delays: list[float] = []
    assert retry_on_propagation(call, sleep=delays.append) == "ok" and len(calls) == 4
    assert delays == [1.0, 2.0, 4.0]  # the same backoff as roles


# AWS KMS Developer Guide, "AWS KMS eventual consistency": NotFoundException or InvalidStateException
# for a key just made, for seconds; services say "The specified KMS key does not exist or is not allowed".
@pytest.mark.parametrize(
    "error",
    [
        refusal("NotFoundException", "Key 'arn:aws:kms:us-east-1:111122223333:key/1' does not exist", "EnableKeyRotation"),
        refusal("KMSInvalidStateException", "arn:aws:kms:us-east-1:111122223333:key/1 is pending creation.", "CreateAlias"),
        refusal("AccessDeniedException", "The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:1:log-group:/x'", "CreateLogGroup"),
    ],
)
def test_a_key_not_ready_is_retried_only_where_the_key_was_just_created(error):
    call, calls = flaky(error, 2)
    assert retry_on_propagation(call, sleep=lambda s: None, key_just_created=True) == "ok" and len(calls) == 3
    call, calls = flaky(error, 2)
    with pytest.raises((ClientError, MissingPermission)):
        retry_on_propagation(call, sleep=lambda s: None)
    assert len(calls) == 1


def test_a_key_that_never_becomes_ready_stops_after_the_bounded_backoff():
    error = refusal("NotFoundException", "Key does not exist", "CreateAlias")
    call, calls = flaky(error, 100)
    delays: list[float] = []
    with pytest.raises(ClientError):
        retry_on_propagation(call, sleep=delays.append, key_just_created=True)
    assert len(calls) == 12 and max(delays) == 8.0


def test_not_authorized_gets_one_short_retry_then_names_the_missing_action():
    error = refusal(
        "AccessDeniedException",
        "User: arn:aws:iam::111122223333:user/deployer is not authorized to perform: iam:PassRole on resource: "
        "arn:aws:iam::111122223333:role/webhookctl-receiver-role-dev-use1 because no identity-based policy allows the iam:PassRole action",
        "CreateFunction",
    )
    call, calls = flaky(error, 100)
    delays: list[float] = []
    with pytest.raises(MissingPermission) as refused:
        retry_on_propagation(call, sleep=delays.append)
    assert len(calls) == 2 and sum(delays) <= 2.0  # was 12 calls over about 70 s
    assert refused.value.action == "iam:PassRole"
    assert "lack iam:PassRole on arn:aws:iam::111122223333:role/webhookctl-receiver-role-dev-use1" in refused.value.message
    assert "CreateFunction" in refused.value.message and "allow iam:PassRole" in refused.value.hint


def test_not_authorized_that_clears_on_the_short_retry_succeeds():
    error = refusal("AccessDeniedException", "User: x is not authorized to perform: kms:CreateGrant on resource: k", "CreateFunction")
    call, calls = flaky(error, 1)
    assert retry_on_propagation(call, sleep=lambda s: None) == "ok" and len(calls) == 2
