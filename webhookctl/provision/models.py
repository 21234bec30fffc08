"""Desired state: one small frozen dataclass per resource, with a stable logical name.

Dependencies are explicit: `depends_on` names resources that must exist first, and every
`Ref` inside a model adds the resource it points to (see `dependencies`).
Values that are only known once another resource exists are `Ref`s, resolved at apply time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from webhookctl.provision.references import references


@dataclass(frozen=True)
class CodeArtifact:
    """A zip to upload: its path and the hex sha256 of its bytes."""

    path: Path
    sha256: str

    @property
    def lambda_code_sha256(self) -> str:
        """The form Lambda reports as CodeSha256 (base64 of the raw digest)."""
        import base64

        return base64.b64encode(bytes.fromhex(self.sha256)).decode()


@dataclass(frozen=True, kw_only=True)
class Resource:
    name: str
    depends_on: tuple[str, ...] = ()
    TYPE: ClassVar[str] = "resource"

    @property
    def type(self) -> str:
        return self.TYPE

    @property
    def physical_name(self) -> str | None:
        """The resource's own name in AWS, for display; None for one that has no name of its own."""
        return None


def dependencies(model: Resource) -> set[str]:
    """Explicit dependencies plus every resource a Ref inside the model points to."""
    return set(model.depends_on) | references(model) - {model.name}


@dataclass(frozen=True, kw_only=True)
class Tagged(Resource):
    """A resource that carries the env's tags."""

    tags: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class Encrypted(Tagged):
    """A tagged resource encrypted with the env's key."""

    kms_key_arn: Any


@dataclass(frozen=True, kw_only=True)
class OfFunction(Resource):
    """A function, or one of its settings: found, and shown, by the function's name."""

    function_name: str
    physical_name = property(lambda self: self.function_name)


@dataclass(frozen=True, kw_only=True)
class OfStage(Resource):
    """A part of the API's stage (its routes, throttling, access logs), shown by the stage's name."""

    rest_api_id: Any
    stage_name: str
    physical_name = property(lambda self: self.stage_name)


@dataclass(frozen=True, kw_only=True)
class KmsKey(Tagged):
    TYPE: ClassVar[str] = "kms_key"
    physical_name = property(lambda self: self.alias)
    alias: str
    description: str
    policy: dict[str, Any]
    pending_window_days: int = 7  # `down` schedules deletion this many days ahead
    rescue_pending_deletion: bool = False  # protected envs: `up` takes back a key `down` scheduled for deletion


@dataclass(frozen=True, kw_only=True)
class LogGroup(Encrypted):
    TYPE: ClassVar[str] = "log_group"
    physical_name = property(lambda self: self.group_name)
    group_name: str
    retention_days: int


@dataclass(frozen=True, kw_only=True)
class Table(Encrypted):
    TYPE: ClassVar[str] = "dynamodb_table"
    physical_name = property(lambda self: self.table_name)
    table_name: str
    hash_key: str
    ttl_attribute: str
    stream_view_type: str
    point_in_time_recovery: bool


@dataclass(frozen=True, kw_only=True)
class Queue(Encrypted):
    TYPE: ClassVar[str] = "sqs_queue"
    physical_name = property(lambda self: self.queue_name)
    queue_name: str
    retention_s: int


@dataclass(frozen=True, kw_only=True)
class Topic(Encrypted):
    TYPE: ClassVar[str] = "sns_topic"
    physical_name = property(lambda self: self.topic_name)
    topic_name: str


@dataclass(frozen=True, kw_only=True)
class TopicSubscription(Resource):
    """[alerts] email (or protocol + endpoint): who the alerts topic notifies."""

    TYPE: ClassVar[str] = "sns_subscription"
    physical_name = property(lambda self: self.endpoint)
    topic_arn: Any
    protocol: str
    endpoint: str


@dataclass(frozen=True, kw_only=True)
class Secret(Encrypted):
    """The env's provider-secret document; `generate_for` lists providers that get test material when missing."""

    TYPE: ClassVar[str] = "secret"
    physical_name = property(lambda self: self.secret_name)
    secret_name: str
    description: str
    generate_for: tuple[str, ...]
    recovery_window_days: int | None  # None: `down` deletes at once (non-protected envs)
    # [providers.paypal] cert_file, pinned in the document: a PEM chain can exceed Lambda's 4 KB environment.
    paypal_certificates: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Role(Tagged):
    TYPE: ClassVar[str] = "iam_role"
    physical_name = property(lambda self: self.role_name)
    role_name: str
    assume_role_policy: dict[str, Any]
    inline_policy_name: str
    inline_policy: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Layer(Resource):
    """A layer version is published only when no version carries `content_hash` in its Description."""

    TYPE: ClassVar[str] = "lambda_layer"
    physical_name = property(lambda self: self.layer_name)
    layer_name: str
    artifact: CodeArtifact | None  # None: not needed (down, status, outputs)
    content_hash: str | None
    runtimes: tuple[str, ...]
    architectures: tuple[str, ...]

    @property
    def description(self) -> str:
        return f"sha256:{self.content_hash}"


