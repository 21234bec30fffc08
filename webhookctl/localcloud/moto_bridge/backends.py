"""moto's in-process backends, as the local cloud's readers reach them (one import point for moto.backends)."""

from __future__ import annotations

from moto.backends import get_backend

__all__ = ["get_backend"]
