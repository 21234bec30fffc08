"""What the e2e tests do to a deployed env: sign and post deliveries, then read back what happened."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tests.e2e.conftest import LocalCloud


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            return Reply(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read())


def signer(cloud: LocalCloud, env: str, provider: str, *, invalid_signature: bool = False):
    """A signer holding the env's secret document (webhook_signatures + the Secrets Manager entry)."""
    from webhookctl.aws import AwsOptions, connect
    from webhookctl.config import load_settings
    from webhookctl.operations.deployment import Deployment
    from webhookctl.operations.signed_fixtures import DeliverySigner

    settings = load_settings(env, cloud.config)
    ctx = connect(AwsOptions(env=env, endpoint_url=cloud.endpoint, target="auto"), configured_region="us-east-1")
    return DeliverySigner(Deployment(ctx, settings), provider, invalid_signature=invalid_signature)


def send(cloud: LocalCloud, outputs: dict[str, str], provider: str, *, invalid_signature: bool = False):
    delivery = signer(cloud, outputs["Env"], provider, invalid_signature=invalid_signature).build(None)
    return delivery, post(outputs["WebhookUrlTemplate"].replace("{provider}", provider), delivery.body, delivery.headers)


def stored(cloud: LocalCloud, outputs: dict[str, str], event_key: str) -> dict[str, Any] | None:
    item = cloud.client("dynamodb").get_item(TableName=outputs["EventsTableName"], Key={"event_key": {"S": event_key}}, ConsistentRead=True)
    return item.get("Item")


def status_of(cloud: LocalCloud, outputs: dict[str, str], event_key: str) -> str | None:
    item = stored(cloud, outputs, event_key)
    return item["status"]["S"] if item else None


def audit_lines(cloud: LocalCloud, outputs: dict[str, str], event_key: str) -> list[dict[str, Any]]:
    logs = cloud.client("logs")
    lines, token = [], None
    while True:
        page = logs.filter_log_events(logGroupName=outputs["AuditLogGroupName"], **({"nextToken": token} if token else {}))
        for event in page.get("events", []):
            try:
                line = json.loads(event["message"])
            except ValueError:
                continue
            if isinstance(line, dict) and line.get("event_key") == event_key:
                lines.append(line)
        token = page.get("nextToken")
        if not token:
            return lines


def function_log_text(cloud: LocalCloud, function_name: str) -> str:
    logs = cloud.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function_name}").get("events", [])
    except logs.exceptions.ResourceNotFoundException:
        return ""
    return "\n".join(event["message"] for event in events)


def queue_messages(cloud: LocalCloud, queue_url: str, want: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Messages seen in a queue (received with a short visibility timeout, so they stay)."""
    import time

    sqs = cloud.client("sqs")
    seen: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < want and time.monotonic() < deadline:
        page = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=1, WaitTimeSeconds=1, MessageAttributeNames=["All"])
        for message in page.get("Messages", []):
            seen[message["MessageId"]] = message
    return list(seen.values())
