"""CloudWatch alarms that notify the alerts topic (DLQ depth, function errors, API 5xx)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webhookctl.config import FUNCTIONS
from webhookctl.names import STAGE_NAME
from webhookctl.provision.models import Alarm
from webhookctl.provision.references import Ref
from webhookctl.provision.resources import functions
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, tag_list

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Alarm]:
    """One alarm per dead-letter queue (depth), per function (errors), and for the API (5xx)."""
    alarms = [
        _alarm(names, queue, queue.replace("_", "-"), f"messages are waiting in {queue_name}", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue_name}, "Maximum")
        for queue, queue_name in (("processor_dlq", names.processor_dlq), ("audit_dlq", names.audit_dlq))
    ]
    alarms += [
        _alarm(names, functions.logical_name(key), f"{key}-errors", f"{names.function(key)} reported errors", "AWS/Lambda", "Errors", {"FunctionName": names.function(key)}, "Sum")
        for key in FUNCTIONS
    ]
    alarms.append(_alarm(names, "api_stage", "api-5xx", f"{names.rest_api} answered 5xx", "AWS/ApiGateway", "5XXError", {"ApiName": names.rest_api, "Stage": STAGE_NAME}, "Sum"))
    return alarms


def _alarm(names: Names, watched: str, what: str, description: str, namespace: str, metric: str, dimensions: dict[str, str], statistic: str) -> Alarm:
    """An alarm on `watched` (a logical name) that notifies the alerts topic as soon as `metric` rises above 0."""
    return Alarm(
        name=f"alarm_{what.replace('-', '_')}",
        alarm_name=names.alarm(what),
        description=description,
        namespace=namespace,
        metric_name=metric,
        dimensions=dimensions,
        statistic=statistic,
        period_s=60,
        evaluation_periods=1,
        threshold=0.0,
        comparison="GreaterThanThreshold",
        treat_missing_data="notBreaching",
        topic_arn=Ref("alerts_topic", "arn"),
        tags=names.tags(),
        depends_on=(watched,),
    )


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Alarm) -> Observed | None:
    client = target.client("cloudwatch")
    alarms = client.describe_alarms(AlarmNames=[model.alarm_name], AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])
    if not alarms:
        return None
    alarm = alarms[0]
    tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags", [])}
    return Observed(
        outputs={"arn": alarm["AlarmArn"], "name": model.alarm_name, "state": alarm.get("StateValue")},
        state={"definition": _definition_of(alarm), "tags": tags},
    )


def _definition_of(alarm: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": alarm.get("AlarmDescription", ""),
        "namespace": alarm.get("Namespace"),
        "metric": alarm.get("MetricName"),
        "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
        "statistic": alarm.get("Statistic"),
        "period_s": alarm.get("Period"),
        "evaluation_periods": alarm.get("EvaluationPeriods"),
        "threshold": float(alarm.get("Threshold", 0)),
        "comparison": alarm.get("ComparisonOperator"),
        "treat_missing_data": alarm.get("TreatMissingData"),
        "alarm_actions": sorted(alarm.get("AlarmActions", [])),
        "actions_enabled": alarm.get("ActionsEnabled", True),
    }


def _want(model: Alarm) -> dict[str, Any]:
    return {
        "description": model.description,
        "namespace": model.namespace,
        "metric": model.metric_name,
        "dimensions": dict(model.dimensions),
        "statistic": model.statistic,
        "period_s": model.period_s,
        "evaluation_periods": model.evaluation_periods,
        "threshold": float(model.threshold),
        "comparison": model.comparison,
        "treat_missing_data": model.treat_missing_data,
        "alarm_actions": [model.topic_arn],
        "actions_enabled": True,
    }


def diff(target: Any, model: Alarm, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "definition", observed.state["definition"], _want(model))
    compare_tags(differences, observed.state["tags"], model.tags)
    return differences


def _put(target: Any, model: Alarm, *, with_tags: bool) -> None:
    request: dict[str, Any] = {
        "AlarmName": model.alarm_name,
        "AlarmDescription": model.description,
        "Namespace": model.namespace,
        "MetricName": model.metric_name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in model.dimensions.items()],
        "Statistic": model.statistic,
        "Period": model.period_s,
        "EvaluationPeriods": model.evaluation_periods,
        "Threshold": float(model.threshold),
        "ComparisonOperator": model.comparison,
        "TreatMissingData": model.treat_missing_data,
        "ActionsEnabled": True,
        "AlarmActions": [model.topic_arn],
    }
    if with_tags:
        request["Tags"] = tag_list(model.tags)
    target.client("cloudwatch").put_metric_alarm(**request)


def create(target: Any, model: Alarm) -> dict[str, Any]:
    _put(target, model, with_tags=True)
    arn = f"arn:{target.partition}:cloudwatch:{target.region}:{target.account_id}:alarm:{model.alarm_name}"
    return {"arn": arn, "name": model.alarm_name, "state": "INSUFFICIENT_DATA"}


def update(target: Any, model: Alarm, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    props = {d.property for d in differences}
    if "definition" in props:
        _put(target, model, with_tags=False)
    if "tags" in props:
        target.client("cloudwatch").tag_resource(ResourceARN=observed.outputs["arn"], Tags=tag_list(model.tags))
    return dict(observed.outputs)


def delete(target: Any, model: Alarm, observed: Observed) -> None:
    ignore_missing(lambda: target.client("cloudwatch").delete_alarms(AlarmNames=[model.alarm_name]))
