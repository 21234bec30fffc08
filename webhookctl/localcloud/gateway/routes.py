"""A deployed REST API's route table, built once from moto's resources and matched per request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function arn}/invocations
_LAMBDA_URI = re.compile(r"^arn:[^:]+:apigateway:[^:]+:lambda:path/[^/]+/functions/(?P<function>.+)/invocations$")
DEFAULT_TIMEOUT_MS = 29_000


@dataclass(frozen=True)
class Integration:
    type: str  # AWS_PROXY, MOCK, HTTP_PROXY, ...
    function_arn: str | None  # for AWS_PROXY to Lambda
    timeout_ms: int = DEFAULT_TIMEOUT_MS


@dataclass(frozen=True)
class Route:
    """One resource: its path template, compiled matcher and methods."""

    resource_path: str  # "/webhook/{provider}"
    pattern: re.Pattern[str]
    literal_segments: int  # more literal segments = more specific
    methods: dict[str, Integration | None] = field(default_factory=dict)  # "POST" / "ANY" -> integration


@dataclass(frozen=True)
class Match:
    route: Route
    integration: Integration | None
    path_parameters: dict[str, str]


def function_arn_from_uri(uri: str | None) -> str | None:
    """The Lambda function ARN inside an AWS_PROXY integration URI."""
    if not uri:
        return None
    found = _LAMBDA_URI.match(uri)
    return found.group("function") if found else None


def compile_path(resource_path: str) -> tuple[re.Pattern[str], int]:
    """A regex for a resource path: {name} matches one segment, {name+} the rest of the path."""
    if resource_path == "/":
        return re.compile(r"^/$"), 0
    parts = []
    literal = 0
    for segment in resource_path.strip("/").split("/"):
        greedy = re.fullmatch(r"\{([A-Za-z0-9_.\-]+)\+\}", segment)
        single = re.fullmatch(r"\{([A-Za-z0-9_.\-]+)\}", segment)
        if greedy:
            parts.append(f"(?P<{_group(greedy.group(1))}>.+)")
        elif single:
            parts.append(f"(?P<{_group(single.group(1))}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literal += 1
    return re.compile("^/" + "/".join(parts) + "/?$"), literal


def _group(name: str) -> str:
    # Regex group names must be identifiers; path parameter names may hold '-' or '.'.
    return "p_" + re.sub(r"[^A-Za-z0-9_]", lambda m: f"_{ord(m.group()):x}_", name)


def _param_name(group: str) -> str:
    return re.sub(r"_([0-9a-f]+)_", lambda m: chr(int(m.group(1), 16)), group[2:])


def build_routes(resources: list[dict[str, Any]]) -> tuple[Route, ...]:
    """Routes from plain resource records: {"path", "methods": {verb: {"type", "uri", "timeout_ms"}}}."""
    routes = []
    for resource in resources:
        pattern, literal = compile_path(resource["path"])
        methods = {}
        for verb, integration in resource.get("methods", {}).items():
            if integration is None:
                methods[verb.upper()] = None
                continue
            methods[verb.upper()] = Integration(
                type=integration.get("type") or "",
                function_arn=function_arn_from_uri(integration.get("uri")),
                timeout_ms=int(integration.get("timeout_ms") or DEFAULT_TIMEOUT_MS),
            )
        routes.append(Route(resource["path"], pattern, literal, methods))
    # Most specific first: a literal segment wins over a {param}; a greedy {proxy+} comes last.
    routes.sort(key=lambda r: (-r.literal_segments, "+}" in r.resource_path, -r.resource_path.count("/")))
    return tuple(routes)


def match(routes: tuple[Route, ...], path: str, method: str) -> Match | None:
    """The route and integration for a request, or None (API Gateway answers 403 then)."""
    from urllib.parse import unquote

    for route in routes:
        found = route.pattern.match(path)
        if not found:
            continue
        integration_key = method.upper() if method.upper() in route.methods else "ANY" if "ANY" in route.methods else None
        if integration_key is None:
            continue
        params = {_param_name(k): unquote(v) for k, v in found.groupdict().items()}
        return Match(route, route.methods[integration_key], params)
    return None


def resources_from_moto(api: Any) -> list[dict[str, Any]]:
    """Plain resource records read from a moto RestAPI (its resources and method integrations)."""
    records = []
    for resource in list(api.resources.values()):
        methods = {}
        for verb, method in list(resource.resource_methods.items()):
            integration = method.method_integration
            methods[verb] = (
                None
                if integration is None
                else {
                    "type": integration.integration_type,
                    "uri": integration.uri,
                    "timeout_ms": getattr(integration, "timeout_in_millis", None),
                }
            )
        records.append({"path": resource.get_path(), "methods": methods})
    return records
