"""The alerts topic's subscriber ([alerts] email, or protocol + endpoint).

An email subscription stays PendingConfirmation until its owner follows the link SNS sends
(SNS Developer Guide, "Subscribing to an Amazon SNS topic"); `status` shows whether one is confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webhookctl.provision.models import TopicSubscription
from webhookctl.provision.references import UNKNOWN, Ref
from webhookctl.provision.resources.base import Difference, Observed, ignore_missing

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment

PENDING = "PendingConfirmation"


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[TopicSubscription]:
    """[alerts] email (or protocol + endpoint); none when no one is to be notified."""
    if not (settings.alerts_protocol and settings.alerts_endpoint):
        return []
    return [TopicSubscription(name="alerts_subscription", topic_arn=Ref("alerts_topic", "arn"), protocol=settings.alerts_protocol, endpoint=settings.alerts_endpoint)]


# Discovery lists the topic's subscriptions: it waits for the topic.
DISCOVERED_FROM: tuple[str, ...] = ("topic_arn",)


def subscriptions(target: Any, topic_arn: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    pages = target.client("sns").get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
    for page in ignore_missing(lambda: list(pages)) or []:
        found.extend(page.get("Subscriptions", []))
    return found


def is_confirmed(subscription: dict[str, Any]) -> bool:
    arn = subscription.get("SubscriptionArn") or ""
    return arn.startswith("arn:") and arn != PENDING


def discover(target: Any, model: TopicSubscription) -> Observed | None:
    if model.topic_arn is UNKNOWN:
        return None
    for found in subscriptions(target, model.topic_arn):
        if found.get("Protocol") == model.protocol and found.get("Endpoint") == model.endpoint:
            return Observed(outputs={"arn": found.get("SubscriptionArn")}, state={"confirmed": is_confirmed(found)})
    return None


def diff(target: Any, model: TopicSubscription, observed: Observed) -> list[Difference]:
    return []  # a pending confirmation is the subscriber's step, not drift


def create(target: Any, model: TopicSubscription) -> dict[str, Any]:
    answer = target.client("sns").subscribe(TopicArn=model.topic_arn, Protocol=model.protocol, Endpoint=model.endpoint, ReturnSubscriptionArn=True)
    return {"arn": answer.get("SubscriptionArn")}


def update(target: Any, model: TopicSubscription, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    return dict(observed.outputs)


def delete(target: Any, model: TopicSubscription, observed: Observed) -> None:
    arn = observed.outputs.get("arn") or ""
    if arn.startswith("arn:"):  # a pending one goes with the topic
        ignore_missing(lambda: target.client("sns").unsubscribe(SubscriptionArn=arn))
