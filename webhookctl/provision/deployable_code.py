"""The code a deployment uploads, as plain input: zip paths, their sha256, and the layer's content hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from webhookctl.config import FUNCTIONS, Settings
from webhookctl.provision.models import CodeArtifact


@dataclass(frozen=True)
class Artifacts:
    layer: CodeArtifact
    layer_hash: str  # hex sha256 of the layer's content (kept in the layer version's Description)
    functions: dict[str, CodeArtifact]

    def __post_init__(self) -> None:
        missing = [key for key in FUNCTIONS if key not in self.functions]
        if missing:
            raise ValueError(f"artifacts lack function code for: {', '.join(missing)}")

    @classmethod
    def from_build(cls, build: Any) -> "Artifacts":
        """From a webhookctl.packaging BuildResult."""
        layer_hash = str(getattr(build, "layer_hash", "") or build.layer.sha256).removeprefix("sha256:")
        return cls(
            layer=CodeArtifact(path=build.layer.path, sha256=build.layer.sha256),
            layer_hash=layer_hash,
            functions={key: CodeArtifact(path=a.path, sha256=a.sha256) for key, a in build.functions.items()},
        )


def deploy_arch(settings: Settings, local_cloud: bool) -> str:
    """The local cloud runs layers on this machine ("host"); AWS runs settings.architecture."""
    return "host" if local_cloud else settings.architecture


def run_build(settings: Settings, arch: str, progress: Callable[[str], None] | None = None) -> Any:
    """Build (or reuse from the cache) the zips for `arch`; returns the BuildResult."""
    from webhookctl.packaging import build_artifacts

    return build_artifacts(settings, arch, progress=progress)
