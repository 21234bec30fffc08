"""A changed secret reaches the functions that read it at once on the local cloud.

On AWS a function's execution environment keeps what it cached until its own TTL runs out (the
receiver's is SECRETS_TTL_S). The local cloud is for seeing a change right away, so after a
successful write to a secret it retires the warm environments of every function whose environment
names that secret (by ARN or name): the next invocation starts fresh and reads the new value.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.lambda_runtime.functions import _latest_functions, lambda_backend
from webhookctl.localcloud.lambda_runtime.lambda_api_overlay import request_account
from webhookctl.localcloud.overlay_chain import Forward, request_region, request_service

SECRET_WRITES = frozenset({"PutSecretValue", "UpdateSecret", "UpdateSecretVersionStage", "RotateSecret", "RestoreSecret"})


class SecretChanges:
    """An overlay: after moto applied a secret write, retire the warm environments that cached the secret."""

    def __init__(self, runtime: Any):
        self.runtime = runtime

    def handle(self, request: Request, forward: Forward) -> Response | None:
        if request_service(request) != "secretsmanager":
            return None
        operation = request.headers.get("X-Amz-Target", "").rpartition(".")[2]
        if operation not in SECRET_WRITES:
            return None
        response = forward(request)
        if response.status_code == 200:
            names = _secret_names(request, response)
            for function in functions_naming(request_account(request), request_region(request), names):
                self.runtime.executor.stop_function(function)
        return response


def _secret_names(request: Request, response: Response) -> set[str]:
    names: set[str] = set()
    for text in (request.get_data(), response.get_data()):
        try:
            document = json.loads(text or b"{}")
        except ValueError:
            continue
        if isinstance(document, dict):
            names.update(str(document[k]) for k in ("SecretId", "ARN", "Name") if document.get(k))
    return names


def functions_naming(account: str, region: str, names: set[str]) -> list[str]:
    """Functions with an environment variable whose value is one of `names`."""
    found = []
    for fn in _latest_functions(lambda_backend(account, region)):
        if names & {str(v) for v in (fn.environment_vars or {}).values()}:
            found.append(fn.function_name)
    return found
