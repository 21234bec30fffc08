"""The env's outputs (CLI.md `outputs`): one flat object of strings, from the resources' outputs."""

from __future__ import annotations

from typing import Any

from webhookctl.config import Settings
from webhookctl.errors import NotDeployedError
from webhookctl.names import STAGE_NAME, Names

# Output key -> (logical resource, output name)
SOURCES: dict[str, tuple[str, str]] = {
    "ApiId": ("rest_api", "id"),
    "ApiUrl": ("rest_api", "url"),
    "EventsTableName": ("table", "name"),
    "EventsStreamArn": ("table", "stream_arn"),
    "ProcessorDlqUrl": ("processor_dlq", "url"),
    "AuditDlqUrl": ("audit_dlq", "url"),
    "AlertsTopicArn": ("alerts_topic", "arn"),
    "KmsKeyArn": ("kms_key", "arn"),
    "LayerVersionArn": ("layer", "arn"),
    "ReceiverFunctionName": ("function_receiver", "name"),
    "ProcessorFunctionName": ("function_processor", "name"),
    "AuditFunctionName": ("function_audit", "name"),
    "WebAclArn": ("web_acl", "arn"),
    "AuditLogGroupName": ("audit_log_group", "name"),
    "ProviderSecretArn": ("secret", "arn"),
}
KEYS = ("Env", "Region", "ApiId", "StageName", "ApiUrl", "WebhookUrlTemplate", *[k for k in SOURCES if k not in ("ApiId", "ApiUrl")])


def env_outputs(settings: Settings, region: str, resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Every output key as a string; NotDeployedError naming what is missing when the env is incomplete."""
    values: dict[str, str] = {"Env": settings.env, "Region": region, "StageName": STAGE_NAME}
    missing: list[str] = []
    for key, (resource, output) in SOURCES.items():
        value = (resources.get(resource) or {}).get(output)
        if key == "LayerVersionArn" and not value:
            value = (resources.get(resource) or {}).get("latest_arn")
        if not value:
            missing.append(key)
        else:
            values[key] = str(value)
    if missing:
        names = Names(settings.prefix, settings.env)
        raise NotDeployedError(
            settings.env,
            hint=f"{names.rest_api} is incomplete (no {', '.join(missing)}); run: webhookctl up --env {settings.env}",
        )
    values["WebhookUrlTemplate"] = values["ApiUrl"] + "/webhook/{provider}"
    return {key: values[key] for key in KEYS}
