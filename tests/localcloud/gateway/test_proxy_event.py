import base64

from webhookctl.localcloud.gateway.proxy_event import IncomingRequest, StageContext, build_event, is_binary, new_trace_id


def request(body=b'{"id": "evt_1"}', headers=None, query=()):
    return IncomingRequest(
        method="POST",
        path="/webhook/stripe",
        headers=headers or [("Content-Type", "application/json"), ("Stripe-Signature", "t=1,v1=ab"), ("X-Dup", "1"), ("X-Dup", "2")],
        query=list(query),
        body=body,
        source_ip="10.1.2.3",
        host="127.0.0.1:4566",
    )


STAGE = StageContext(
    api_id="abc123",
    stage="live",
    account_id="123456789012",
    resource_path="/webhook/{provider}",
    path_parameters={"provider": "stripe"},
    stage_variables={},
)


def test_v1_event_shape():
    event = build_event(request(query=[("a", "1"), ("a", "2"), ("b", "x")]), STAGE, request_id="req-1", now=1700000000.5)
    assert event["resource"] == "/webhook/{provider}"
    assert event["path"] == "/webhook/stripe"
    assert event["httpMethod"] == "POST"
    assert event["headers"]["Stripe-Signature"] == "t=1,v1=ab"
    assert event["headers"]["X-Dup"] == "2"
    assert event["multiValueHeaders"]["X-Dup"] == ["1", "2"]
    assert event["queryStringParameters"] == {"a": "2", "b": "x"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x"]}
    assert event["pathParameters"] == {"provider": "stripe"}
    assert event["stageVariables"] is None
    assert event["body"] == '{"id": "evt_1"}' and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["requestId"] == "req-1" and ctx["stage"] == "live" and ctx["apiId"] == "abc123"
    assert ctx["resourcePath"] == "/webhook/{provider}" and ctx["httpMethod"] == "POST"
    assert ctx["accountId"] == "123456789012" and ctx["identity"]["sourceIp"] == "10.1.2.3"
    assert ctx["requestTimeEpoch"] == 1700000000500 and ctx["domainName"] == "127.0.0.1:4566"
    assert ctx["path"] == "/live/webhook/stripe"


def test_no_query_and_no_body_are_null():
    event = build_event(request(body=b""), STAGE)
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False


def test_binary_media_type_is_base64():
    stage = StageContext(**{**STAGE.__dict__, "binary_media_types": ("application/octet-stream",)})
    raw = bytes(range(256))
    event = build_event(request(body=raw, headers=[("Content-Type", "application/octet-stream")]), stage)
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == raw


def test_undecodable_body_without_binary_type_is_passed_intact():
    event = build_event(request(body=b"\xff\xfe", headers=[("Content-Type", "text/plain")]), STAGE)
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff\xfe"


def test_binary_media_type_matching():
    assert is_binary("image/png; x=1", ("image/*",))
    assert not is_binary("application/json", ("image/*",))
    assert not is_binary(None, ("*/*",))


def test_trace_id_format():
    trace = new_trace_id(now=0x65000000)
    assert trace.startswith("Root=1-65000000-") and len(trace.split("-")[2]) == 24
