"""The processor's asynchronous invocation settings: retry attempts and maximum event age."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.provision.models import EventInvokeConfig
from webhookctl.provision.resources import functions
from webhookctl.provision.resources.base import Difference, Observed, compare, ignore_missing, is_not_found

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[EventInvokeConfig]:
    return [
        EventInvokeConfig(
            name="processor_invoke_config",
            function_name=names.function("processor"),
            maximum_retry_attempts=settings.async_maximum_retry_attempts,
            maximum_event_age_s=settings.async_maximum_event_age_s,
            depends_on=(functions.logical_name("processor"),),
        )
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: EventInvokeConfig) -> Observed | None:
    client = target.client("lambda")
    try:
        config = client.get_function_event_invoke_config(FunctionName=model.function_name)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    return Observed(
        outputs={"function_name": model.function_name},
        state={"retries": config.get("MaximumRetryAttempts"), "max_age_s": config.get("MaximumEventAgeInSeconds")},
    )


def diff(target: Any, model: EventInvokeConfig, observed: Observed) -> list[Difference]:
    differences: list[Difference] = []
    compare(differences, "maximum_retry_attempts", observed.state["retries"], model.maximum_retry_attempts)
    compare(differences, "maximum_event_age_s", observed.state["max_age_s"], model.maximum_event_age_s)
    return differences


def create(target: Any, model: EventInvokeConfig) -> dict[str, Any]:
    target.client("lambda").put_function_event_invoke_config(
        FunctionName=model.function_name,
        MaximumRetryAttempts=model.maximum_retry_attempts,
        MaximumEventAgeInSeconds=model.maximum_event_age_s,
    )
    return {"function_name": model.function_name}


def update(target: Any, model: EventInvokeConfig, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    return create(target, model)


def delete(target: Any, model: EventInvokeConfig, observed: Observed) -> None:
    ignore_missing(lambda: target.client("lambda").delete_function_event_invoke_config(FunctionName=model.function_name))
