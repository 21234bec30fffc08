"""The desired state of one env, as data: every resource model, built from settings and artifacts."""

from __future__ import annotations

import json
from typing import Any

from webhookctl.config import FUNCTIONS, Settings
from webhookctl.errors import UsageError
from webhookctl.names import HANDLER, STAGE_NAME, TAG_APP, Names
from webhookctl.provision import models as m
from webhookctl.provision import policies
from webhookctl.provision.deployable_code import Artifacts
from webhookctl.provision.references import Ref
from webhookctl.provision.resources.routes import deployment_description
from webhookctl.provision.resources.stage import ACCESS_LOG_FORMAT

WEBHOOK_PATH = "/webhook/{provider}"
SECRETS_TTL_S = 20  # a replaced secret stops verifying within this (plus one read) on AWS; one GetSecretValue per warm receiver per TTL
DUPLICATE_GRACE_S = 60
PROTECTED_SECRET_RECOVERY_DAYS = 30
UNPROTECTED_KEY_PENDING_DAYS = 7
KEY = Ref("kms_key", "arn")


def key_pending_window_days(settings: Settings) -> int:
    """A protected env's key outlives its deleted secret's recovery window, so a restored secret still decrypts."""
    return PROTECTED_SECRET_RECOVERY_DAYS if settings.protected else UNPROTECTED_KEY_PENDING_DAYS


def function_name(key: str) -> str:
    return f"function_{key}"


def log_group_name(key: str) -> str:
    return f"log_group_{key}"