@dataclass(frozen=True, kw_only=True)
class Function(OfFunction, Encrypted):
    TYPE: ClassVar[str] = "lambda_function"
    key: str
    role_arn: Any
    runtime: str
    architecture: str
    handler: str
    artifact: CodeArtifact | None
    layers: tuple[Any, ...]
    memory_mb: int
    timeout_s: int
    environment: dict[str, Any]
    tracing_mode: str
    dead_letter_arn: Any | None
    reserved_concurrency: int | None


@dataclass(frozen=True, kw_only=True)
class EventInvokeConfig(OfFunction):
    TYPE: ClassVar[str] = "lambda_event_invoke_config"
    maximum_retry_attempts: int
    maximum_event_age_s: int


@dataclass(frozen=True, kw_only=True)
class EventSourceMapping(OfFunction):
    TYPE: ClassVar[str] = "lambda_event_source_mapping"
    source_arn: Any
    batch_size: int
    maximum_retry_attempts: int
    bisect_on_error: bool
    report_batch_item_failures: bool
    on_failure_arn: Any
    starting_position: str


@dataclass(frozen=True, kw_only=True)
class LambdaPermission(OfFunction):
    TYPE: ClassVar[str] = "lambda_permission"
    statement_id: str
    principal: str
    source_arn: Any


@dataclass(frozen=True, kw_only=True)
class RestApi(Tagged):
    TYPE: ClassVar[str] = "rest_api"
    physical_name = property(lambda self: self.api_name)
    api_name: str
    description: str
    endpoint_type: str
    stage_name: str


@dataclass(frozen=True, kw_only=True)
class ApiRoutes(OfStage):
    """The resource tree `path` with one method and its Lambda proxy integration; a correction redeploys `stage_name`."""

    TYPE: ClassVar[str] = "api_routes"
    path: str  # e.g. /webhook/{provider}
    http_method: str
    integration_uri: str
    root_resource_id: Any = None  # the API's "/" resource, which a new API reports when it is created

    @property
    def fingerprint(self) -> str:
        import hashlib

        text = f"{self.path} {self.http_method} AWS_PROXY {self.integration_uri}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class Stage(OfStage, Tagged):
    """A stage plus the deployment it serves; `deployment_description` marks which routes it snapshots.

    Throttling is set in its own call right after CreateStage, so no later failure can leave the
    stage serving without it. Access logging is a separate resource (StageAccessLogging).
    """

    TYPE: ClassVar[str] = "api_stage"
    deployment_description: str
    rate_limit: float
    burst_limit: int
    tracing_enabled: bool


@dataclass(frozen=True, kw_only=True)
class StageAccessLogging(OfStage):
    """The stage's access-log settings, applied after the WAF association (they need the account's CloudWatch role)."""

    TYPE: ClassVar[str] = "api_access_logging"
    destination_arn: Any | None  # None: access logging off ([api] access_logs = false)
    log_format: str | None


@dataclass(frozen=True, kw_only=True)
class AccountLoggingRole(Tagged):
    """API Gateway's CloudWatch role, an account setting per region. Account-wide: `down` never removes it."""

    TYPE: ClassVar[str] = "apigateway_account_logging_role"
    physical_name = property(lambda self: self.role_name)
    role_name: str
    assume_role_policy: dict[str, Any]
    managed_policy_arn: str


@dataclass(frozen=True, kw_only=True)
class WebAcl(Tagged):
    TYPE: ClassVar[str] = "waf_web_acl"
    physical_name = property(lambda self: self.acl_name)
    acl_name: str
    rule_name: str
    rate_limit: int
    window_s: int


@dataclass(frozen=True, kw_only=True)
class WebAclAssociation(Resource):
    TYPE: ClassVar[str] = "waf_association"
    web_acl_arn: Any
    resource_arn: Any


@dataclass(frozen=True, kw_only=True)
class Alarm(Tagged):
    TYPE: ClassVar[str] = "cloudwatch_alarm"
    physical_name = property(lambda self: self.alarm_name)
    alarm_name: str
    description: str
    namespace: str
    metric_name: str
    dimensions: dict[str, str]
    statistic: str
    period_s: int
    evaluation_periods: int
    threshold: float
    comparison: str
    treat_missing_data: str
    topic_arn: Any


MODEL_TYPES: tuple[type[Resource], ...] = (
    KmsKey,
    LogGroup,
    Table,
    Queue,
    Topic,
    TopicSubscription,
    Secret,
    Role,
    Layer,
    Function,
    EventInvokeConfig,
    EventSourceMapping,
    LambdaPermission,
    RestApi,
    ApiRoutes,
    Stage,
    StageAccessLogging,
    AccountLoggingRole,
    WebAcl,
    WebAclAssociation,
    Alarm,
)

# Fields that never take part in a diff (they identify the resource or wire the graph).
NOT_DIFFED = {"name", "depends_on"}
