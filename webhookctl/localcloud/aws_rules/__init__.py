"""AwsLimitRules: the local cloud refuses, with AWS's own error code and text, what AWS refuses and moto accepts."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.aws_rules.calls import Refusal, read_call, refusal_response
from webhookctl.localcloud.aws_rules.rules import RULED_JSON_OPERATIONS, RULES
from webhookctl.localcloud.overlay_chain import Forward

__all__ = ["AwsLimitRules", "RULED_JSON_OPERATIONS"]


class AwsLimitRules:
    """An overlay: a call that breaks a rule is answered with AWS's error; every other call passes on."""

    def handle(self, request: Request, forward: Forward) -> Response | None:
        call = read_call(request, RULES)
        if call is None:
            return None
        try:
            RULES[(call.service, call.operation)](call)
        except Refusal as refusal:
            return refusal_response(call, refusal)
        return None
