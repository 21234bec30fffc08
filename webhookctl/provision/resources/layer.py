"""The dependency layer: a version is published only when no version carries the content hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webhookctl.provision.models import Layer
from webhookctl.provision.resources.base import Difference, Observed, ignore_missing

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def _versions(target: Any, model: Layer) -> list[dict[str, Any]]:
    client = target.client("lambda")
    versions: list[dict[str, Any]] = []
    for page in client.get_paginator("list_layer_versions").paginate(LayerName=model.layer_name):
        versions.extend(page.get("LayerVersions", []))
    return sorted(versions, key=lambda v: v["Version"], reverse=True)


def _matches(model: Layer, version: dict[str, Any]) -> bool:
    return (
        version.get("Description") == model.description
        and tuple(version.get("CompatibleRuntimes") or ()) == model.runtimes
        and tuple(version.get("CompatibleArchitectures") or ()) == model.architectures
    )


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Layer]:
    artifacts = deployment.artifacts
    return [
        Layer(
            name="layer",
            layer_name=names.layer,
            artifact=artifacts.layer if artifacts else None,
            content_hash=artifacts.layer_hash if artifacts else None,
            runtimes=(settings.runtime,),
            architectures=(settings.architecture,),
        )
    ]


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Layer) -> Observed | None:
    versions = ignore_missing(lambda: _versions(target, model)) or []
    if not versions:
        return None
    current = next((v for v in versions if _matches(model, v)), None) if model.content_hash else versions[0]
    chosen = current or versions[0]
    return Observed(
        outputs={"arn": chosen["LayerVersionArn"] if current else None, "latest_arn": versions[0]["LayerVersionArn"]},
        state={"matching": current is not None, "latest_description": versions[0].get("Description"), "versions": [v["Version"] for v in versions]},
    )


def diff(target: Any, model: Layer, observed: Observed) -> list[Difference]:
    if model.content_hash is None or observed.state["matching"]:
        return []
    return [Difference("content", observed.state["latest_description"], model.description)]


def create(target: Any, model: Layer) -> dict[str, Any]:
    if model.artifact is None:
        raise ValueError(f"layer {model.layer_name}: no artifact to publish")
    client = target.client("lambda")
    published = client.publish_layer_version(
        LayerName=model.layer_name,
        Description=model.description,
        Content={"ZipFile": model.artifact.path.read_bytes()},
        CompatibleRuntimes=list(model.runtimes),
        CompatibleArchitectures=list(model.architectures),
    )
    arn = published["LayerVersionArn"]
    return {"arn": arn, "latest_arn": arn}


def update(target: Any, model: Layer, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    return create(target, model)


def delete(target: Any, model: Layer, observed: Observed) -> None:
    client = target.client("lambda")
    for version in observed.state["versions"]:
        ignore_missing(lambda version=version: client.delete_layer_version(LayerName=model.layer_name, VersionNumber=version))
