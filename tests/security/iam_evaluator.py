"""A small evaluator of IAM policy documents: Allow/Deny, Action, Resource, Principal and Condition matching.

It follows the IAM User Guide's "Policy evaluation logic" for one account: an explicit Deny wins, then any
Allow; for a KMS key the key policy decides, and IAM policies count only where the key policy lets the
account (its root) in ("Key policies in AWS KMS"). Condition operators: StringEquals, StringLike,
ArnEquals, ArnLike, Bool, with AWS's rule that a missing key fails the condition.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    principal: str  # a role ARN, or a service principal such as logs.us-east-1.amazonaws.com
    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, *, case: bool = True) -> bool:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _condition_holds(condition: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
            if actual is None:
                return False
            values = [str(v) for v in _as_list(wanted)]
            if operator in ("StringEquals", "ArnEquals"):
                ok = actual in values
            elif operator in ("StringLike", "ArnLike"):
                ok = any(_glob(v, actual) for v in values)
            elif operator == "Bool":
                ok = actual.lower() in [v.lower() for v in values]
            else:
                raise ValueError(f"condition operator {operator} is not supported by this evaluator")
            if not ok:
                return False
    return True


def _principal_matches(principal: Any, request: Request, account_root: str) -> bool:
    if principal is None:
        return True  # identity policies carry no Principal
    if principal == "*":
        return True
    for kind, values in principal.items():
        for value in _as_list(values):
            if kind == "Service" and value == request.principal:
                return True
            if kind == "AWS" and (value == "*" or value == request.principal or value == account_root and request.principal == account_root):
                return True
    return False


def matching(document: dict[str, Any], request: Request, *, account_root: str = "") -> set[str]:
    """The effects ("Allow", "Deny") of the statements of `document` that apply to `request`."""
    effects = set()
    for statement in _as_list(document["Statement"]):
        if not any(_glob(a, request.action, case=False) for a in _as_list(statement.get("Action", []))):
            continue
        if not any(_glob(r, request.resource) for r in _as_list(statement.get("Resource", "*"))):
            continue
        if not _principal_matches(statement.get("Principal"), request, account_root):
            continue
        if not _condition_holds(statement.get("Condition", {}), request.context):
            continue
        effects.add(statement["Effect"])
    return effects


def decide(request: Request, identity: list[dict[str, Any]], key_policy: dict[str, Any] | None = None,
           account_id: str = "") -> str:
    """'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied'."""
    from_identity = set().union(*(matching(doc, request) for doc in identity)) if identity else set()
    if key_policy is None:
        effects = from_identity
    else:
        root = f"arn:aws:iam::{account_id}:root"
        direct = matching(key_policy, request, account_root=root)
        via_root = matching(key_policy, Request(root, request.action, request.resource, request.context), account_root=root)
        effects = direct | (from_identity if "Allow" in via_root else set()) | ({"Deny"} & via_root)
    if "Deny" in effects:
        return "ExplicitlyDenied"
    return "Allowed" if "Allow" in effects else "ImplicitlyDenied"