def build_desired(
    settings: Settings,
    *,
    account_id: str,
    region: str,
    partition: str,
    artifacts: Artifacts | None,
    reservations: dict[str, int | None] | None = None,
) -> list[m.Resource]:
    """Every resource of the env. Without artifacts (down, status, outputs) code is not compared."""
    names = Names(settings.prefix, settings.env)
    tags = names.tags()
    if reservations is None:
        reservations = {key: settings.functions[key].reserved_concurrency for key in FUNCTIONS}
    deterministic = policies.ResourceArns.for_env(names, account_id=account_id, region=region, partition=partition, kms_key_arn="*")
    arns = policies.ResourceArns.for_env(
        names,
        account_id=account_id,
        region=region,
        partition=partition,
        kms_key_arn=KEY,
        # The audit role reads this table's streams by pattern (table/NAME/stream/*), not by the
        # exact label: the label holds colons, which policy linters reject as a resource mismatch.
        secret_arn=Ref("secret", "arn"),
    )
    resources: list[m.Resource] = [
        m.KmsKey(
            name="kms_key",
            alias=names.kms_alias,
            description=f"{settings.prefix} {settings.env}: encrypts the table, queues, topic, logs, secret and Lambda environment",
            policy=policies.kms_key_policy(deterministic),
            tags=tags,
            pending_window_days=key_pending_window_days(settings),
            rescue_pending_deletion=settings.protected,
        )
    ]
    for key in FUNCTIONS:
        resources.append(_log_group(log_group_name(key), names.function_log_group(key), settings, tags))
    resources.append(_log_group("audit_log_group", names.audit_log_group, settings, tags))
    resources.append(_log_group("api_access_log_group", names.api_access_log_group, settings, tags))
    resources += [
        m.Table(
            name="table",
            table_name=names.table,
            hash_key="event_key",
            ttl_attribute="expires_at",
            stream_view_type="NEW_AND_OLD_IMAGES",
            kms_key_arn=KEY,
            point_in_time_recovery=True,
            tags=tags,
        ),
        m.Queue(name="processor_dlq", queue_name=names.processor_dlq, retention_s=1_209_600, kms_key_arn=KEY, tags=tags),
        m.Queue(name="audit_dlq", queue_name=names.audit_dlq, retention_s=1_209_600, kms_key_arn=KEY, tags=tags),
        m.Topic(name="alerts_topic", topic_name=names.alerts_topic, kms_key_arn=KEY, tags=tags),
        m.Secret(
            name="secret",
            secret_name=names.secret,
            description=f"Provider webhook signing material for {settings.prefix} {settings.env}",
            kms_key_arn=KEY,
            generate_for=() if settings.protected else tuple(settings.providers_enabled),
            recovery_window_days=PROTECTED_SECRET_RECOVERY_DAYS if settings.protected else None,
            tags=tags,
            paypal_certificates=paypal_certificates(settings),
        ),
    ]
    for key in FUNCTIONS:
        resources.append(
            m.Role(
                name=f"role_{key}",
                role_name=names.role(key, region),
                assume_role_policy=policies.assume_role_policy(),
                inline_policy_name=f"{settings.prefix}-{key}",
                inline_policy=policies.function_policy(key, arns),
                tags=tags,
            )
        )
    resources.append(
        m.Layer(
            name="layer",
            layer_name=names.layer,
            artifact=artifacts.layer if artifacts else None,
            content_hash=artifacts.layer_hash if artifacts else None,
            runtimes=(settings.runtime,),
            architectures=(settings.architecture,),
        )
    )
    resources.append(
        m.RestApi(
            name="rest_api",
            api_name=names.rest_api,
            description=f"Payment webhooks for {settings.prefix} {settings.env}",
            endpoint_type="REGIONAL",
            stage_name=STAGE_NAME,
            tags=tags,
        )
    )
    for key in FUNCTIONS:
        resources.append(_function(key, settings, names, artifacts, reservations.get(key), tags))
    resources += [
        m.EventInvokeConfig(
            name="processor_invoke_config",
            function_name=names.function("processor"),
            maximum_retry_attempts=settings.async_maximum_retry_attempts,
            maximum_event_age_s=settings.async_maximum_event_age_s,
            depends_on=(function_name("processor"),),
        ),
        m.EventSourceMapping(
            name="audit_stream_mapping",
            function_name=names.function("audit"),
            source_arn=Ref("table", "stream_arn"),
            batch_size=settings.stream_batch_size,
            maximum_retry_attempts=settings.stream_maximum_retry_attempts,
            bisect_on_error=True,
            report_batch_item_failures=True,
            on_failure_arn=Ref("audit_dlq", "arn"),
            starting_position="LATEST",
            depends_on=(function_name("audit"),),
        ),
        m.LambdaPermission(
            name="receiver_api_permission",
            function_name=names.function("receiver"),
            statement_id="webhookctl-api-invoke",
            principal="apigateway.amazonaws.com",
            source_arn=Ref("rest_api", "execute_arn", "/*/POST/webhook/*"),
            depends_on=(function_name("receiver"),),
        ),
    ]
    receiver_arn = arns.functions["receiver"]
    route = m.ApiRoutes(
        name="api_routes",
        rest_api_id=Ref("rest_api", "id"),
        root_resource_id=Ref("rest_api", "root_resource_id"),
        path=WEBHOOK_PATH,
        http_method="POST",
        integration_uri=f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{receiver_arn}/invocations",
        stage_name=STAGE_NAME,
        depends_on=(function_name("receiver"),),
    )
    resources += [
        route,
        m.Stage(
            name="api_stage",
            rest_api_id=Ref("rest_api", "id"),
            stage_name=STAGE_NAME,
            deployment_description=deployment_description(route),
            rate_limit=float(settings.api_rate_limit),
            burst_limit=settings.api_burst_limit,
            tracing_enabled=True,
            tags=tags,
            depends_on=("api_routes", "receiver_api_permission"),
        ),
        m.WebAcl(
            name="web_acl",
            acl_name=names.web_acl,
            rule_name=f"{settings.prefix}-per-ip-rate-{settings.env}",
            rate_limit=settings.waf_rate_limit,
            window_s=settings.waf_window_s,
            tags=tags,
        ),
        m.WebAclAssociation(name="web_acl_association", web_acl_arn=Ref("web_acl", "arn"), resource_arn=Ref("api_stage", "arn")),
    ]
    resources += _access_logging(settings, names, partition)
    if settings.alerts_protocol and settings.alerts_endpoint:
        resources.append(
            m.TopicSubscription(name="alerts_subscription", topic_arn=Ref("alerts_topic", "arn"), protocol=settings.alerts_protocol, endpoint=settings.alerts_endpoint)
        )
    resources += _alarms(settings, names, tags)
    return resources


