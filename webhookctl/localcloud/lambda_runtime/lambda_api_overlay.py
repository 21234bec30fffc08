"""LambdaOverlay: the Lambda API calls moto gets wrong, answered or corrected in front of moto."""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.lambda_runtime.concurrency import MINIMUM_UNRESERVED, unreserved_after
from webhookctl.localcloud.lambda_runtime.functions import lambda_backend, reserved_concurrency_by_function, split_name
from webhookctl.localcloud.lambda_runtime.results import InvalidParameterValue, LambdaApiError, TooManyRequests
from webhookctl.localcloud.lambda_runtime.runtime import LambdaRuntime
from webhookctl.localcloud.overlay_chain import Forward, request_region, request_service

_FUNCTION = r"(?P<function>[^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(rf"^/2015-03-31/functions/{_FUNCTION}/invocations/?$"), "invoke"),
    ("POST", re.compile(rf"^/2014-11-13/functions/{_FUNCTION}/invoke-async/?$"), "invoke_async"),
    ("GET", re.compile(r"^/2016-08-19/account-settings/?$"), "account_settings"),
    ("PUT", re.compile(rf"^/2017-10-31/functions/{_FUNCTION}/concurrency/?$"), "put_concurrency"),
    ("POST", re.compile(r"^/2015-03-31/functions/?$"), "create_function"),
    ("PUT", re.compile(rf"^/2015-03-31/functions/{_FUNCTION}/configuration/?$"), "update_configuration"),
    ("PUT", re.compile(rf"^/2015-03-31/functions/{_FUNCTION}/code/?$"), "update_code"),
    ("GET", re.compile(rf"^/2015-03-31/functions/{_FUNCTION}/configuration/?$"), "with_dead_letter_config"),
    ("GET", re.compile(rf"^/2015-03-31/functions/{_FUNCTION}/?$"), "with_dead_letter_config"),
    ("GET", re.compile(r"^/2015-03-31/functions/?$"), "list_functions"),
    ("DELETE", re.compile(rf"^/2015-03-31/functions/{_FUNCTION}/?$"), "delete_function"),
    ("PUT", re.compile(rf"^/2019-09-25/functions/{_FUNCTION}/event-invoke-config/?$"), "put_event_invoke_config"),
    ("POST", re.compile(rf"^/2019-09-25/functions/{_FUNCTION}/event-invoke-config/?$"), "put_event_invoke_config"),
    ("POST", re.compile(r"^/2015-03-31/event-source-mappings/?$"), "event_source_mapping_changed"),
    ("PUT", re.compile(r"^/2015-03-31/event-source-mappings/[^/]+/?$"), "event_source_mapping_changed"),
    ("DELETE", re.compile(r"^/2015-03-31/event-source-mappings/[^/]+/?$"), "event_source_mapping_changed"),
]


