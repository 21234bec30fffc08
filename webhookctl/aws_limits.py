"""AWS's limits that moto does not enforce, as data, with one small checker each.

Both `preflight` (before the first write) and the local cloud (refusing the call, as AWS does)
read these. Each checker returns None when the value fits, else AWS's own sentence.

Sources (AWS documentation):
- Lambda quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
- IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
- AWS KMS quotas (key policy document size), https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
- Tagging AWS resources (50 user tags per resource),
  https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
- Amazon API Gateway quotas (account-level throttle), https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from webhookctl.names import NAME_LIMITS

# Lambda
ENVIRONMENT_BYTES = 4096  # "Total size of environment variables set: 4 KB"
ZIPPED_BYTES = 52_428_800  # "50 MB (zipped, for direct upload)"
UNZIPPED_BYTES = 262_144_000  # "250 MB (unzipped)": function code plus all its layers
DIRECT_UPLOAD_REQUEST_BYTES = 69_905_067  # the request carrying a 50 MB zip, base64-encoded
LAYERS_PER_FUNCTION = 5
# IAM (characters, counted without whitespace)
INLINE_ROLE_POLICY_CHARS = 10_240
TRUST_POLICY_CHARS = 2_048
# KMS
KEY_POLICY_BYTES = 32_768
# Tags: user-defined tags per resource, for every service here
TAGS_PER_RESOURCE = 50
# API Gateway: the account-level throttle of a new account, per region
ACCOUNT_RATE_LIMIT = 10_000.0
ACCOUNT_BURST_LIMIT = 5_000


@dataclass(frozen=True)
class NameRule:
    kind: str
    min_length: int
    max_length: int
    pattern: re.Pattern[str]
    allowed: str


def _rule(kind: str, pattern: str, allowed: str, min_length: int = 1) -> NameRule:
    return NameRule(kind, min_length, NAME_LIMITS[kind], re.compile(pattern), allowed)


# Characters AWS accepts in each kind of name; lengths come from names.NAME_LIMITS.
NAME_RULES: dict[str, NameRule] = {
    rule.kind: rule
    for rule in (
        _rule("lambda_function", r"[A-Za-z0-9_-]+", "letters, digits, '-' and '_'"),
        _rule("lambda_layer", r"[A-Za-z0-9_-]+", "letters, digits, '-' and '_'"),
        _rule("iam_role", r"[\w+=,.@-]+", "letters, digits and +=,.@_-"),
        _rule("sqs_queue", r"[A-Za-z0-9_-]+", "letters, digits, '-' and '_'"),
        _rule("dynamodb_table", r"[A-Za-z0-9_.-]{3,}", "at least 3 of letters, digits, '_', '-' and '.'", min_length=3),
        _rule("sns_topic", r"[A-Za-z0-9_-]+", "letters, digits, '-' and '_'"),
        _rule("secret", r"[A-Za-z0-9/_+=.@-]+", "letters, digits and /_+=.@-"),
        _rule("log_group", r"[A-Za-z0-9_/.#-]+", "letters, digits and _/.#-"),
        _rule("kms_alias", r"alias/(?!aws/)[A-Za-z0-9/_-]+", "'alias/' then letters, digits and /_- (not 'alias/aws/')"),
        _rule("rest_api", r"[ -~]+", "printable ASCII"),
        _rule("web_acl", r"[\w-]+", "letters, digits, '-' and '_'"),
        _rule("alarm", r"[ -~]+", "printable ASCII"),
    )
}
# The form preflight's name check reads: kind -> (pattern, what it allows).
NAME_CHARACTERS: dict[str, tuple[re.Pattern[str], str]] = {kind: (rule.pattern, rule.allowed) for kind, rule in NAME_RULES.items()}


def name_problem(kind: str, name: str) -> str | None:
    """Why AWS refuses `name` as a `kind` name, or None."""
    rule = NAME_RULES[kind]
    if not rule.min_length <= len(name) <= rule.max_length:
        return f"is {len(name)} characters, outside the {kind} limit of {rule.min_length}..{rule.max_length}"
    if not rule.pattern.fullmatch(name):
        return f"may hold only {rule.allowed}"
    return None


# --- Lambda --------------------------------------------------------------------------------------


def environment_measured(variables: Mapping[str, str]) -> str:
    """The string Lambda measures: the variables as compact JSON."""
    return json.dumps(dict(variables), separators=(",", ":"), ensure_ascii=False)


def environment_size(variables: Mapping[str, str]) -> int:
    return len(environment_measured(variables).encode())


def environment_problem(variables: Mapping[str, str]) -> str | None:
    measured = environment_measured(variables)
    if len(measured.encode()) <= ENVIRONMENT_BYTES:
        return None
    return (
        "Lambda was unable to configure your environment variables because the environment variables you have "
        f"provided exceeded the 4KB limit. String measured: {measured}"
    )


def unzipped_size(zip_bytes: bytes) -> int:
    """The sum of the uncompressed sizes in a zip's central directory (no decompression)."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return sum(info.file_size for info in archive.infolist())


