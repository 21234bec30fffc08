"""Each rule refuses one call as AWS would, with AWS's error code and text (limits from webhookctl.aws_limits)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Callable

from webhookctl import aws_limits as limits
from webhookctl.localcloud.aws_rules.calls import Call, Refusal

Rule = Callable[[Call], None]


def _refuse_if(problem: str | None, code: str, status: int = 400) -> None:
    if problem is not None:
        raise Refusal(code, problem, status)


def _validation(value: str, field: str, kind: str) -> str | None:
    """AWS's generic constraint message for a name that breaks its length or pattern."""
    rule = limits.NAME_RULES[kind]
    if len(value) > rule.max_length:
        return f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must have length less than or equal to {rule.max_length}"
    if len(value) < rule.min_length:
        return f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must have length greater than or equal to {rule.min_length}"
    if not rule.pattern.fullmatch(value):
        return f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {rule.pattern.pattern}"
    return None


# --- Lambda ----------------------------------------------------------------------------------


def _lambda_backend(call: Call) -> Any:
    from webhookctl.localcloud.lambda_runtime.functions import lambda_backend

    return lambda_backend(call.account, call.region)


def _zip_of(code: dict[str, Any] | None) -> bytes | None:
    if not isinstance(code, dict) or not code.get("ZipFile"):
        return None
    try:
        return base64.b64decode(code["ZipFile"])
    except (binascii.Error, ValueError):
        return None


def _layer_sizes(call: Call, layer_arns: list[str]) -> list[int]:
    sizes = []
    for arn in layer_arns:
        try:
            layer = _lambda_backend(call)._layers.get_layer_version_by_arn(arn)
            if layer is not None and getattr(layer, "code_bytes", None):
                sizes.append(limits.unzipped_size(layer.code_bytes))
        except Exception:  # noqa: BLE001 - an unknown layer is moto's own error to report
            continue
    return sizes


def _function_now(call: Call) -> Any:
    try:
        return _lambda_backend(call).get_function(call.path_args.get("function", ""), None)
    except Exception:  # noqa: BLE001 - a missing function is moto's own error to report
        return None


def _check_function(call: Call, zip_bytes: bytes | None, layer_arns: list[str]) -> None:
    params = call.params
    _refuse_if(limits.request_size_problem(call.body_bytes, call.operation), "RequestEntityTooLargeException", 413)
    variables = (params.get("Environment") or {}).get("Variables")
    if isinstance(variables, dict):
        _refuse_if(limits.environment_problem(variables), "InvalidParameterValueException")
    _refuse_if(limits.layers_problem(len(layer_arns)), "InvalidParameterValueException")
    if zip_bytes is not None:
        _refuse_if(limits.zipped_problem(len(zip_bytes)), "InvalidParameterValueException")
        _refuse_if(limits.unzipped_problem([limits.unzipped_size(zip_bytes), *_layer_sizes(call, layer_arns)]), "InvalidParameterValueException")


def create_function(call: Call) -> None:
    name = str(call.params.get("FunctionName", ""))
    if ":" not in name:  # an ARN form is moto's to judge
        _refuse_if(_validation(name, "functionName", "lambda_function"), "ValidationException")
    _check_tags(len(call.params.get("Tags") or {}), "InvalidParameterValueException")
    _check_function(call, _zip_of(call.params.get("Code")), list(call.params.get("Layers") or []))


def update_function_configuration(call: Call) -> None:
    current = _function_now(call)
    layers = call.params.get("Layers")
    if layers is None and current is not None:
        layers = [layer["Arn"] for layer in getattr(current, "layers", []) or []]
    zip_bytes = getattr(current, "code_bytes", None) if layers is not None else None
    _check_function(call, zip_bytes if isinstance(zip_bytes, bytes) else None, list(layers or []))


def update_function_code(call: Call) -> None:
    current = _function_now(call)
    layers = [layer["Arn"] for layer in getattr(current, "layers", []) or []] if current is not None else []
    _check_function(call, _zip_of(call.params), layers)


def publish_layer_version(call: Call) -> None:
    _refuse_if(limits.request_size_problem(call.body_bytes, call.operation), "RequestEntityTooLargeException", 413)
    name = call.path_args.get("layer", "")
    if ":" not in name:
        _refuse_if(_validation(name, "layerName", "lambda_layer"), "ValidationException")
    zip_bytes = _zip_of(call.params.get("Content"))
    if zip_bytes is not None:
        _refuse_if(limits.zipped_problem(len(zip_bytes)), "InvalidParameterValueException")
        _refuse_if(limits.layer_unzipped_problem(limits.unzipped_size(zip_bytes)), "InvalidParameterValueException")


def tag_lambda(call: Call) -> None:
    _check_tags(len(call.params.get("Tags") or {}), "InvalidParameterValueException")


# --- IAM and KMS ------------------------------------------------------------------------------


def create_role(call: Call) -> None:
    _refuse_if(_validation(call.params.get("RoleName", ""), "roleName", "iam_role"), "ValidationError")
    _refuse_if(limits.trust_policy_problem(call.params.get("AssumeRolePolicyDocument", "")), "LimitExceeded", 409)
    _check_tags(len(call.list_param("Tags")), "LimitExceeded", 409)


