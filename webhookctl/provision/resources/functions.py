"""The Lambda functions: code, configuration, reserved concurrency and tags, each updated surgically."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.config import FUNCTIONS
from webhookctl.names import HANDLER
from webhookctl.provision.models import Function
from webhookctl.provision.references import Ref
from webhookctl.provision.resources import log_groups, roles
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found
from webhookctl.provision.resources.kms import KEY_ARN
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment

DEAD_LETTER = "lambda.DeadLetterConfig"
CONFIG_PROPS = ("role", "runtime", "handler", "layers", "memory_mb", "timeout_s", "environment", "kms_key", "tracing", "dead_letter")


SECRETS_TTL_S = 20  # a replaced secret stops verifying within this (plus one read) on AWS; one GetSecretValue per warm receiver per TTL
DUPLICATE_GRACE_S = 60


def logical_name(key: str) -> str:
    """The function `key` (receiver | processor | audit)."""
    return f"function_{key}"


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Function]:
    return [_function(key, settings, names, deployment) for key in FUNCTIONS]


def _function(key: str, settings: Settings, names: Names, deployment: Deployment) -> Function:
    artifacts = deployment.artifacts
    return Function(
        name=logical_name(key),
        key=key,
        function_name=names.function(key),
        role_arn=Ref(roles.logical_name(key), "arn"),
        runtime=settings.runtime,
        architecture=settings.architecture,
        handler=HANDLER,
        artifact=artifacts.functions[key] if artifacts else None,
        layers=(Ref("layer", "arn"),),
        memory_mb=settings.functions[key].memory_mb,
        timeout_s=settings.functions[key].timeout_s,
        environment=environment(key, settings, names),
        kms_key_arn=KEY_ARN,
        tracing_mode="Active",
        dead_letter_arn=Ref("processor_dlq", "arn") if key == "processor" else None,
        reserved_concurrency=deployment.reservations.get(key),
        tags=names.tags(),
        depends_on=(log_groups.logical_name(key),),
    )


def environment(key: str, settings: Settings, names: Names) -> dict[str, Any]:
    """The function's environment variables (values may be Refs)."""
    common: dict[str, Any] = {"WEBHOOKCTL_ENV": settings.env, "LOG_LEVEL": "INFO", "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
    if key == "receiver":
        return {
            **common,
            "EVENTS_TABLE": names.table,
            "PROCESSOR_FUNCTION": names.function("processor"),
            "SECRET_ID": Ref("secret", "arn"),
            "MAX_BODY_BYTES": str(settings.max_body_bytes),
            "PROVIDERS_ENABLED": ",".join(settings.providers_enabled),
            "PROVIDER_SETTINGS": json.dumps(provider_settings(settings), sort_keys=True, separators=(",", ":")),
            "WEBHOOK_URL_BASE": Ref("rest_api", "webhook_url_base"),
            "SECRETS_TTL_S": str(SECRETS_TTL_S),
            "DUPLICATE_GRACE_S": str(DUPLICATE_GRACE_S),
        }
    if key == "processor":
        return {**common, "EVENTS_TABLE": names.table}
    return {**common, "AUDIT_LOG_GROUP": names.audit_log_group}


def provider_settings(settings: Settings) -> dict[str, Any]:
    """Non-secret, bounded provider settings from the config, for the receiver's environment.

    The PayPal certificate is not here: a leaf plus intermediate chain can exceed Lambda's 4 KB
    environment (Lambda quotas, "Total size of environment variables set: 4 KB"); it is pinned in
    the secret document (see secret.paypal_certificates).
    """
    result: dict[str, Any] = {}
    if settings.square_notification_url:
        result["square"] = {"notification_url": settings.square_notification_url}
    if settings.paypal_webhook_id:
        result["paypal"] = {"webhook_id": settings.paypal_webhook_id}
    return result


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Function) -> Observed | None:
    client = target.client("lambda")
    try:
        found = client.get_function(FunctionName=model.function_name)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    config = found["Configuration"]
    if "Concurrency" in found:
        reserved = found["Concurrency"].get("ReservedConcurrentExecutions")
    else:
        reserved = client.get_function_concurrency(FunctionName=model.function_name).get("ReservedConcurrentExecutions")
    return Observed(
        outputs={"arn": config["FunctionArn"], "name": model.function_name},
        state={
            "role": config.get("Role"),
            "runtime": config.get("Runtime"),
            "architecture": (config.get("Architectures") or ["x86_64"])[0],
            "handler": config.get("Handler"),
            "code_sha256": config.get("CodeSha256"),
            "layers": [layer["Arn"] for layer in config.get("Layers", [])],
            "memory_mb": config.get("MemorySize"),
            "timeout_s": config.get("Timeout"),
            "environment": (config.get("Environment") or {}).get("Variables", {}),
            "kms_key": config.get("KMSKeyArn"),
            "tracing": (config.get("TracingConfig") or {}).get("Mode", "PassThrough"),
            "dead_letter": (config.get("DeadLetterConfig") or {}).get("TargetArn"),
            "reserved": reserved,
            "tags": found.get("Tags", {}),
        },
    )


