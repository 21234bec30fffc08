"""The env's desired state (build_desired's models, the ones `up` applies) as a CloudFormation template.

For teams whose reviews require a template; `up` stays the tool that deploys. Account, region and
partition stay pseudo parameters, a Ref becomes Ref/GetAtt/Sub, and code comes from S3 parameters.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from webhookctl.config import Settings
from webhookctl.provision import models as m
from webhookctl.provision.desired import build_desired
from webhookctl.provision.resources.waf import _rules, _visibility
from webhookctl.provision.references import Ref

ACCOUNT, REGION, PARTITION = "${AWS::AccountId}", "${AWS::Region}", "${AWS::Partition}"
PARAMETERS = {
    "ArtifactBucket": {"Type": "String", "Description": "S3 bucket holding the zips from `webhookctl build`"},
    "LayerKey": {"Type": "String", "Default": "layer.zip"},
    "ReceiverCodeKey": {"Type": "String", "Default": "receiver.zip"},
    "ProcessorCodeKey": {"Type": "String", "Default": "processor.zip"},
    "AuditCodeKey": {"Type": "String", "Default": "audit.zip"},
}


def logical_id(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]", name) if part)


def _ref_expression(ref: Ref) -> Any:
    """What a model's Ref resolves to, in CloudFormation's terms."""
    target = logical_id(ref.resource)
    special = {
        ("rest_api", "id"): "${RestApi}",
        ("rest_api", "execute_arn"): f"arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT}:${{RestApi}}",
        ("rest_api", "webhook_url_base"): "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live/webhook/",
        ("api_stage", "arn"): f"arn:{PARTITION}:apigateway:{REGION}::/restapis/${{RestApi}}/stages/${{ApiStage}}",
        ("secret", "arn"): "${Secret}",
        ("alerts_topic", "arn"): "${AlertsTopic}",
        ("layer", "arn"): "${Layer}",
        ("table", "stream_arn"): "${Table.StreamArn}",
        ("rest_api", "root_resource_id"): "${RestApi.RootResourceId}",
    }
    text = special.get((ref.resource, ref.output), f"${{{target}.Arn}}") + ref.suffix
    whole = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z]+))?\}", text)
    if whole:
        return {"Ref": whole.group(1)} if whole.group(2) is None else {"Fn::GetAtt": [whole.group(1), whole.group(2)]}
    return {"Fn::Sub": text}


def cfn(value: Any) -> Any:
    """Refs to intrinsic functions; strings holding pseudo parameters to Fn::Sub."""
    if isinstance(value, Ref):
        return _ref_expression(value)
    if isinstance(value, dict):
        return {k: cfn(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [cfn(v) for v in value]
    if isinstance(value, str) and "${AWS::" in value:
        return {"Fn::Sub": value}
    return value


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


Translate = Callable[[Any], dict[str, dict[str, Any]]]


def _one(kind: str, properties: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"": {"Type": kind, "Properties": properties}}


def _kms(model: m.KmsKey) -> dict[str, dict[str, Any]]:
    return {
        "": {"Type": "AWS::KMS::Key", "Properties": {"Description": model.description, "EnableKeyRotation": True,
                                                      "KeyPolicy": model.policy, "Tags": _tags(model.tags)},
             "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
        "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": model.alias, "TargetKeyId": Ref(model.name, "arn")}},
    }


def _function(model: m.Function) -> dict[str, dict[str, Any]]:
    properties: dict[str, Any] = {
        "FunctionName": model.function_name, "Role": model.role_arn, "Runtime": model.runtime,
        "Architectures": [model.architecture], "Handler": model.handler,
        "Code": {"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": {"Ref": f"{logical_id(model.key)}CodeKey"}},
        "Layers": list(model.layers), "MemorySize": model.memory_mb, "Timeout": model.timeout_s,
        "Environment": {"Variables": model.environment}, "KmsKeyArn": model.kms_key_arn,
        "TracingConfig": {"Mode": model.tracing_mode}, "Tags": _tags(model.tags),
    }
    if model.dead_letter_arn is not None:
        properties["DeadLetterConfig"] = {"TargetArn": model.dead_letter_arn}
    if model.reserved_concurrency is not None:
        properties["ReservedConcurrentExecutions"] = model.reserved_concurrency
    return _one("AWS::Lambda::Function", properties)


def _routes(model: m.ApiRoutes) -> dict[str, dict[str, Any]]:
    parts = [part for part in model.path.split("/") if part]
    resources: dict[str, dict[str, Any]] = {}
    parent: Any = model.root_resource_id
    for index, part in enumerate(parts):
        suffix = f"Resource{index}"
        resources[suffix] = {"Type": "AWS::ApiGateway::Resource",
                             "Properties": {"RestApiId": model.rest_api_id, "ParentId": parent, "PathPart": part}}
        parent = {"Ref": logical_id(model.name) + suffix}
    resources[""] = {"Type": "AWS::ApiGateway::Method", "Properties": {
        "RestApiId": model.rest_api_id, "ResourceId": parent, "HttpMethod": model.http_method, "AuthorizationType": "NONE",
        "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": model.integration_uri}}}
    return resources


def _stage(model: m.Stage) -> dict[str, dict[str, Any]]:
    return {
        "Deployment": {"Type": "AWS::ApiGateway::Deployment",
                       "Properties": {"RestApiId": model.rest_api_id, "Description": model.deployment_description}},
        "": {"Type": "AWS::ApiGateway::Stage", "Properties": {
            "RestApiId": model.rest_api_id, "StageName": model.stage_name, "DeploymentId": {"Ref": "ApiStageDeployment"},
            "TracingEnabled": model.tracing_enabled,
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*",
                                "ThrottlingRateLimit": model.rate_limit, "ThrottlingBurstLimit": model.burst_limit}],
            "Tags": _tags(model.tags)}},
    }


def _account_logging_role(model: m.AccountLoggingRole) -> dict[str, dict[str, Any]]:
    return {
        "": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": model.role_name, "AssumeRolePolicyDocument": model.assume_role_policy,
            "ManagedPolicyArns": [model.managed_policy_arn], "Tags": _tags(model.tags)}},
        "Account": {"Type": "AWS::ApiGateway::Account",
                    "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": [logical_id(model.name), "Arn"]}}},
    }


def _fold_access_logging(resources: list[m.Resource], body: dict[str, Any]) -> None:
    """CloudFormation sets a stage's access logging on the stage itself; `up` makes it a step of its own."""
    for model in resources:
        if isinstance(model, m.StageAccessLogging) and model.destination_arn is not None:
            body["ApiStage"]["Properties"]["AccessLogSetting"] = cfn(
                {"DestinationArn": model.destination_arn, "Format": model.log_format})