def put_role_policy(call: Call) -> None:
    document = call.params.get("PolicyDocument", "")
    _refuse_if(limits.inline_policy_problem(document, call.params.get("RoleName", "")), "LimitExceeded", 409)


def key_policy(call: Call) -> None:
    policy = call.params.get("Policy")
    if policy:
        _refuse_if(limits.key_policy_problem(policy), "LimitExceededException")
    _check_tags(len(call.params.get("Tags") or []), "TagException")


# --- queues, topics, tables, web ACLs ----------------------------------------------------------


def create_queue(call: Call) -> None:
    name = str(call.params.get("QueueName", ""))
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if limits.name_problem("sqs_queue", base) is not None or len(name) > limits.NAME_RULES["sqs_queue"].max_length:
        raise Refusal("InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
    tags = call.params.get("tags") if call.protocol == "json" else call.list_param("Tag")
    _check_tags(len(tags or []), "InvalidParameterValue")


def create_topic(call: Call) -> None:
    name = str(call.params.get("Name", ""))
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if limits.name_problem("sns_topic", base) is not None:
        raise Refusal("InvalidParameter", "Invalid parameter: Topic Name")
    if len(call.list_param("Tags")) > limits.TAGS_PER_RESOURCE:
        raise Refusal("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")


def create_table(call: Call) -> None:
    name = str(call.params.get("TableName", ""))
    _refuse_if(_validation(name, "tableName", "dynamodb_table"), "ValidationException")
    _check_tags(len(call.params.get("Tags") or []), "ValidationException")


def create_web_acl(call: Call) -> None:
    _refuse_if(_validation(str(call.params.get("Name", "")), "name", "web_acl"), "WAFInvalidParameterException")
    _check_tags(len(call.params.get("Tags") or []), "WAFTagOperationException")


def _check_tags(count: int, code: str, status: int = 400) -> None:
    _refuse_if(limits.tags_problem(count), code, status)


# --- API Gateway -------------------------------------------------------------------------------


def _apigateway_account(call: Call) -> Any:
    from webhookctl.localcloud.moto_bridge.backends import get_backend

    return get_backend("apigateway")[call.account][call.region].get_account()


def _no_logging_role(account: Any) -> bool:
    """The account has no cloudWatchRoleArn (the local cloud gives every account one on its first API Gateway call)."""
    return not account.cloudwatch_role_arn


def create_rest_api(call: Call) -> None:
    _check_tags(len(call.params.get("tags") or {}), "BadRequestException")


def create_stage(call: Call) -> None:
    _check_tags(len(call.params.get("tags") or {}), "BadRequestException")
    if call.params.get("accessLogSettings") and _no_logging_role(_apigateway_account(call)):
        raise Refusal("BadRequestException", limits.ACCESS_LOGGING_NEEDS_ROLE)


def update_stage(call: Call) -> None:
    rate = burst = None
    logging = False
    for patch in call.params.get("patchOperations") or []:
        path, value = str(patch.get("path", "")), patch.get("value")
        if path.endswith("/throttling/rateLimit") and value is not None:
            rate = float(value)
        elif path.endswith("/throttling/burstLimit") and value is not None:
            burst = int(float(value))
        elif path.startswith("/accessLogSettings") and patch.get("op") in ("replace", "add") and value:
            logging = True
    if rate is None and burst is None and not logging:
        return
    account = _apigateway_account(call)
    settings = account.throttle_settings or {}
    account_rate = float(settings.get("rateLimit", limits.ACCOUNT_RATE_LIMIT))
    account_burst = int(settings.get("burstLimit", limits.ACCOUNT_BURST_LIMIT))
    _refuse_if(limits.throttle_problem(rate, burst, account_rate, account_burst), "BadRequestException")
    if logging and _no_logging_role(account):
        raise Refusal("BadRequestException", limits.ACCESS_LOGGING_NEEDS_ROLE)


RULES: dict[tuple[str, str], Rule] = {
    ("lambda", "CreateFunction"): create_function,
    ("lambda", "UpdateFunctionConfiguration"): update_function_configuration,
    ("lambda", "UpdateFunctionCode"): update_function_code,
    ("lambda", "PublishLayerVersion"): publish_layer_version,
    ("lambda", "TagResource"): tag_lambda,
    ("iam", "CreateRole"): create_role,
    ("iam", "PutRolePolicy"): put_role_policy,
    ("kms", "CreateKey"): key_policy,
    ("kms", "PutKeyPolicy"): key_policy,
    ("sqs", "CreateQueue"): create_queue,
    ("sns", "CreateTopic"): create_topic,
    ("dynamodb", "CreateTable"): create_table,
    ("wafv2", "CreateWebACL"): create_web_acl,
    ("apigateway", "CreateRestApi"): create_rest_api,
    ("apigateway", "CreateStage"): create_stage,
    ("apigateway", "UpdateStage"): update_stage,
}
# JSON-protocol operations that must pass the overlays rather than take the direct route to moto.
RULED_JSON_OPERATIONS = frozenset(operation for (service, operation) in RULES if service in ("dynamodb", "sqs", "logs"))

