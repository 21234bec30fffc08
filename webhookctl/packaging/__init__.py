"""Deterministic Lambda artifacts: one zip per function, the layer zip, and the import check."""

from webhookctl.packaging.artifacts import build_artifacts, default_out_dir
from webhookctl.packaging.result import Artifact, BuildResult, ImportCheck, Missing
from webhookctl.packaging.targets import ARCHES

__all__ = ["ARCHES", "Artifact", "BuildResult", "ImportCheck", "Missing", "build_artifacts", "default_out_dir"]
