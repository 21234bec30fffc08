"""SQS dead-letter queues: 14-day retention, encrypted with the CMK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import Queue
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found
from webhookctl.provision.resources.kms import KEY_ARN
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment

_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


RETENTION_S = 1_209_600  # 14 days, SQS's longest


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Queue]:
    return [
        Queue(name=logical, queue_name=queue_name, retention_s=RETENTION_S, kms_key_arn=KEY_ARN, tags=names.tags())
        for logical, queue_name in (("processor_dlq", names.processor_dlq), ("audit_dlq", names.audit_dlq))
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Queue) -> Observed | None:
    sqs = target.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=model.queue_name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    except ClientError as exc:
        if is_not_found(exc, *_GONE):
            return None
        raise
    tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    return Observed(
        outputs={"url": url, "arn": attributes["QueueArn"], "name": model.queue_name},
        state={
            "retention_s": int(attributes.get("MessageRetentionPeriod", 0)),
            "kms_key": attributes.get("KmsMasterKeyId"),
            "tags": tags,
        },
    )


def diff(target: Any, model: Queue, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "retention_s", observed.state["retention_s"], model.retention_s)
    compare(differences, "kms_key", observed.state["kms_key"], model.kms_key_arn)
    compare_tags(differences, observed.state["tags"], model.tags)
    return differences


def _attributes(model: Queue) -> dict[str, str]:
    return {"MessageRetentionPeriod": str(model.retention_s), "KmsMasterKeyId": model.kms_key_arn}


def create(target: Any, model: Queue) -> dict[str, Any]:
    sqs = target.client("sqs")
    url = retry_on_propagation(lambda: sqs.create_queue(QueueName=model.queue_name, Attributes=_attributes(model), tags=model.tags), key_just_created=True)["QueueUrl"]
    arn = f"arn:{target.partition}:sqs:{target.region}:{target.account_id}:{model.queue_name}"
    return {"url": url, "arn": arn, "name": model.queue_name}


def update(target: Any, model: Queue, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    sqs = target.client("sqs")
    props = {d.property for d in differences}
    url = observed.outputs["url"]
    if props & {"retention_s", "kms_key"}:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=_attributes(model))
    if "tags" in props:
        sqs.tag_queue(QueueUrl=url, Tags=model.tags)
    return dict(observed.outputs)


def delete(target: Any, model: Queue, observed: Observed) -> None:
    sqs = target.client("sqs")
    ignore_missing(lambda: sqs.delete_queue(QueueUrl=observed.outputs["url"]), *_GONE)
