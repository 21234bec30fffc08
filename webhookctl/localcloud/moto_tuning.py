"""Per-request work in moto's wire layer that does not depend on the request, done once instead.

moto's BaseResponse.call_action lists the response class's methods with inspect.getmembers on
every call (about 7% of a PutItem here), only to check that the action is one of them. A class's
functions do not change while the server runs, so the list is computed once per class. moto's
backends, parsing and serialisation are untouched.
"""

from __future__ import annotations

import functools


def cache_action_method_names() -> None:
    """Memoise moto.core.responses' method_names_from_class (idempotent)."""
    from moto.core import responses

    original = responses.method_names_from_class
    if getattr(original, "cache_info", None) is not None:
        return

    @functools.lru_cache(maxsize=None)
    def method_names(clazz: type) -> tuple[str, ...]:
        return tuple(original(clazz))

    responses.method_names_from_class = method_names
