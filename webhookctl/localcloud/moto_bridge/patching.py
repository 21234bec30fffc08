"""Installing and reverting the bridge's stand-ins for moto's attributes."""

from __future__ import annotations

from typing import Any, Callable

# (owner, attribute) -> (moto's original, the stand-in installed for it); `revert` reads it.
_INSTALLED: dict[tuple[Any, str], tuple[Any, Any]] = {}


def _replace(owner: Any, name: str, make: Callable[[Any], Any]) -> Any:
    """Install make(moto's attribute) as owner.name, unless this bridge's stand-in is already there."""
    current = getattr(owner, name)
    installed = _INSTALLED.get((owner, name))
    if installed is not None and installed[1] is current:
        return current
    replacement = make(current)
    _INSTALLED[(owner, name)] = (current, replacement)
    setattr(owner, name, replacement)
    return replacement


def original(owner: Any, name: str) -> Any:
    """moto's own owner.name, whether or not a stand-in is installed over it."""
    installed = _INSTALLED.get((owner, name))
    current = getattr(owner, name)
    return installed[0] if installed is not None and installed[1] is current else current


def revert() -> None:
    """Put back moto's own attributes (for comparing answers and costs with and without the tuning)."""
    for (owner, name), (moto_own, replacement) in _INSTALLED.items():
        if getattr(owner, name) is replacement:
            setattr(owner, name, moto_own)
    _INSTALLED.clear()
