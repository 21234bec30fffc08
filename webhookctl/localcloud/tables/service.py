"""The table process's WSGI app: moto's DynamoDB and Streams, plus the internal endpoints pollers use."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from webhookctl.localcloud.doorbell import Doorbell
from webhookctl.localcloud.tables import streams

PREFIX = "/_webhookctl/tables/"
# A long poll for stream records holds a server thread at most this long.
MAX_WAIT_S = 5.0


class TableService:
    def __init__(self) -> None:
        from webhookctl.localcloud.app import moto_app
        from webhookctl.localcloud.moto_bridge.json_routes import JsonProtocolRoutes

        self.backend = moto_app()
        self.writes = Doorbell()  # rung after every table write; stream reads wait on it
        self.direct = JsonProtocolRoutes(self.backend, on_table_write=self.writes.ring)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path.startswith(PREFIX):
            status, document = self.internal(path[len(PREFIX):], _query(environ))
            body = json.dumps(document).encode()
            start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        answer = self.direct.serve(environ, start_response)
        if answer is not None:
            return answer
        return self.backend(environ, start_response)

    def internal(self, name: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        try:
            account, region, arn = query["account"], query["region"], query["arn"]
            if name == "records":
                wait_s = min(float(query.get("wait", "0")), MAX_WAIT_S)
                window_s = min(float(query.get("window", "0")), MAX_WAIT_S)
                info, records = streams.read(lambda: streams.find_shard(account, region, arn), self.writes,
                                             query.get("token") or None, int(query["start"]), int(query["limit"]), wait_s, window_s)
                if info is None:
                    return 404, {"message": "no such stream"}
                return 200, {"shard": info.to_json(), "records": records}
            shard = streams.find_shard(account, region, arn)
            if shard is None:
                return 404, {"message": "no such stream"}
            info = streams.shard_info(shard)
            if name == "shard":
                return 200, info.to_json()
            if name == "index-at":
                if query.get("token") != info.token:
                    return 409, {"message": "the stream's shard was replaced"}
                return 200, {"index": streams.index_at(shard, float(query["since"]))}
        except (KeyError, ValueError) as exc:
            return 400, {"message": f"bad request: {exc}"}
        return 404, {"message": f"no such endpoint: {name}"}

    def warm_up(self) -> None:
        """Build moto's DynamoDB apps now rather than on the first call."""
        for service in ("dynamodb", "dynamodbstreams"):
            with self.backend.lock:
                if service not in self.backend.app_instances:
                    self.backend.app_instances[service] = self.backend.create_app(service)


def _query(environ: dict[str, Any]) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
