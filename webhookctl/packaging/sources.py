"""Where the Lambda sources live: the project tree, or the copy bundled in the wheel."""

from __future__ import annotations

from pathlib import Path

from webhookctl.config import DEFAULTS, Settings

_PACKAGE = Path(__file__).resolve().parent.parent  # webhookctl/
_BUNDLED = _PACKAGE / "_bundled"
_CHECKOUT = _PACKAGE.parent


def _bundled_or_checkout(relative: str) -> Path:
    for root in (_BUNDLED, _CHECKOUT):
        candidate = root / relative
        if candidate.exists():
            return candidate
    return _CHECKOUT / relative


def handlers_dir(settings: Settings) -> Path:
    """The configured handlers folder, else the handlers shipped with webhookctl."""
    if settings.handlers_dir.is_dir():
        return settings.handlers_dir
    if settings.raw.get("build", {}).get("handlers_dir") == DEFAULTS["build"]["handlers_dir"]:
        return _bundled_or_checkout("handlers")
    return settings.handlers_dir


def layer_requirements(settings: Settings) -> Path:
    """The configured layer requirements file, else the one shipped with webhookctl."""
    if settings.layer_requirements.is_file():
        return settings.layer_requirements
    if settings.raw.get("build", {}).get("layer_requirements") == DEFAULTS["build"]["layer_requirements"]:
        return _bundled_or_checkout("layer/requirements.txt")
    return settings.layer_requirements


def shared_layer_packages() -> list[Path]:
    """Source folders of the shared packages that ship in the layer (e.g. webhook_signatures)."""
    layer = _bundled_or_checkout("layer")
    return sorted(p for p in layer.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
