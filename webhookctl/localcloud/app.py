"""LocalCloudApp: the WSGI app of the local cloud, a chain of overlays in front of moto's own app."""

from __future__ import annotations

import io
from typing import Any, Callable, Iterable, Sequence

from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.overlay_chain import Overlay

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def moto_app() -> WsgiApp:
    """moto's server app, in-process; each service's backend app is created on its first request."""
    from webhookctl.localcloud.moto_bridge.server_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


class LocalCloudApp:
    """Runs each request through the overlays in order; the first answer wins, else moto answers."""

    def __init__(self, overlays: Sequence[Overlay], backend: WsgiApp, direct: Any = None):
        self.overlays = tuple(overlays)
        self.backend = backend
        self.direct = direct  # JsonProtocolRoutes: calls no overlay acts on, straight to moto's service app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if self.direct is not None:
            answer = self.direct.serve(environ, start_response)
            if answer is not None:
                return answer
        request = Request(environ)
        # Overlays may read the body; buffer it once so moto can read it again.
        body = request.get_data(cache=True)
        for overlay in self.overlays:
            answer = overlay.handle(request, self._forward)
            if answer is not None:
                return answer(environ, start_response)
        _rewind(environ, body)
        return self.backend(environ, start_response)

    def _forward(self, request: Request) -> Response:
        _rewind(request.environ, request.get_data(cache=True))
        return Response.from_app(self.backend, request.environ, buffered=True)


def _rewind(environ: dict[str, Any], body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
