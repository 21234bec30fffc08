"""The SNS alerts topic, encrypted with the CMK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import Topic
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found, tag_list
from webhookctl.provision.resources.kms import KEY_ARN
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def _arn(target: Any, model: Topic) -> str:
    return f"arn:{target.partition}:sns:{target.region}:{target.account_id}:{model.topic_name}"


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Topic]:
    return [Topic(name="alerts_topic", topic_name=names.alerts_topic, kms_key_arn=KEY_ARN, tags=names.tags())]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Topic) -> Observed | None:
    sns = target.client("sns")
    arn = _arn(target, model)
    try:
        attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])}
    return Observed(outputs={"arn": arn, "name": model.topic_name}, state={"kms_key": attributes.get("KmsMasterKeyId"), "tags": tags})


def diff(target: Any, model: Topic, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "kms_key", observed.state["kms_key"], model.kms_key_arn)
    compare_tags(differences, observed.state["tags"], model.tags)
    return differences


def create(target: Any, model: Topic) -> dict[str, Any]:
    sns = target.client("sns")
    arn = retry_on_propagation(
        lambda: sns.create_topic(Name=model.topic_name, Attributes={"KmsMasterKeyId": model.kms_key_arn}, Tags=tag_list(model.tags)),
        key_just_created=True,
    )["TopicArn"]
    return {"arn": arn, "name": model.topic_name}


def update(target: Any, model: Topic, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    sns = target.client("sns")
    props = {d.property for d in differences}
    arn = observed.outputs["arn"]
    if "kms_key" in props:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue=model.kms_key_arn)
    if "tags" in props:
        sns.tag_resource(ResourceArn=arn, Tags=tag_list(model.tags))
    return dict(observed.outputs)


def delete(target: Any, model: Topic, observed: Observed) -> None:
    ignore_missing(lambda: target.client("sns").delete_topic(TopicArn=observed.outputs["arn"]))
