"""A fixed delay on every control-plane (AWS API) call, to simulate AWS round trips in benchmarks."""

from __future__ import annotations

import time
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.admin import PREFIX
from webhookctl.localcloud.gateway.data_plane import data_plane_path
from webhookctl.localcloud.overlay_chain import Forward


@dataclass(frozen=True)
class ControlPlaneLatency:
    latency_ms: int

    def handle(self, request: Request, forward: Forward) -> Response | None:
        if request.path.startswith(PREFIX) or data_plane_path(request.path) is not None:
            return None
        time.sleep(self.latency_ms / 1000.0)
        return None
