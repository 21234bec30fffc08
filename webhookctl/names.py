"""The one source of truth for physical resource names: {prefix}-{component}-{env}."""

from __future__ import annotations

from dataclasses import dataclass

from webhookctl.config import FUNCTIONS

# Source folder under handlers/ for each function, and the Lambda handler inside its zip.
HANDLER_PACKAGES = {"receiver": "webhook_receiver", "processor": "payment_processor", "audit": "audit_logger"}
HANDLER = "handler.handler"
STAGE_NAME = "live"  # API Gateway stage names cannot hold '-', so the env lives in the API name.
TAG_ENV = "webhookctl:env"
TAG_APP = "webhookctl:app"

# AWS limits on each name kind (length), checked by preflight.
NAME_LIMITS = {
    "lambda_function": 64,
    "iam_role": 64,
    "lambda_layer": 64,
    "sqs_queue": 80,
    "dynamodb_table": 255,
    "sns_topic": 256,
    "secret": 512,
    "log_group": 512,
    "kms_alias": 256,
    "rest_api": 1024,
    "web_acl": 128,
    "alarm": 255,
}


# Region words -> the letters of AWS's own short codes (euw1, apse2, usgw1, cnnw1).
_REGION_WORDS = {
    "north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw", "gov": "g",
}


def region_code(region: str) -> str:
    """A short, distinct code for a region: us-east-1 -> use1, ap-southeast-2 -> apse2, us-gov-west-1 -> usgw1."""
    parts = region.split("-")
    if len(parts) < 3:
        return region.replace("-", "")
    return parts[0] + "".join(_REGION_WORDS.get(word, word) for word in parts[1:-1]) + parts[-1]


@dataclass(frozen=True)
class Names:
    prefix: str
    env: str

    def _name(self, component: str) -> str:
        return f"{self.prefix}-{component}-{self.env}"

    # Lambda
    def function(self, key: str) -> str:
        """key: receiver | processor | audit."""
        return self._name(self._function_key(key))

    @staticmethod
    def _function_key(key: str) -> str:
        if key not in FUNCTIONS:
            raise KeyError(key)
        return key

    def role(self, key: str, region: str) -> str:
        """IAM is global: the region is in the name, so one env in two regions shares no role."""
        return f"{self._name(self._function_key(key) + '-role')}-{region_code(region)}"

    def role_policy(self, key: str) -> str:
        """The inline policy in function `key`'s role (policy names are per role: no env in it)."""
        return f"{self.prefix}-{self._function_key(key)}"

    @property
    def layer(self) -> str:
        return self._name("deps")

    def function_log_group(self, key: str) -> str:
        return f"/aws/lambda/{self.function(key)}"

    # Storage and messaging
    @property
    def table(self) -> str:
        return self._name("events")

    @property
    def processor_dlq(self) -> str:
        return self._name("processor-dlq")

    @property
    def audit_dlq(self) -> str:
        return self._name("audit-dlq")

    @property
    def alerts_topic(self) -> str:
        return self._name("alerts")

    @property
    def secret(self) -> str:
        return self._name("provider-secrets")

    @property
    def kms_alias(self) -> str:
        return f"alias/{self._name('key')}"

    @property
    def audit_log_group(self) -> str:
        return f"/{self.prefix}/audit-{self.env}"

    @property
    def api_access_log_group(self) -> str:
        return f"/{self.prefix}/api-access-{self.env}"

    # Edge
    @property
    def rest_api(self) -> str:
        return self._name("api")

    @property
    def stage(self) -> str:
        return STAGE_NAME

    @property
    def web_acl(self) -> str:
        return self._name("waf")

    @property
    def waf_rule(self) -> str:
        return self._name("per-ip-rate")

    @property
    def account_logging_role(self) -> str:
        """API Gateway's CloudWatch role: one per account, shared by every env and region, so no env in it."""
        return f"{self.prefix}-apigw-cloudwatch"

    def alarm(self, what: str) -> str:
        return self._name(f"{what}-alarm")

    def tags(self) -> dict[str, str]:
        return {TAG_ENV: self.env, TAG_APP: self.prefix}

    def account_tags(self) -> dict[str, str]:
        """Tags of what every env of the account shares (the API Gateway CloudWatch role): no env tag."""
        return {TAG_APP: self.prefix}

    def all_names(self, region: str) -> dict[str, tuple[str, str]]:
        """Every derived name: label -> (limit kind, name), for preflight's length checks."""
        names = {
            "table": ("dynamodb_table", self.table),
            "processor_dlq": ("sqs_queue", self.processor_dlq),
            "audit_dlq": ("sqs_queue", self.audit_dlq),
            "alerts_topic": ("sns_topic", self.alerts_topic),
            "secret": ("secret", self.secret),
            "kms_alias": ("kms_alias", self.kms_alias),
            "audit_log_group": ("log_group", self.audit_log_group),
            "api_access_log_group": ("log_group", self.api_access_log_group),
            "layer": ("lambda_layer", self.layer),
            "rest_api": ("rest_api", self.rest_api),
            "web_acl": ("web_acl", self.web_acl),
            "account_logging_role": ("iam_role", self.account_logging_role),
        }
        for key in FUNCTIONS:
            names[f"{key}_function"] = ("lambda_function", self.function(key))
            names[f"{key}_role"] = ("iam_role", self.role(key, region))
            names[f"{key}_log_group"] = ("log_group", self.function_log_group(key))
        return names