TRANSLATORS: dict[type, Translate] = {
    m.KmsKey: _kms,
    m.LogGroup: lambda x: _one("AWS::Logs::LogGroup", {"LogGroupName": x.group_name, "RetentionInDays": x.retention_days,
                                                       "KmsKeyId": x.kms_key_arn, "Tags": _tags(x.tags)}),
    m.Table: lambda x: _one("AWS::DynamoDB::Table", {
        "TableName": x.table_name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": x.hash_key, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": x.hash_key, "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": x.stream_view_type},
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": x.kms_key_arn},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": x.point_in_time_recovery},
        "TimeToLiveSpecification": {"AttributeName": x.ttl_attribute, "Enabled": True}, "Tags": _tags(x.tags)}),
    m.Queue: lambda x: _one("AWS::SQS::Queue", {"QueueName": x.queue_name, "MessageRetentionPeriod": x.retention_s,
                                                "KmsMasterKeyId": x.kms_key_arn, "Tags": _tags(x.tags)}),
    m.Topic: lambda x: _one("AWS::SNS::Topic", {"TopicName": x.topic_name, "KmsMasterKeyId": x.kms_key_arn, "Tags": _tags(x.tags)}),
    m.Secret: lambda x: _one("AWS::SecretsManager::Secret", {"Name": x.secret_name, "Description": x.description,
                                                             "KmsKeyId": x.kms_key_arn, "Tags": _tags(x.tags)}),
    m.Role: lambda x: _one("AWS::IAM::Role", {"RoleName": x.role_name, "AssumeRolePolicyDocument": x.assume_role_policy,
                                              "Policies": [{"PolicyName": x.inline_policy_name, "PolicyDocument": x.inline_policy}],
                                              "Tags": _tags(x.tags)}),
    m.Layer: lambda x: _one("AWS::Lambda::LayerVersion", {
        "LayerName": x.layer_name, "CompatibleRuntimes": list(x.runtimes), "CompatibleArchitectures": list(x.architectures),
        "Content": {"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": {"Ref": "LayerKey"}}}),
    m.Function: _function,
    m.EventInvokeConfig: lambda x: _one("AWS::Lambda::EventInvokeConfig", {
        "FunctionName": x.function_name, "Qualifier": "$LATEST", "MaximumRetryAttempts": x.maximum_retry_attempts,
        "MaximumEventAgeInSeconds": x.maximum_event_age_s}),
    m.EventSourceMapping: lambda x: _one("AWS::Lambda::EventSourceMapping", {
        "FunctionName": x.function_name, "EventSourceArn": x.source_arn, "BatchSize": x.batch_size,
        "MaximumRetryAttempts": x.maximum_retry_attempts, "BisectBatchOnFunctionError": x.bisect_on_error,
        "FunctionResponseTypes": ["ReportBatchItemFailures"] if x.report_batch_item_failures else [],
        "DestinationConfig": {"OnFailure": {"Destination": x.on_failure_arn}}, "StartingPosition": x.starting_position}),
    m.LambdaPermission: lambda x: _one("AWS::Lambda::Permission", {
        "FunctionName": x.function_name, "Action": "lambda:InvokeFunction", "Principal": x.principal, "SourceArn": x.source_arn}),
    m.RestApi: lambda x: _one("AWS::ApiGateway::RestApi", {"Name": x.api_name, "Description": x.description,
                                                           "EndpointConfiguration": {"Types": [x.endpoint_type]}, "Tags": _tags(x.tags)}),
    m.ApiRoutes: _routes,
    m.Stage: _stage,
    m.StageAccessLogging: lambda x: {},  # folded into the stage (_fold_access_logging)
    m.AccountLoggingRole: _account_logging_role,
    m.TopicSubscription: lambda x: _one("AWS::SNS::Subscription", {"TopicArn": x.topic_arn, "Protocol": x.protocol,
                                                                   "Endpoint": x.endpoint}),
    m.WebAcl: lambda x: _one("AWS::WAFv2::WebACL", {"Name": x.acl_name, "Scope": "REGIONAL", "DefaultAction": {"Allow": {}},
                                                    "Rules": _rules(x), "VisibilityConfig": _visibility(x), "Tags": _tags(x.tags)}),
    m.WebAclAssociation: lambda x: _one("AWS::WAFv2::WebACLAssociation", {"WebACLArn": x.web_acl_arn, "ResourceArn": x.resource_arn}),
    m.Alarm: lambda x: _one("AWS::CloudWatch::Alarm", {
        "AlarmName": x.alarm_name, "AlarmDescription": x.description, "Namespace": x.namespace, "MetricName": x.metric_name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in x.dimensions.items()], "Statistic": x.statistic, "Period": x.period_s,
        "EvaluationPeriods": x.evaluation_periods, "Threshold": x.threshold, "ComparisonOperator": x.comparison,
        "TreatMissingData": x.treat_missing_data, "AlarmActions": [x.topic_arn], "Tags": _tags(x.tags)}),
}


def template_of(resources: list[m.Resource], settings: Settings) -> dict[str, Any]:
    """One CloudFormation resource (or a few, where `up` makes a few) per model, DependsOn from depends_on."""
    body: dict[str, Any] = {}
    folded = {model.name: "api_stage" for model in resources if isinstance(model, m.StageAccessLogging)}
    for model in resources:
        translated = TRANSLATORS[type(model)](model)
        base = logical_id(model.name)
        depends = sorted({logical_id(folded.get(name, name)) for name in model.depends_on} - {base})
        for suffix, resource in translated.items():
            resource = {**resource, "Properties": cfn(resource["Properties"])}
            if depends:  # a stage's deployment, too, must wait for the routes it snapshots
                resource["DependsOn"] = depends
            body[base + suffix] = resource
    _fold_access_logging(resources, body)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"webhookctl {settings.prefix} {settings.env}: the desired state `webhookctl up` applies",
        "Parameters": PARAMETERS,
        "Resources": body,
    }


def export_template(settings: Settings) -> dict[str, Any]:
    resources = build_desired(settings, account_id=ACCOUNT, region=REGION, partition=PARTITION, artifacts=None)
    return template_of(resources, settings)
