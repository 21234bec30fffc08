"""API Gateway's account settings (apigateway:GetAccount), read once per preflight."""

from __future__ import annotations

from typing import Any


class ApiGatewayAccount:
    """The logging role (api_logging) and the account throttle (aws_limits) come from one GetAccount."""

    def __init__(self, ctx: Any):
        self._ctx = ctx
        self._answer: dict[str, Any] | None = None

    def read(self) -> dict[str, Any]:
        if self._answer is None:  # a failed read is not kept: each check reports it
            self._answer = self._ctx.client("apigateway").get_account()
        return self._answer