def diff(target: Any, model: Function, observed: Observed) -> list[Difference]:
    state = observed.state
    differences: list[Difference] = []
    if model.artifact is not None:
        compare(differences, "code", state["code_sha256"], model.artifact.lambda_code_sha256)
    compare(differences, "architecture", state["architecture"], model.architecture)
    compare(differences, "role", state["role"], model.role_arn)
    compare(differences, "runtime", state["runtime"], model.runtime)
    compare(differences, "handler", state["handler"], model.handler)
    compare(differences, "layers", state["layers"], list(model.layers))
    compare(differences, "memory_mb", state["memory_mb"], model.memory_mb)
    compare(differences, "timeout_s", state["timeout_s"], model.timeout_s)
    compare(differences, "environment", state["environment"], model.environment)
    compare(differences, "kms_key", state["kms_key"], model.kms_key_arn)
    compare(differences, "tracing", state["tracing"], model.tracing_mode)
    if not (state["dead_letter"] is None and model.dead_letter_arn is not None and target.cannot_report(DEAD_LETTER)):
        compare(differences, "dead_letter", state["dead_letter"], model.dead_letter_arn)
    compare(differences, "reserved_concurrency", state["reserved"], model.reserved_concurrency)
    compare_tags(differences, state["tags"], model.tags)
    return differences


def _configuration(model: Function) -> dict[str, Any]:
    return {
        "Role": model.role_arn,
        "Runtime": model.runtime,
        "Handler": model.handler,
        "Layers": list(model.layers),
        "MemorySize": model.memory_mb,
        "Timeout": model.timeout_s,
        "Environment": {"Variables": dict(model.environment)},
        "KMSKeyArn": model.kms_key_arn,
        "TracingConfig": {"Mode": model.tracing_mode},
        "DeadLetterConfig": {"TargetArn": model.dead_letter_arn} if model.dead_letter_arn else {},
    }


def create(target: Any, model: Function) -> dict[str, Any]:
    if model.artifact is None:
        raise ValueError(f"function {model.function_name}: no code artifact to deploy")
    client = target.client("lambda")
    zip_bytes = model.artifact.path.read_bytes()
    request = _configuration(model)
    if not model.dead_letter_arn:
        del request["DeadLetterConfig"]
    created = retry_on_propagation(
        lambda: client.create_function(
            FunctionName=model.function_name,
            Code={"ZipFile": zip_bytes},
            Architectures=[model.architecture],
            PackageType="Zip",
            Publish=False,
            Tags=dict(model.tags),
            **request,
        )
    )
    if created.get("State", "Pending") != "Active":  # the create answer already says when no wait is needed
        client.get_waiter("function_active_v2").wait(FunctionName=model.function_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    if model.reserved_concurrency is not None:
        client.put_function_concurrency(FunctionName=model.function_name, ReservedConcurrentExecutions=model.reserved_concurrency)
    return {"arn": created["FunctionArn"], "name": model.function_name}


def update(target: Any, model: Function, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    client = target.client("lambda")
    props = {d.property for d in differences}
    name = model.function_name
    if props & {"code", "architecture"}:
        if model.artifact is None:
            raise ValueError(f"function {name}: no code artifact to deploy")
        client.update_function_code(FunctionName=name, ZipFile=model.artifact.path.read_bytes(), Architectures=[model.architecture])
        _wait_updated(client, name)
    if props & set(CONFIG_PROPS):
        retry_on_propagation(lambda: client.update_function_configuration(FunctionName=name, **_configuration(model)))
        _wait_updated(client, name)
    if "reserved_concurrency" in props:
        if model.reserved_concurrency is None:
            client.delete_function_concurrency(FunctionName=name)
        else:
            client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=model.reserved_concurrency)
    if "tags" in props:
        client.tag_resource(Resource=observed.outputs["arn"], Tags=dict(model.tags))
    return dict(observed.outputs)


def _wait_updated(client: Any, name: str) -> None:
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def delete(target: Any, model: Function, observed: Observed) -> None:
    ignore_missing(lambda: target.client("lambda").delete_function(FunctionName=model.function_name))
