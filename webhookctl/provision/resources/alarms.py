"""CloudWatch alarms that notify the alerts topic (DLQ depth, function errors, API 5xx)."""

from __future__ import annotations

from typing import Any

from webhookctl.provision.models import Alarm
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, tag_list


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
