"""Alerts that reach someone (review F7): [alerts] email subscribes, `status` says whether a subscription
is confirmed, `alarms test` sets an alarm to ALARM and back (CloudWatch SetAlarmState), via the real CLI."""

from __future__ import annotations

import json

import boto3

from tests.cli_runner import run_main
from tests.provision.test_commands_moto_server import builds  # noqa: F401 - the fixture


def run(args, monkeypatch, capsys):
    return run_main(args, monkeypatch, capsys)


def test_alerts_email_subscribes_status_shows_it_and_alarms_test_fires(moto_server_with_logging_role, builds, monkeypatch, capsys, tmp_path):  # noqa: F811
    endpoint = ["--endpoint-url", moto_server_with_logging_role]
    code, out, err = run(["up", *endpoint, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    topic = json.loads(out)["outputs"]["AlertsTopicArn"]
    code, out, err = run(["status", *endpoint, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["alerts"] == {"topic": topic, "confirmed_subscription": False, "subscriptions": []}
    code, out, err = run(["status", *endpoint], monkeypatch, capsys)
    assert "no confirmed subscription" in out

    config = tmp_path / "alerts.toml"
    config.write_text('[alerts]\nemail = "oncall@example.com"\n')
    code, out, err = run(["up", *endpoint, "--config", str(config), "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    sns = boto3.client("sns", region_name="us-east-1", endpoint_url=moto_server_with_logging_role)
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "oncall@example.com")
    code, out, err = run(["status", *endpoint, "--config", str(config), "-o", "json"], monkeypatch, capsys)
    alerts = json.loads(out)["alerts"]
    assert alerts["subscriptions"] == [{"protocol": "email", "endpoint": "oncall@example.com", "confirmed": alerts["confirmed_subscription"]}]

    code, out, err = run(["alarms", "test", *endpoint, "-o", "json"], monkeypatch, capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result == {"alarm": "webhookctl-processor-dlq-alarm-dev", "states": ["ALARM", "OK"], "actions": [topic]}
    (alarm,) = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto_server_with_logging_role).describe_alarms(
        AlarmNames=["webhookctl-processor-dlq-alarm-dev"]
    )["MetricAlarms"]
    assert alarm["StateValue"] == "OK" and "webhookctl alarms test" in alarm["StateReason"]
    code, out, err = run(["alarms", "test", *endpoint, "--alarm", "nope"], monkeypatch, capsys)
    assert code == 2 and "unknown alarm 'nope'" in err

    code, out, err = run(["down", *endpoint, "--config", str(config), "--yes", "-o", "json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["remaining"] == [], err
