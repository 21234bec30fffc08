"""Account settings the local cloud starts with, as a used AWS account has them.

A fresh AWS account has no API Gateway CloudWatch role (cloudWatchRoleArn), so `up` stops in
preflight until one is set. The local cloud plays an account that has one: in every region the
first API Gateway call finds `{LOCAL_LOGGING_ROLE}` created (trusted by apigateway.amazonaws.com)
and set, so `webhookctl up --env dev` works with no config. A value set with UpdateAccount
afterwards is kept.
"""

from __future__ import annotations

import json
import threading
from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.overlay_chain import Forward, request_region, request_service

LOCAL_LOGGING_ROLE = "local-apigateway-cloudwatch"
_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
_ACCESS_KEY = "Credential="


class AccountLoggingRole:
    """Overlay: before a region's first API Gateway call, give its account the CloudWatch role."""

    def __init__(self) -> None:
        self._done: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def handle(self, request: Request, forward: Forward) -> Response | None:
        if request_service(request) == "apigateway":
            self.ensure(_account_of(request), request_region(request))
        return None

    def ensure(self, account_id: str, region: str) -> None:
        with self._lock:
            if (account_id, region) in self._done:
                return
            seed_logging_role(account_id, region)
            self._done.add((account_id, region))


def seed_logging_role(account_id: str, region: str) -> str | None:
    """Create the role (once per account) and set it for the region, unless the region has one."""
    from webhookctl.localcloud.moto_bridge.apigateway_account import seed_logging_role as seed

    return seed(account_id, region, LOCAL_LOGGING_ROLE, json.dumps(_TRUST))


def _account_of(request: Request) -> str:
    """The account moto serves for the request's access key (its own rule)."""
    from webhookctl.localcloud.moto_bridge.accounts import DEFAULT_ACCOUNT_ID, get_account_id_from

    header = request.headers.get("Authorization", "")
    if _ACCESS_KEY not in header:
        return DEFAULT_ACCOUNT_ID
    access_key = header.split(_ACCESS_KEY, 1)[1].split("/", 1)[0]
    return get_account_id_from(access_key)
