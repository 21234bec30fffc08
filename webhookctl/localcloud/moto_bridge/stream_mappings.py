"""CreateEventSourceMapping for a stream that lives in the table process, not in this one."""

from __future__ import annotations

from typing import Any

from webhookctl.localcloud.moto_bridge.guard import decide
from webhookctl.localcloud.moto_bridge.patching import _replace

# The table process's shards the installed stand-in asks (the latest app built in this process).
_CURRENT: dict[str, Any] = {}


def adopt_stream_mappings(shards: Any) -> None:
    """moto's CreateEventSourceMapping looks for the stream in this process; look in the table process instead.

    `shards` answers stream_exists(account, region, arn) (tables.remote.RemoteShards). Without this
    every stream mapping is refused, so the guard refuses to start on a moto it does not know.
    """
    from moto.awslambda.models import EventSourceMapping, LambdaBackend
    from moto.core.exceptions import JsonRESTError as RESTError

    decide("adopt_stream_mappings")
    _CURRENT["shards"] = shards

    def looking_in_the_table_process(original: Any) -> Any:
        def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
            arn = spec.get("EventSourceArn") or ""
            if not (arn.startswith("arn:aws:dynamodb:") and "/stream/" in arn and spec.get("FunctionName")):
                return original(self, spec)
            function = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
            if not _CURRENT["shards"].stream_exists(self.account_id, self.region_name, arn):
                raise RESTError("ResourceNotFoundException", "Invalid EventSourceArn")
            spec.update({"RegionName": self.region_name, "AccountId": self.account_id, "FunctionArn": function.function_arn})
            mapping = EventSourceMapping(spec)
            self._event_source_mappings[mapping.uuid] = mapping
            return mapping

        return create_event_source_mapping

    _replace(LambdaBackend, "create_event_source_mapping", looking_in_the_table_process)
