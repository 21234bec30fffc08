"""Read-only discovery of a deployed env's resources by their deterministic names.

Each property makes at most one read call, on first use, and raises NotDeployedError
when its resource is missing, so an operation touches only what it needs.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from webhookctl.aws import AwsContext
from webhookctl.config import Settings
from webhookctl.errors import NotDeployedError, UsageError
from webhookctl.names import STAGE_NAME, Names

QUEUES = ("processor", "audit")

_MISSING = {
    "ResourceNotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "NotFoundException",
}


def is_missing(exc: Exception) -> bool:
    import botocore.exceptions

    return isinstance(exc, botocore.exceptions.ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING


def check_queue(queue: str) -> str:
    if queue not in QUEUES:
        raise UsageError(f"--queue must be processor or audit (got {queue!r})")
    return queue


class Deployment:
    """Where a deployed env's resources are; discovered lazily and cached."""

    def __init__(self, ctx: AwsContext, settings: Settings):
        self.ctx = ctx
        self.settings = settings
        self.names = Names(settings.prefix, settings.env)
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, find: Any) -> Any:
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        try:
            value = find()
        except Exception as exc:
            if is_missing(exc):
                raise NotDeployedError(self.settings.env) from None
            raise
        if value is None:
            raise NotDeployedError(self.settings.env)
        with self._lock:
            self._cache[key] = value
        return value

    @property
    def table_name(self) -> str:
        return self.table["TableName"]

    @property
    def table(self) -> dict[str, Any]:
        name = self.names.table
        return self._once("table", lambda: self.ctx.client("dynamodb").describe_table(TableName=name)["Table"])

    @property
    def stream_arn(self) -> str | None:
        return self.table.get("LatestStreamArn")

    def queue_url(self, queue: str) -> str:
        name = self.names.processor_dlq if check_queue(queue) == "processor" else self.names.audit_dlq
        return self._once(f"queue:{queue}", lambda: self.ctx.client("sqs").get_queue_url(QueueName=name)["QueueUrl"])

    @property
    def secret_arn(self) -> str:
        name = self.names.secret
        return self._once("secret", lambda: self.ctx.client("secretsmanager").describe_secret(SecretId=name)["ARN"])

    def function(self, key: str) -> dict[str, Any]:
        """The function's configuration (name, ARN, environment)."""
        name = self.names.function(key)
        return self._once(f"function:{key}", lambda: self.ctx.client("lambda").get_function_configuration(FunctionName=name))

    def function_name(self, key: str) -> str:
        return self.function(key)["FunctionName"]

    def log_group(self, key: str) -> str:
        """`audit` log group (the audit trail) or a function's log group: `receiver`, `processor`, `audit-function`."""
        if key == "audit":
            return self.names.audit_log_group
        return self.names.function_log_group(key.removesuffix("-function"))

    @property
    def api_id(self) -> str:
        return self._once("api", self._find_api_id)

    def _find_api_id(self) -> str | None:
        paginator = self.ctx.client("apigateway").get_paginator("get_rest_apis")
        for page in paginator.paginate():
            for api in page.get("items", []):
                if api.get("name") == self.names.rest_api:
                    return api["id"]
        return None

    @property
    def api_url(self) -> str:
        """The stage's base URL, as `outputs` reports it as ApiUrl."""
        if self.ctx.endpoint_url:
            return f"{self.ctx.endpoint_url.rstrip('/')}/restapis/{self.api_id}/{STAGE_NAME}/_user_request_"
        suffix = "amazonaws.com.cn" if self.ctx.partition == "aws-cn" else "amazonaws.com"
        return f"https://{self.api_id}.execute-api.{self.ctx.region}.{suffix}/{STAGE_NAME}"

    def webhook_url(self, provider: str) -> str:
        return f"{self.api_url}/webhook/{provider}"

    @functools.cached_property
    def receiver_environment(self) -> dict[str, str]:
        """The receiver's environment variables; empty when they cannot be read (e.g. no kms:Decrypt)."""
        return dict((self.function("receiver").get("Environment") or {}).get("Variables") or {})
