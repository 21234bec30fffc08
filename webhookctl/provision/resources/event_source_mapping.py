"""The table stream -> audit function mapping: batch size, retries, bisect, partial failures, on-failure DLQ."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webhookctl.provision.models import EventSourceMapping
from webhookctl.provision.references import Ref
from webhookctl.provision.resources import functions
from webhookctl.provision.resources.base import Difference, Observed, compare, ignore_missing
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def _mappings(target: Any, function_name: str) -> list[dict[str, Any]]:
    client = target.client("lambda")
    found: list[dict[str, Any]] = []
    for page in client.get_paginator("list_event_source_mappings").paginate(FunctionName=function_name):
        found.extend(page.get("EventSourceMappings", []))
    return [m for m in found if m.get("State") != "Deleting"]


def _is_stream(mapping: dict[str, Any]) -> bool:
    return ":dynamodb:" in mapping.get("EventSourceArn", "")


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[EventSourceMapping]:
    return [
        EventSourceMapping(
            name="audit_stream_mapping",
            function_name=names.function("audit"),
            source_arn=Ref("table", "stream_arn"),
            batch_size=settings.stream_batch_size,
            maximum_retry_attempts=settings.stream_maximum_retry_attempts,
            bisect_on_error=True,
            report_batch_item_failures=True,
            on_failure_arn=Ref("audit_dlq", "arn"),
            starting_position="LATEST",
            depends_on=(functions.logical_name("audit"),),
        )
    ]


# Discovery reads the stream ARN, to prefer the current stream's mapping: it waits for that resource to be discovered.
DISCOVERED_FROM: tuple[str, ...] = ("source_arn",)


def discover(target: Any, model: EventSourceMapping) -> Observed | None:
    mappings = [m for m in (ignore_missing(lambda: _mappings(target, model.function_name)) or []) if _is_stream(m)]
    if not mappings:
        return None
    # Prefer the mapping of the current stream; the others (an older stream, or a duplicate) are removed on update.
    source = model.source_arn if isinstance(model.source_arn, str) else None
    mappings.sort(key=lambda m: m.get("EventSourceArn") != source)
    current = mappings[0]
    destination = ((current.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    return Observed(
        outputs={"uuid": current["UUID"]},
        state={
            "source_arn": current.get("EventSourceArn"),
            "batch_size": current.get("BatchSize"),
            "retries": current.get("MaximumRetryAttempts"),
            "bisect": current.get("BisectBatchOnFunctionError", False),
            "response_types": sorted(current.get("FunctionResponseTypes") or []),
            "on_failure": destination,
            "extra": [m["UUID"] for m in mappings[1:]],
            "all": [m["UUID"] for m in mappings],
        },
    )


def diff(target: Any, model: EventSourceMapping, observed: Observed) -> list[Difference]:
    state = observed.state
    differences: list[Difference] = []
    compare(differences, "source_arn", state["source_arn"], model.source_arn)
    compare(differences, "batch_size", state["batch_size"], model.batch_size)
    compare(differences, "maximum_retry_attempts", state["retries"], model.maximum_retry_attempts)
    compare(differences, "bisect_on_error", state["bisect"], model.bisect_on_error)
    compare(differences, "function_response_types", state["response_types"], _response_types(model))
    compare(differences, "on_failure", state["on_failure"], model.on_failure_arn)
    compare(differences, "duplicates", len(state["extra"]), 0)
    return differences


def _response_types(model: EventSourceMapping) -> list[str]:
    return ["ReportBatchItemFailures"] if model.report_batch_item_failures else []


def _settings(model: EventSourceMapping) -> dict[str, Any]:
    return {
        "BatchSize": model.batch_size,
        "MaximumRetryAttempts": model.maximum_retry_attempts,
        "BisectBatchOnFunctionError": model.bisect_on_error,
        "FunctionResponseTypes": _response_types(model),
        "DestinationConfig": {"OnFailure": {"Destination": model.on_failure_arn}},
    }


def create(target: Any, model: EventSourceMapping) -> dict[str, Any]:
    client = target.client("lambda")
    created = retry_on_propagation(
        lambda: client.create_event_source_mapping(
            FunctionName=model.function_name,
            EventSourceArn=model.source_arn,
            StartingPosition=model.starting_position,
            Enabled=True,
            **_settings(model),
        )
    )
    return {"uuid": created["UUID"]}


def update(target: Any, model: EventSourceMapping, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    client = target.client("lambda")
    for uuid in observed.state["extra"]:
        ignore_missing(lambda uuid=uuid: client.delete_event_source_mapping(UUID=uuid))
    props = {d.property for d in differences} - {"duplicates"}
    if "source_arn" in props:
        # The source of a mapping cannot change: replace it.
        ignore_missing(lambda: client.delete_event_source_mapping(UUID=observed.outputs["uuid"]))
        return create(target, model)
    if props:
        retry_on_propagation(lambda: client.update_event_source_mapping(UUID=observed.outputs["uuid"], **_settings(model)))
    return dict(observed.outputs)


def delete(target: Any, model: EventSourceMapping, observed: Observed) -> None:
    client = target.client("lambda")
    for uuid in observed.state["all"]:
        ignore_missing(lambda uuid=uuid: client.delete_event_source_mapping(UUID=uuid))
