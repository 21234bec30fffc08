"""The desired state of one env, as data: every resource model, built from settings and artifacts.

Each resource type's module builds its own models (`desired`); the registry lists the modules in
dependency order, and this module only puts their models together.
"""

from __future__ import annotations

from webhookctl.config import FUNCTIONS, Settings
from webhookctl.names import Names
from webhookctl.provision import models as m
from webhookctl.provision.deployable_code import Artifacts
from webhookctl.provision.deployment import Deployment
from webhookctl.provision.registry import HANDLERS


def build_desired(
    settings: Settings,
    *,
    account_id: str,
    region: str,
    partition: str,
    artifacts: Artifacts | None,
    reservations: dict[str, int | None] | None = None,
) -> list[m.Resource]:
    """Every resource of the env. Without artifacts (down, status, outputs) code is not compared."""
    if reservations is None:
        reservations = {key: settings.functions[key].reserved_concurrency for key in FUNCTIONS}
    names = Names(settings.prefix, settings.env)
    deployment = Deployment(account_id=account_id, region=region, partition=partition, artifacts=artifacts, reservations=reservations)
    return [model for module in HANDLERS.values() for model in module.desired(settings, names, deployment)]
