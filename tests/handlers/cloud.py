"""The AWS resources the handlers use, created in moto (in-process, mock_aws)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import boto3

TABLE = "webhookctl-events-test"
SECRET = "webhookctl-provider-secrets-test"
PROCESSOR = "webhookctl-processor-test"
AUDIT_LOG_GROUP = "/webhookctl/audit-test"


@dataclass
class Cloud:
    secret_arn: str
    dynamodb: Any = field(default_factory=lambda: boto3.client("dynamodb"))
    secretsmanager: Any = field(default_factory=lambda: boto3.client("secretsmanager"))
    lambda_: Any = field(default_factory=lambda: boto3.client("lambda"))
    logs: Any = field(default_factory=lambda: boto3.client("logs"))

    def item(self, event_key: str) -> dict[str, Any] | None:
        return self.dynamodb.get_item(TableName=TABLE, Key={"event_key": {"S": event_key}}, ConsistentRead=True).get("Item")

    def put_item(self, **attributes: Any) -> None:
        item = {name: ({"N": str(value)} if isinstance(value, int) else {"S": value}) for name, value in attributes.items()}
        self.dynamodb.put_item(TableName=TABLE, Item=item)

    def set_document(self, document: dict[str, Any]) -> None:
        self.secretsmanager.put_secret_value(SecretId=self.secret_arn, SecretString=json.dumps(document))


def create_cloud(document: dict[str, Any]) -> Cloud:
    """Table, secret, processor function and audit log group, as provisioning would leave them."""
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "event_key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "event_key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    secret_arn = boto3.client("secretsmanager").create_secret(Name=SECRET, SecretString=json.dumps(document))["ARN"]
    role = boto3.client("iam").create_role(RoleName="processor-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    boto3.client("lambda").create_function(
        FunctionName=PROCESSOR, Runtime="python3.11", Role=role, Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )
    boto3.client("logs").create_log_group(logGroupName=AUDIT_LOG_GROUP)
    return Cloud(secret_arn=secret_arn)
