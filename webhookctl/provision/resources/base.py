"""What every resource module shares: observed state, differences, and small comparison helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webhookctl.provision.references import UNKNOWN, contains_unknown


@dataclass
class Observed:
    """What discovery found: `outputs` other resources may refer to, and module-private `state`."""

    outputs: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Difference:
    """One managed property whose current value differs from the desired one."""

    property: str
    have: Any
    want: Any

    def to_json(self) -> dict[str, Any]:
        return {"property": self.property, "have": _show(self.have), "want": _show(self.want)}


def _show(value: Any) -> Any:
    if value is UNKNOWN or contains_unknown(value):
        return str(UNKNOWN)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def compare(differences: list[Difference], prop: str, have: Any, want: Any) -> None:
    """Append a Difference when `have` != `want` (an unknown `want` always differs)."""
    if contains_unknown(want) or have != want:
        differences.append(Difference(prop, have, want))


def changed(differences: list[Difference], *props: str) -> bool:
    return any(d.property in props for d in differences)


def tag_dict(tags: Any) -> dict[str, str]:
    """Tags as a dict, from either a dict or AWS's [{"Key", "Value"}] list form."""
    if isinstance(tags, dict):
        return dict(tags)
    return {t.get("Key", t.get("key")): t.get("Value", t.get("value")) for t in tags or []}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def is_not_found(exc: Exception, *codes: str) -> bool:
    """True for a botocore ClientError that says the thing does not exist."""
    code = error_code(exc)
    known = {"ResourceNotFoundException", "NotFoundException", "NoSuchEntity", "NotFound", *codes}
    return code in known or code.endswith("NotFound") or code.endswith("NotFoundException")


def compare_tags(differences: list[Difference], have: dict[str, str], want: dict[str, str]) -> None:
    """Managed tags must be present with their values; tags added by others are left alone."""
    ours = {k: have.get(k) for k in want}
    if ours != want:
        differences.append(Difference("tags", ours, want))


def find_tagged(target: Any, resource_type: str, tags: dict[str, str]) -> list[str]:
    """ARNs of resources of `resource_type` (e.g. "kms:key") carrying all of `tags`, via the tagging API."""
    client = target.client("resourcegroupstaggingapi")
    filters = [{"Key": k, "Values": [v]} for k, v in tags.items()]
    arns: list[str] = []
    for page in client.get_paginator("get_resources").paginate(TagFilters=filters, ResourceTypeFilters=[resource_type]):
        arns.extend(item["ResourceARN"] for item in page.get("ResourceTagMappingList", []))
    return arns


def ignore_missing(call: Any, *codes: str) -> Any:
    """Run `call`; a "does not exist" error means the work is already done (deletes are idempotent)."""
    from botocore.exceptions import ClientError

    try:
        return call()
    except ClientError as exc:
        if not is_not_found(exc, *codes):
            raise
        return None
