"""The WAFv2 REGIONAL web ACL with one per-IP rate-based blocking rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import WebAcl
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found, tag_list

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment

SCOPE = "REGIONAL"
GONE = ("WAFNonexistentItemException",)


def _metric(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name)[:128]


def _rules(model: WebAcl) -> list[dict[str, Any]]:
    return [
        {
            "Name": model.rule_name,
            "Priority": 0,
            "Statement": {"RateBasedStatement": {"Limit": model.rate_limit, "EvaluationWindowSec": model.window_s, "AggregateKeyType": "IP"}},
            "Action": {"Block": {}},
            "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": _metric(model.rule_name)},
        }
    ]


def _visibility(model: WebAcl) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": _metric(model.acl_name)}


def _rule_state(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The managed parts of each rule, as comparable data."""
    state = []
    for rule in rules:
        rate = (rule.get("Statement") or {}).get("RateBasedStatement") or {}
        state.append(
            {
                "name": rule.get("Name"),
                "limit": rate.get("Limit"),
                "window_s": rate.get("EvaluationWindowSec", 300),
                "aggregate": rate.get("AggregateKeyType"),
                "action": sorted((rule.get("Action") or {}).keys()),
            }
        )
    return state


def _find(target: Any, name: str) -> dict[str, Any] | None:
    client = target.client("wafv2")
    request: dict[str, Any] = {"Scope": SCOPE, "Limit": 100}
    while True:
        page = client.list_web_acls(**request)
        for summary in page.get("WebACLs", []):
            if summary["Name"] == name:
                return summary
        if not page.get("NextMarker") or not page.get("WebACLs"):
            return None
        request["NextMarker"] = page["NextMarker"]


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[WebAcl]:
    return [
        WebAcl(
            name="web_acl",
            acl_name=names.web_acl,
            rule_name=names.waf_rule,
            rate_limit=settings.waf_rate_limit,
            window_s=settings.waf_window_s,
            tags=names.tags(),
        )
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: WebAcl) -> Observed | None:
    summary = _find(target, model.acl_name)
    if summary is None:
        return None
    client = target.client("wafv2")
    acl = client.get_web_acl(Name=model.acl_name, Scope=SCOPE, Id=summary["Id"])["WebACL"]
    tags = client.list_tags_for_resource(ResourceARN=acl["ARN"]).get("TagInfoForResource", {}).get("TagList", [])
    return Observed(
        outputs={"arn": acl["ARN"], "id": acl["Id"], "name": model.acl_name},
        state={
            "default_action": sorted((acl.get("DefaultAction") or {}).keys()),
            "rules": _rule_state(acl.get("Rules", [])),
            "tags": {t["Key"]: t["Value"] for t in tags},
        },
    )


def diff(target: Any, model: WebAcl, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "default_action", observed.state["default_action"], ["Allow"])
    compare(differences, "rules", observed.state["rules"], _rule_state(_rules(model)))
    compare_tags(differences, observed.state["tags"], model.tags)
    return differences


def create(target: Any, model: WebAcl) -> dict[str, Any]:
    created = target.client("wafv2").create_web_acl(
        Name=model.acl_name,
        Scope=SCOPE,
        DefaultAction={"Allow": {}},
        Rules=_rules(model),
        VisibilityConfig=_visibility(model),
        Tags=tag_list(model.tags),
    )["Summary"]
    return {"arn": created["ARN"], "id": created["Id"], "name": model.acl_name}


def update(target: Any, model: WebAcl, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    client = target.client("wafv2")
    props = {d.property for d in differences}
    if props & {"default_action", "rules"}:
        lock = client.get_web_acl(Name=model.acl_name, Scope=SCOPE, Id=observed.outputs["id"])["LockToken"]
        client.update_web_acl(
            Name=model.acl_name,
            Scope=SCOPE,
            Id=observed.outputs["id"],
            LockToken=lock,
            DefaultAction={"Allow": {}},
            Rules=_rules(model),
            VisibilityConfig=_visibility(model),
        )
    if "tags" in props:
        client.tag_resource(ResourceARN=observed.outputs["arn"], Tags=tag_list(model.tags))
    return dict(observed.outputs)


def delete(target: Any, model: WebAcl, observed: Observed) -> None:
    client = target.client("wafv2")
    try:
        lock = client.get_web_acl(Name=model.acl_name, Scope=SCOPE, Id=observed.outputs["id"])["LockToken"]
    except ClientError as exc:
        if is_not_found(exc, *GONE):
            return
        raise
    ignore_missing(lambda: client.delete_web_acl(Name=model.acl_name, Scope=SCOPE, Id=observed.outputs["id"], LockToken=lock), *GONE)

