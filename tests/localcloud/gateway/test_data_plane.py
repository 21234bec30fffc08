"""The data plane against a real deployed API (moto's control plane), with a scripted runtime."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.localcloud.conftest import Answer

FN = "arn:aws:lambda:us-east-1:123456789012:function:webhookctl-receiver-gw"


def deploy_api(boto, *, timeout_ms: int | None = None) -> str:
    apigw = boto("apigateway")
    api_id = apigw.create_rest_api(name=f"gw-{uuid.uuid4().hex[:8]}")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    webhook = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="webhook")["id"]
    provider = apigw.create_resource(restApiId=api_id, parentId=webhook, pathPart="{provider}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=provider, httpMethod="POST", authorizationType="NONE")
    extra = {"timeoutInMillis": timeout_ms} if timeout_ms else {}
    apigw.put_integration(
        restApiId=api_id,
        resourceId=provider,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations",
        **extra,
    )
    apigw.create_deployment(restApiId=api_id, stageName="live")
    return api_id


def post(endpoint: str, api_id: str, path: str = "/webhook/stripe", body: bytes = b'{"id": "evt_1"}', headers=None, method="POST"):
    url = f"{endpoint}/restapis/{api_id}/live/_user_request_{path}"
    request = urllib.request.Request(url, data=body if method != "GET" else None, method=method, headers=headers or {"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture
def api(boto, cloud):
    cloud.runtime.respond = lambda event: Answer()
    cloud.runtime.calls.clear()
    return deploy_api(boto)


def test_event_reaches_the_function_and_response_maps_back(cloud, api):
    cloud.runtime.respond = lambda event: Answer(
        payload=json.dumps(
            {"statusCode": 202, "headers": {"X-Handled": "yes"}, "multiValueHeaders": {"X-Many": ["a", "b"]}, "body": json.dumps({"got": event["pathParameters"]["provider"]})}
        ).encode()
    )
    status, headers, body = post(
        cloud.endpoint, api, "/webhook/stripe?x=1&x=2", headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=a", "X-Amzn-Trace-Id": "Root=1-00000001-000000000000000000000001"}
    )
    assert status == 202 and json.loads(body) == {"got": "stripe"}
    assert headers["X-Handled"] == "yes" and headers.get_all("X-Many") == ["a", "b"]
    call = cloud.runtime.calls[-1]
    assert call["function"] == FN and call["invocation_type"] == "RequestResponse"
    assert call["trace_header"] == "Root=1-00000001-000000000000000000000001"
    event = call["event"]
    assert event["resource"] == "/webhook/{provider}" and event["path"] == "/webhook/stripe"
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["headers"]["Stripe-Signature"] == "t=1,v1=a"
    assert event["headers"]["X-Amzn-Trace-Id"] == "Root=1-00000001-000000000000000000000001"
    assert event["body"] == '{"id": "evt_1"}' and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["apiId"] == api and ctx["stage"] == "live" and ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert headers["x-amzn-RequestId"] == ctx["requestId"]


@pytest.mark.parametrize(
    "answer",
    [
        Answer(function_error="Unhandled", payload=b'{"errorMessage": "boom", "errorType": "Exception"}'),
        Answer(payload=b'{"statusCode": 200, "body": {"not": "a string"}}'),
        Answer(payload=b"null"),
    ],
)
def test_function_error_or_malformed_result_is_502(cloud, api, answer):
    cloud.runtime.respond = lambda event: answer
    status, _, body = post(cloud.endpoint, api)
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}


def test_past_the_integration_timeout_is_504(cloud, boto):
    api = deploy_api(boto, timeout_ms=300)

    def slow(event):
        time.sleep(1.0)
        return Answer()

    cloud.runtime.respond = slow
    began = time.monotonic()
    status, _, body = post(cloud.endpoint, api)
    assert status == 504 and json.loads(body) == {"message": "Endpoint request timed out"}
    assert time.monotonic() - began < 0.9


def test_no_resource_or_method_is_missing_authentication_token(cloud, api):
    for path, method in (("/nope", "POST"), ("/webhook/stripe", "GET"), ("/webhook", "POST")):
        status, _, body = post(cloud.endpoint, api, path, method=method)
        assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    assert not cloud.runtime.calls


def test_unknown_api_or_stage_is_forbidden(cloud, api):
    for url in (f"/restapis/{api}/nostage/_user_request_/webhook/stripe", "/restapis/nosuchapi/live/_user_request_/webhook/stripe"):
        request = urllib.request.Request(cloud.endpoint + url, data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10)
        assert refused.value.code == 403 and json.loads(refused.value.read()) == {"message": "Forbidden"}


def test_resources_added_after_the_deployment_wait_for_the_next_one(cloud, boto, api):
    apigw = boto("apigateway")
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    later = apigw.create_resource(restApiId=api, parentId=root, pathPart="later")["id"]
    apigw.put_method(restApiId=api, resourceId=later, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api, resourceId=later, httpMethod="POST", type="AWS_PROXY", integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations",
    )  # fmt: skip
    assert post(cloud.endpoint, api, "/later")[0] == 403
    apigw.create_deployment(restApiId=api, stageName="live")
    assert post(cloud.endpoint, api, "/later")[0] == 200


def test_low_stage_limit_is_429(cloud, boto, api):
    boto("apigateway").update_stage(
        restApiId=api,
        stageName="live",
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1"},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2"},
        ],
    )
    statuses = [post(cloud.endpoint, api)[0] for _ in range(4)]
    assert statuses[:2] == [200, 200] and 429 in statuses[2:]
    status, _, body = post(cloud.endpoint, api)
    assert status == 429 and json.loads(body) == {"message": "Too Many Requests"}


def test_waf_rate_rule_blocks_past_the_limit(cloud, boto, api):
    wafv2 = boto("wafv2")
    acl = wafv2.create_web_acl(
        Name=f"acl-{api}",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "acl"},
        Rules=[
            {
                "Name": "per-ip",
                "Priority": 1,
                "Action": {"Block": {}},
                "Statement": {"RateBasedStatement": {"Limit": 10, "AggregateKeyType": "IP", "EvaluationWindowSec": 60}},
                "VisibilityConfig": {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "r"},
            }
        ],
    )["Summary"]
    assert post(cloud.endpoint, api)[0] == 200  # not associated yet: never counted
    wafv2.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/live")
    statuses = [post(cloud.endpoint, api)[0] for _ in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [403, 403]
    status, _, body = post(cloud.endpoint, api)
    assert status == 403 and json.loads(body) == {"message": "Forbidden"}
    wafv2.disassociate_web_acl(ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/live")
    assert post(cloud.endpoint, api)[0] == 200


def test_a_body_over_api_gateways_10_mb_is_413_and_never_reaches_the_function(cloud, api):
    # API Gateway quotas: REST API payload size 10 MB, not adjustable; the REQUEST_TOO_LARGE response is 413.
    status, headers, body = post(cloud.endpoint, api, body=b"x" * (10 * 1024 * 1024 + 1))
    assert (status, json.loads(body)) == (413, {"message": "Request Too Long"})
    assert cloud.runtime.calls == []


def test_an_event_over_lambdas_synchronous_payload_is_413_not_500(cloud, api):
    from webhookctl.localcloud.lambda_runtime.runtime import MAX_SYNC_PAYLOAD, RequestTooLarge

    def too_large(event):
        raise RequestTooLarge(MAX_SYNC_PAYLOAD + 1, MAX_SYNC_PAYLOAD)

    cloud.runtime.respond = too_large
    status, _, body = post(cloud.endpoint, api, body=b"{}")
    assert (status, json.loads(body)) == (413, {"message": "Request Too Long"})
