"""The overlay that serves /restapis/{api_id}/{stage}/_user_request_/{path} from the deployed API.

Order per request, as on AWS: WAF, stage throttling, routing (403 when nothing
matches), then the AWS_PROXY integration through the Lambda runtime.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.gateway import proxy_response, routes, throttle, waf
from webhookctl.localcloud.gateway.proxy_event import IncomingRequest, StageContext, build_event, new_trace_id
from webhookctl.localcloud.overlay_chain import Forward, request_service

_DATA_PLANE = re.compile(r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)?$")
# API Gateway quotas: "Payload size: 10 MB" for REST APIs, not adjustable; over it the answer is 413.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
MAX_REQUEST_PAYLOAD = 10 * 1024 * 1024
_CREATE_DEPLOYMENT = re.compile(r"^/restapis/(?P<api>[^/]+)/deployments/?$")


class Invoker(Protocol):
    def invoke(self, function: str, payload: bytes, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class ApiLocation:
    account: str
    region: str


def data_plane_path(path: str) -> tuple[str, str, str] | None:
    """(api_id, stage, resource path) for a data-plane URL path, else None."""
    found = _DATA_PLANE.match(path)
    if not found:
        return None
    return found.group("api"), found.group("stage"), found.group("path") or "/"


class ApiGatewayDataPlane:
    """Serves deployed REST APIs; plain classes hold routing, throttling and WAF state."""

    def __init__(self, runtime: Invoker, *, max_in_flight: int = 256):
        self._runtime = runtime
        self._routes: dict[tuple[str, str], tuple[routes.Route, ...]] = {}  # (api, deployment) snapshots
        self._locations: dict[str, ApiLocation] = {}
        self._acl_rules: dict[str, tuple[waf.RateRule, ...]] = {}
        self._throttles = throttle.StageThrottles()
        self._rates = waf.RateCounter()
        self._lock = threading.Lock()
        # Invocations run on their own threads so a slow function can be cut off at the integration timeout.
        self._pool = ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="apigw-invoke")

    # -- Overlay -------------------------------------------------------------------------------
    def handle(self, request: Request, forward: Forward) -> Response | None:
        target = data_plane_path(request.path)
        if target is not None:
            return self._serve(request, *target)
        service = request_service(request)
        if service == "apigateway" and request.method != "GET":
            return self._after_apigateway_change(request, forward)
        if service == "wafv2":
            self._acl_rules.clear()  # cheap to rebuild; a write may have changed a rule or an association
        return None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _after_apigateway_change(self, request: Request, forward: Forward) -> Response:
        response = forward(request)
        with self._lock:
            self._locations.clear()
        found = _CREATE_DEPLOYMENT.match(request.path)
        if request.method == "POST" and found and response.status_code < 300:
            # A deployment is a snapshot: later resource edits are served only after the next one.
            deployment_id = json.loads(response.get_data()).get("id")
            api = self._api(found.group("api"))
            if api is not None and deployment_id:
                with self._lock:
                    self._routes[(found.group("api"), deployment_id)] = routes.build_routes(routes.resources_from_moto(api[0]))
        return response

    # -- Data plane ----------------------------------------------------------------------------
    def _serve(self, request: Request, api_id: str, stage_name: str, path: str) -> Response:
        found = self._api(api_id)
        stage = found[0].stages.get(stage_name) if found else None
        if found is None or stage is None:
            return _to_werkzeug(proxy_response.gateway_error(403, proxy_response.FORBIDDEN, "ForbiddenException"))
        api, location = found
        source_ip = request.remote_addr or "127.0.0.1"

        if stage.web_acl_arn:
            rules = self._rules_for(stage.web_acl_arn, location)
            if rules and self._rates.blocked(stage.web_acl_arn, rules, source_ip):
                return _to_werkzeug(proxy_response.gateway_error(403, proxy_response.FORBIDDEN, "ForbiddenException"))

        rate, burst = throttle.stage_limits(stage.method_settings)
        if not self._throttles.allow(api_id, stage_name, rate, burst):
            return _to_werkzeug(proxy_response.gateway_error(429, proxy_response.THROTTLED, "TooManyRequestsException"))

        route_table = self._deployed_routes(api, stage.deployment_id)
        matched = routes.match(route_table, path, request.method)
        if matched is None:
            return _to_werkzeug(proxy_response.gateway_error(403, proxy_response.MISSING_TOKEN, "MissingAuthenticationTokenException"))
        integration = matched.integration
        if integration is None or integration.type != "AWS_PROXY" or not integration.function_arn:
            # Only Lambda proxy integrations are served locally (see the README's differences from AWS).
            return _to_werkzeug(proxy_response.gateway_error(500, proxy_response.INTERNAL_ERROR))

        if (request.content_length or 0) > MAX_REQUEST_PAYLOAD:
            return _to_werkzeug(proxy_response.gateway_error(413, proxy_response.REQUEST_TOO_LARGE))
        request_id = str(uuid.uuid4())
        trace = request.headers.get("X-Amzn-Trace-Id") or new_trace_id()
        incoming = IncomingRequest(
            method=request.method,
            path=path,
            headers=_event_headers(request, source_ip, trace),
            query=list(request.args.items(multi=True)),
            body=request.get_data(),
            source_ip=source_ip,
            host=request.host,
        )
        context = StageContext(
            api_id=api_id,
            stage=stage_name,
            account_id=location.account,
            resource_path=matched.route.resource_path,
            path_parameters=matched.path_parameters,
            stage_variables=dict(stage.variables or {}),
            binary_media_types=tuple(api.binaryMediaTypes or ()),
        )
        event = build_event(incoming, context, request_id=request_id)
        answer = self._invoke(integration, event, trace, location)
        response = _to_werkzeug(answer)
        response.headers["x-amzn-RequestId"] = request_id
        response.headers["X-Amzn-Trace-Id"] = trace
        return response

    def _invoke(self, integration: routes.Integration, event: dict, trace: str, location: ApiLocation) -> proxy_response.GatewayResponse:
        arn = integration.function_arn or ""
        region = arn.split(":")[3] if arn.count(":") >= 6 else location.region
        payload = json.dumps(event).encode()
        future = self._pool.submit(
            self._runtime.invoke,
            arn,
            payload,
            invocation_type="RequestResponse",
            region=region,
            account=location.account,
            trace_header=trace,
        )
        try:
            result = future.result(timeout=integration.timeout_ms / 1000.0)
        except FutureTimeout:
            return proxy_response.timed_out()
        except Exception as exc:  # the runtime refused the call (throttled, unknown function, ...)
            return _runtime_refusal(exc)
        if result.function_error or result.status_code >= 300:
            return proxy_response.internal_error()
        try:
            return proxy_response.map_response(result.payload)
        except proxy_response.MalformedResponse:
            return proxy_response.internal_error()

    # -- Reading moto's control plane ------------------------------------------------------------
    def _api(self, api_id: str) -> tuple[Any, ApiLocation] | None:
        from webhookctl.localcloud.moto_bridge.backends import get_backend

        backends = get_backend("apigateway")
        location = self._locations.get(api_id)
        if location is not None:
            api = backends[location.account][location.region].apis.get(api_id)
            if api is not None:
                return api, location
        for account in list(backends.keys()):
            for region in list(backends[account].keys()):
                api = backends[account][region].apis.get(api_id)
                if api is not None:
                    location = ApiLocation(account, region)
                    with self._lock:
                        self._locations[api_id] = location
                    return api, location
        return None

    def _deployed_routes(self, api: Any, deployment_id: str | None) -> tuple[routes.Route, ...]:
        key = (api.id, deployment_id or "")
        table = self._routes.get(key)
        if table is None:
            if deployment_id and deployment_id not in api.deployments:
                return ()
            table = routes.build_routes(routes.resources_from_moto(api))
            with self._lock:
                self._routes[key] = table
        return table

    def _rules_for(self, acl_arn: str, location: ApiLocation) -> tuple[waf.RateRule, ...]:
        rules = self._acl_rules.get(acl_arn)
        if rules is None:
            from webhookctl.localcloud.moto_bridge.backends import get_backend

            region = acl_arn.split(":")[3] or location.region
            acl = get_backend("wafv2")[location.account][region].wacls.get(acl_arn)
            rules = waf.rate_rules(list(acl.rules)) if acl is not None else ()
            self._acl_rules[acl_arn] = rules
        return rules


def _event_headers(request: Request, source_ip: str, trace: str) -> list[tuple[str, str]]:
    """The request's headers plus those API Gateway adds (X-Forwarded-*, X-Amzn-Trace-Id)."""
    headers = [(name, value) for name, value in request.headers.items() if name.lower() not in _REPLACED]
    forwarded = request.headers.get("X-Forwarded-For")
    headers.append(("X-Forwarded-For", f"{forwarded}, {source_ip}" if forwarded else source_ip))
    headers.append(("X-Forwarded-Port", str(request.environ.get("SERVER_PORT", ""))))
    headers.append(("X-Forwarded-Proto", request.scheme))
    headers.append(("X-Amzn-Trace-Id", trace))
    return headers


_REPLACED = {"x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id", "content-length"}


def _runtime_refusal(exc: Exception) -> proxy_response.GatewayResponse:
    # Lambda throttling surfaces as 502 through a proxy integration; an event over Lambda's 6 MB
    # synchronous payload as 413, like a body over API Gateway's own limit; anything else is a
    # configuration error.
    if type(exc).__name__ == "TooManyRequests":
        return proxy_response.internal_error()
    if type(exc).__name__ == "RequestTooLarge":
        return proxy_response.gateway_error(413, proxy_response.REQUEST_TOO_LARGE)
    return proxy_response.gateway_error(500, proxy_response.INTERNAL_ERROR)


def _to_werkzeug(answer: proxy_response.GatewayResponse) -> Response:
    response = Response(answer.body, status=answer.status)
    response.headers.clear()
    for name, value in answer.headers:
        response.headers.add(name, value)
    return response