def _access_logging(settings: Settings, names: Names, partition: str) -> list[m.Resource]:
    """Access logging, last on the stage: after throttling and the WAF association, and after the account role it needs."""
    wanted: list[m.Resource] = []
    after = ["api_stage", "web_acl_association"]
    if settings.api_access_logs and settings.api_create_account_logging_role:
        wanted.append(
            m.AccountLoggingRole(
                name="account_logging_role",
                role_name=names.account_logging_role,
                assume_role_policy=policies.api_gateway_logging_trust_policy(),
                managed_policy_arn=policies.api_gateway_logging_policy_arn(partition),
                tags={TAG_APP: settings.prefix},
            )
        )
        after.append("account_logging_role")
    wanted.append(
        m.StageAccessLogging(
            name="api_access_logging",
            rest_api_id=Ref("rest_api", "id"),
            stage_name=STAGE_NAME,
            destination_arn=Ref("api_access_log_group", "arn") if settings.api_access_logs else None,
            log_format=ACCESS_LOG_FORMAT if settings.api_access_logs else None,
            depends_on=tuple(after),
        )
    )
    return wanted


def _log_group(logical: str, group: str, settings: Settings, tags: dict[str, str]) -> m.LogGroup:
    return m.LogGroup(name=logical, group_name=group, retention_days=settings.log_retention_days, kms_key_arn=KEY, tags=tags)


def _function(
    key: str, settings: Settings, names: Names, artifacts: Artifacts | None, reserved: int | None, tags: dict[str, str]
) -> m.Function:
    return m.Function(
        name=function_name(key),
        key=key,
        function_name=names.function(key),
        role_arn=Ref(f"role_{key}", "arn"),
        runtime=settings.runtime,
        architecture=settings.architecture,
        handler=HANDLER,
        artifact=artifacts.functions[key] if artifacts else None,
        layers=(Ref("layer", "arn"),),
        memory_mb=settings.functions[key].memory_mb,
        timeout_s=settings.functions[key].timeout_s,
        environment=environment(key, settings, names),
        kms_key_arn=KEY,
        tracing_mode="Active",
        dead_letter_arn=Ref("processor_dlq", "arn") if key == "processor" else None,
        reserved_concurrency=reserved,
        tags=tags,
        depends_on=(log_group_name(key),),
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
    the secret document (see paypal_certificates).
    """
    result: dict[str, Any] = {}
    if settings.square_notification_url:
        result["square"] = {"notification_url": settings.square_notification_url}
    if settings.paypal_webhook_id:
        result["paypal"] = {"webhook_id": settings.paypal_webhook_id}
    return result


def paypal_certificates(settings: Settings) -> tuple[str, ...]:
    """[providers.paypal] cert_file's PEM, to pin in the secret document."""
    if not settings.paypal_cert_file:
        return ()
    try:
        return (settings.paypal_cert_file.read_text(),)
    except OSError as exc:
        raise UsageError(f"config key 'providers.paypal.cert_file': cannot read {settings.paypal_cert_file}: {exc.strerror}") from None


def _alarms(settings: Settings, names: Names, tags: dict[str, str]) -> list[m.Alarm]:
    topic = Ref("alerts_topic", "arn")

    def alarm(logical: str, what: str, description: str, namespace: str, metric: str, dimensions: dict[str, str], statistic: str, depends: str) -> m.Alarm:
        return m.Alarm(
            name=logical,
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
            topic_arn=topic,
            tags=tags,
            depends_on=(depends,),
        )

    alarms = [
        alarm(f"alarm_{queue}", queue.replace("_", "-"), f"messages are waiting in {queue_name}", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue_name}, "Maximum", queue)
        for queue, queue_name in (("processor_dlq", names.processor_dlq), ("audit_dlq", names.audit_dlq))
    ]
    alarms += [
        alarm(f"alarm_{key}_errors", f"{key}-errors", f"{names.function(key)} reported errors", "AWS/Lambda", "Errors", {"FunctionName": names.function(key)}, "Sum", function_name(key))
        for key in FUNCTIONS
    ]
    alarms.append(
        alarm("alarm_api_5xx", "api-5xx", f"{names.rest_api} answered 5xx", "AWS/ApiGateway", "5XXError", {"ApiName": names.rest_api, "Stage": STAGE_NAME}, "Sum", "api_stage")
    )
    return alarms