def unzipped_problem(sizes: Iterable[int]) -> str | None:
    """Function code plus its layers, unzipped."""
    total = sum(sizes)
    if total <= UNZIPPED_BYTES:
        return None
    return f"Function code combined with layers exceeds the maximum allowed size of {UNZIPPED_BYTES} bytes. The actual size is {total} bytes."


def layer_unzipped_problem(size: int) -> str | None:
    return None if size <= UNZIPPED_BYTES else f"Unzipped size must be smaller than {UNZIPPED_BYTES} bytes"


def zipped_problem(size: int) -> str | None:
    return None if size <= ZIPPED_BYTES else f"Zipped size must be smaller than {ZIPPED_BYTES} bytes for direct upload"


def request_size_problem(size: int, operation: str) -> str | None:
    if size <= DIRECT_UPLOAD_REQUEST_BYTES:
        return None
    return f"Request must be smaller than {DIRECT_UPLOAD_REQUEST_BYTES} bytes for the {operation} operation"


def layers_problem(count: int) -> str | None:
    return None if count <= LAYERS_PER_FUNCTION else f"Cannot reference more than {LAYERS_PER_FUNCTION} layers."


# --- IAM and KMS policies ---------------------------------------------------------------------------


def policy_characters(document: Any) -> int:
    """IAM counts a policy's characters with whitespace removed."""
    text = document if isinstance(document, str) else json.dumps(document)
    return len(re.sub(r"\s+", "", text))


def inline_policy_problem(document: Any, role_name: str) -> str | None:
    if policy_characters(document) <= INLINE_ROLE_POLICY_CHARS:
        return None
    return f"Maximum policy size of {INLINE_ROLE_POLICY_CHARS} bytes exceeded for role {role_name}"


def trust_policy_problem(document: Any) -> str | None:
    if policy_characters(document) <= TRUST_POLICY_CHARS:
        return None
    return f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_CHARS}"


def key_policy_problem(document: Any) -> str | None:
    text = document if isinstance(document, str) else json.dumps(document)
    if len(text.encode()) <= KEY_POLICY_BYTES:
        return None
    return f"The key policy exceeds the maximum size of {KEY_POLICY_BYTES} bytes (32 KB)."


# --- tags and API Gateway throttling -----------------------------------------------------------------


def tags_problem(count: int) -> str | None:
    if count <= TAGS_PER_RESOURCE:
        return None
    return f"The number of tags ({count}) exceeds the limit of {TAGS_PER_RESOURCE} tags per resource."


def throttle_problem(rate_limit: float | None, burst_limit: int | None, account_rate: float, account_burst: int) -> str | None:
    """A stage's throttle may not exceed the account's throttle in that region."""
    problems = []
    if rate_limit is not None and rate_limit > account_rate:
        problems.append(f"rate limit {rate_limit:g} exceeds the account-level rate limit of {account_rate:g}")
    if burst_limit is not None and burst_limit > account_burst:
        problems.append(f"burst limit {burst_limit} exceeds the account-level burst limit of {account_burst}")
    return ("Stage throttling " + " and ".join(problems) + ".") if problems else None


ACCESS_LOGGING_NEEDS_ROLE = "CloudWatch Logs role ARN must be set in account settings to enable logging"