class LambdaOverlay:
    def __init__(self, runtime: LambdaRuntime):
        self.runtime = runtime

    def handle(self, request: Request, forward: Forward) -> Response | None:
        if request_service(request) not in (None, "lambda"):
            return None
        for method, pattern, name in _ROUTES:
            if request.method != method:
                continue
            match = pattern.match(request.path)
            if match:
                call = LambdaCall(request, forward, match.groupdict().get("function"))
                try:
                    return getattr(self, name)(call)
                except LambdaApiError as error:
                    return error_response(error)
        return None

    # -- Invoke -----------------------------------------------------------------------------

    def invoke(self, call: LambdaCall) -> Response:
        request = call.request
        result = self.runtime.invoke(
            call.function,
            request.get_data(),
            invocation_type=request.headers.get("X-Amz-Invocation-Type", "RequestResponse"),
            region=call.region,
            account=call.account,
            log_type=request.headers.get("X-Amz-Log-Type"),
            trace_header=request.headers.get("X-Amzn-Trace-Id"),
            qualifier=request.args.get("Qualifier"),
        )
        headers = {"X-Amz-Executed-Version": result.executed_version}
        if result.function_error:
            headers["X-Amz-Function-Error"] = result.function_error
        if result.log_result is not None:
            headers["X-Amz-Log-Result"] = result.log_result
        return Response(result.payload, status=result.status_code, headers=headers, content_type="application/json")

    def invoke_async(self, call: LambdaCall) -> Response:
        self.runtime.invoke(call.function, call.request.get_data(), invocation_type="Event", region=call.region, account=call.account)
        return _json(202, {"Status": 202})

    # -- account concurrency ----------------------------------------------------------------

    def account_settings(self, call: LambdaCall) -> Response:
        limit = self.runtime.config.account_concurrency
        reserved = sum(reserved_concurrency_by_function(call.account, call.region).values())
        functions = list(lambda_backend(call.account, call.region).list_functions())
        return _json(200, {
            "AccountLimit": {
                "TotalCodeSize": 80530636800,
                "CodeSizeUnzipped": 262144000,
                "CodeSizeZipped": 52428800,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit - reserved,
            },
            "AccountUsage": {"TotalCodeSize": sum(int(fn.code_size or 0) for fn in functions), "FunctionCount": len(functions)},
        })

    def put_concurrency(self, call: LambdaCall) -> Response:
        body = call.json_body()
        requested = body.get("ReservedConcurrentExecutions")
        name = split_name(call.function, None)[0]
        if isinstance(requested, int) and _function_exists(call, name):
            reservations = reserved_concurrency_by_function(call.account, call.region)
            if unreserved_after(self.runtime.config.account_concurrency, reservations, name, requested) < MINIMUM_UNRESERVED:
                raise InvalidParameterValue(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{MINIMUM_UNRESERVED}]."
                )
        return call.forward()

    # -- DeadLetterConfig (moto drops it) ---------------------------------------------------

    def create_function(self, call: LambdaCall) -> Response:
        target = _dead_letter_target(call.json_body())
        response = call.forward()
        name = _json_of(response).get("FunctionName") if response.status_code == 201 else None
        if name and target is not None:
            self.runtime.dead_letters.set(call.account, call.region, name, target)
        if name:
            self.runtime.function_changed(call.account, call.region, name)
        return self._add_dead_letter_config(call, response)

    def update_configuration(self, call: LambdaCall) -> Response:
        target = _dead_letter_target(call.json_body())
        response = call.forward()
        if response.status_code == 200:
            name = split_name(call.function, None)[0]
            if target is not None:
                self.runtime.dead_letters.set(call.account, call.region, name, target)
            self.runtime.function_changed(call.account, call.region, name)
        return self._add_dead_letter_config(call, response)

    def update_code(self, call: LambdaCall) -> Response:
        response = call.forward()
        if response.status_code == 200:
            self.runtime.function_changed(call.account, call.region, split_name(call.function, None)[0])
        return self._add_dead_letter_config(call, response)

    def with_dead_letter_config(self, call: LambdaCall) -> Response:
        return self._add_dead_letter_config(call, call.forward())

    def list_functions(self, call: LambdaCall) -> Response:
        response = call.forward()
        document = _json_of(response)
        if response.status_code != 200 or not document.get("Functions"):
            return response
        for configuration in document["Functions"]:
            self._set_dead_letter_config(call, configuration)
        return _replace_json(response, document)

    def _add_dead_letter_config(self, call: LambdaCall, response: Response) -> Response:
        if response.status_code not in (200, 201):
            return response
        document = _json_of(response)
        configuration = document.get("Configuration", document)
        if not isinstance(configuration, dict) or "FunctionName" not in configuration:
            return response
        self._set_dead_letter_config(call, configuration)
        return _replace_json(response, document)

    def _set_dead_letter_config(self, call: LambdaCall, configuration: dict[str, Any]) -> None:
        target = self.runtime.dead_letters.get(call.account, call.region, configuration["FunctionName"])
        if target:
            configuration["DeadLetterConfig"] = {"TargetArn": target}
        else:
            configuration.pop("DeadLetterConfig", None)

    # -- lifecycle --------------------------------------------------------------------------

    def delete_function(self, call: LambdaCall) -> Response:
        response = call.forward()
        if response.status_code == 204 and not call.request.args.get("Qualifier"):
            name, qualifier = split_name(call.function, None)
            if qualifier is None:
                self.runtime.stop_function(call.account, call.region, name)
        return response

    def put_event_invoke_config(self, call: LambdaCall) -> Response:
        """moto appends every put and answers Get with the first; keep one config, merged on Update as AWS does."""
        name = split_name(call.function, None)[0]
        previous: dict[str, Any] = {}
        try:
            fn = lambda_backend(call.account, call.region).get_function(name, None)
            if fn.event_invoke_config:
                previous = dict(fn.event_invoke_config[-1].config)
        except Exception:
            fn = None
        response = call.forward()
        if response.status_code == 200 and fn is not None and fn.event_invoke_config:
            latest = fn.event_invoke_config[-1]
            if call.request.method == "POST":
                latest.config = {**previous, **latest.config}
            fn.event_invoke_config[:] = [latest]
            return _replace_json(response, latest.response())
        return response

    def event_source_mapping_changed(self, call: LambdaCall) -> Response:
        response = call.forward()
        if response.status_code < 300:
            self.runtime.sync_event_source_mappings()
        return response


class LambdaCall:
    """One Lambda API request, with the account and region moto would serve it from."""

    def __init__(self, request: Request, forward: Forward, function: str | None):
        self.request = request
        self._forward = forward
        self.function = unquote(function) if function else ""
        self.region = request_region(request)
        self.account = request_account(request)

    def forward(self) -> Response:
        return self._forward(self.request)

    def json_body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.request.get_data() or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}


def request_account(request: Request) -> str:
    """The account moto serves a request from (its own precedence: env, header, access key)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if request.headers.get("x-moto-account-id"):
        return request.headers["x-moto-account-id"]
    from webhookctl.localcloud.moto_bridge.accounts import get_account_id_from

    match = re.search(r"Credential=([^/]+)/", request.headers.get("Authorization", ""))
    return get_account_id_from(match.group(1) if match else "")


def error_response(error: LambdaApiError) -> Response:
    """Lambda's REST-JSON error shape: the code in X-Amzn-ErrorType, the message in the body."""
    body: dict[str, Any] = {"Type": "User", "Message": error.message}
    if isinstance(error, TooManyRequests):
        body = {"Reason": error.reason, "Type": "User", "message": error.message}
    return _json(error.status, body, {"X-Amzn-ErrorType": error.code})


def _function_exists(call: LambdaCall, name: str) -> bool:
    try:
        return lambda_backend(call.account, call.region).get_function(name, None) is not None
    except Exception:
        return False


def _dead_letter_target(body: dict[str, Any]) -> str | None:
    """The TargetArn given ("" clears it), or None when the request does not touch DeadLetterConfig."""
    config = body.get("DeadLetterConfig")
    if not isinstance(config, dict):
        return None
    return config.get("TargetArn") or ""


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {}, content_type="application/json")


def _json_of(response: Response) -> dict[str, Any]:
    try:
        document = json.loads(response.get_data() or b"{}")
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _replace_json(response: Response, document: object) -> Response:
    response.set_data(json.dumps(document))
    return response

