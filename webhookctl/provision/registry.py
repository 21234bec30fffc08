"""The explicit map from model type to the module that builds, plans and applies it.

No name-built dispatch: a model type without a complete handler fails at import time.
"""

from __future__ import annotations

from types import ModuleType

from webhookctl.provision import models
from webhookctl.provision.resources import (
    access_logging,
    account_logging,
    alarms,
    api,
    event_invoke_config,
    event_source_mapping,
    functions,
    kms,
    layer,
    log_groups,
    permission,
    queues,
    roles,
    routes,
    secret,
    stage,
    subscription,
    table,
    topic,
    waf,
    waf_association,
)

OPERATIONS = ("desired", "discover", "diff", "create", "update", "delete")

# In dependency order: build_desired lists each module's models in this order, which is also the
# order of ties in the plan (the resources of a module depend only on those of modules above it).
HANDLERS: dict[type[models.Resource], ModuleType] = {
    models.KmsKey: kms,
    models.LogGroup: log_groups,
    models.Table: table,
    models.Queue: queues,
    models.Topic: topic,
    models.Secret: secret,
    models.Role: roles,
    models.Layer: layer,
    models.RestApi: api,
    models.Function: functions,
    models.EventInvokeConfig: event_invoke_config,
    models.EventSourceMapping: event_source_mapping,
    models.LambdaPermission: permission,
    models.ApiRoutes: routes,
    models.Stage: stage,
    models.WebAcl: waf,
    models.WebAclAssociation: waf_association,
    models.AccountLoggingRole: account_logging,
    models.StageAccessLogging: access_logging,
    models.TopicSubscription: subscription,
    models.Alarm: alarms,
}


def check_registry() -> None:
    """Every model type has a handler module with every operation."""
    missing = [t.__name__ for t in models.MODEL_TYPES if t not in HANDLERS]
    if missing:
        raise TypeError(f"resource models without a handler: {', '.join(missing)}")
    for model_type, module in HANDLERS.items():
        absent = [op for op in OPERATIONS if not callable(getattr(module, op, None))]
        if absent:
            raise TypeError(f"handler {module.__name__} for {model_type.__name__} lacks {', '.join(absent)}")
        inputs = getattr(module, "DISCOVERED_FROM", None)
        if not isinstance(inputs, tuple) or any(f not in model_type.__dataclass_fields__ for f in inputs):
            raise TypeError(f"handler {module.__name__} must list the {model_type.__name__} fields its discovery reads in DISCOVERED_FROM")


def handler_for(model: models.Resource) -> ModuleType:
    try:
        return HANDLERS[type(model)]
    except KeyError:
        raise TypeError(f"no handler for resource model {type(model).__name__}") from None


check_registry()
