"""`alarms test`: set one alarm to ALARM and back (SetAlarmState), so a notification can be seen arriving.

The alarm's action publishes to the KMS-encrypted alerts topic; only a real account shows whether
CloudWatch may use the key ("Successfully executed action" in the alarm's history).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import NotDeployedError, UsageError
from webhookctl.names import Names

DEFAULT_ALARM = "processor-dlq"
REASON = "webhookctl alarms test: checking that alarm notifications arrive"


@dataclass(frozen=True)
class AlarmTestResult:
    alarm: str
    states: tuple[str, ...]
    actions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"alarm": self.alarm, "states": list(self.states), "actions": list(self.actions)}


def env_alarm_names(settings: Settings) -> dict[str, str]:
    """Short name (processor-dlq, receiver-errors, api-5xx, ...) -> the alarm's name."""
    names = Names(settings.prefix, settings.env)
    short = ["processor-dlq", "audit-dlq", "receiver-errors", "processor-errors", "audit-errors", "api-5xx"]
    return {what: names.alarm(what) for what in short}


def test_alarm(aws: AwsContext, settings: Settings, alarm: str | None = None) -> AlarmTestResult:
    known = env_alarm_names(settings)
    name = known.get(alarm or DEFAULT_ALARM) or (alarm if alarm in known.values() else None)
    if name is None:
        raise UsageError(f"unknown alarm {alarm!r}", hint=f"use one of {', '.join(known)}")
    cloudwatch = aws.client("cloudwatch")
    found = cloudwatch.describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
    if not found:
        raise NotDeployedError(settings.env, hint=f"alarm {name} does not exist; run webhookctl up")
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason=REASON)
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason=REASON + " (done)")
    final = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]
    return AlarmTestResult(alarm=name, states=("ALARM", final), actions=tuple(found[0].get("AlarmActions", [])))
