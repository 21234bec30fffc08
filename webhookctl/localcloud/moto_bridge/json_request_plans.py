"""JSON-protocol requests (DynamoDB, SQS, Logs) parsed through a plan made once per input shape.

The plans do what moto's JSON request parser does and hand it every value they do not know: the
same parse (see moto_tuning, which applies them).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from webhookctl.localcloud.moto_bridge.patching import _replace


def parse_json_requests_by_plan() -> None:
    """Parse JSON-protocol request bodies through a per-shape plan built once (idempotent).

    The other half of BaseResponse.setup_class's cost (besides reading the request) is moto's JSON
    request parser: for every structure in the body it goes through every member of the shape (ten
    per DynamoDB attribute value), and finds each node's handler by name. A plan per input shape
    reads only the members the body holds, in the shape's order, as moto's parser does, on dicts,
    lists, str, int, float and bool; anything else goes to moto's parser from the node where it appears.
    """
    from moto.core.parse import JSONParser

    def planned(original: Callable[..., Any]) -> Callable[..., Any]:
        def _parse_json_body(self: Any, raw_body: Any, shape: Any) -> Any:
            if type(self) is not JSONParser or self.MAP_TYPE is not dict or not _json_parser_is_moto_own():
                return original(self, raw_body, shape)
            return _reading_plan_for(shape)(self, self._parse_body_as_json(raw_body))

        return _parse_json_body

    _replace(JSONParser, "_parse_json_body", planned)


@functools.lru_cache(maxsize=None)
def _json_parser_is_moto_own() -> bool:
    """The parser steps the reading plans copy are moto 5.2's (the guard checks their fingerprint)."""
    from moto.core.parse import BaseJSONParser, JSONParser, RequestParser

    own = {
        "_parse_shape": RequestParser, "_default_handle": RequestParser, "_parse_list": RequestParser,
        "_parse_map": RequestParser, "_parse_structure": BaseJSONParser, "_parse_integer": BaseJSONParser,
        "_parse_long": BaseJSONParser, "_parse_float": BaseJSONParser, "_parse_double": BaseJSONParser,
        "_parse_byte": BaseJSONParser, "_parse_short": BaseJSONParser,
    }
    moto_own = all(getattr(JSONParser, name) is vars(owner)[name] for name, owner in own.items())
    as_they_are = not any(hasattr(JSONParser, f"_parse_{kind}") for kind in ("string", "boolean"))
    return moto_own and as_they_are


# Input shapes live as long as moto's cached service models, and so do their plans.
_READING_PLANS: dict[Any, "_Reading"] = {}


def _reading_plan_for(shape: Any) -> "_Reading":
    plan = _READING_PLANS.get(shape)
    if plan is None:
        plan = _READING_PLANS[shape] = _new_reading(shape)
    return plan


def _new_reading(shape: Any) -> "_Reading":
    return _READING_KINDS.get(shape.type_name, _Reading)(shape)


class _Reading:
    """Parses one JSON value of a shape as moto's RequestParser._parse_shape would; this base hands it to moto."""

    def __init__(self, shape: Any):
        self.shape = shape

    def __call__(self, parser: Any, value: Any) -> Any:
        return parser._parse_shape(self.shape, value)


class _AsSent(_Reading):
    """string, boolean and the other types moto's JSON parser keeps as they are."""

    def __call__(self, parser: Any, value: Any) -> Any:
        return value


class _Number(_Reading):
    """integer, long, float, double: a value already of the type moto converts to is kept as it is."""

    def __init__(self, shape: Any, kind: type):
        super().__init__(shape)
        self.kind = kind

    def __call__(self, parser: Any, value: Any) -> Any:
        return value if type(value) is self.kind else parser._parse_shape(self.shape, value)


class _ListReading(_Reading):
    def __init__(self, shape: Any):
        super().__init__(shape)
        self.item: _Reading | None = None  # built on first use: shapes may nest without end

    def __call__(self, parser: Any, value: Any) -> Any:
        if type(value) is not list:
            return parser._parse_shape(self.shape, value)
        item = self.item or self._item()
        return [item(parser, element) for element in value]

    def _item(self) -> _Reading:
        self.item = _new_reading(self.shape.member)
        return self.item


class _MapReading(_Reading):
    def __init__(self, shape: Any):
        super().__init__(shape)
        self.entry: tuple[_Reading, _Reading] | None = None

    def __call__(self, parser: Any, value: Any) -> Any:
        if type(value) is not dict:
            return parser._parse_shape(self.shape, value)
        read_key, read_value = self.entry or self._entry()
        return {read_key(parser, key): read_value(parser, entry) for key, entry in value.items()}

    def _entry(self) -> tuple[_Reading, _Reading]:
        self.entry = (_new_reading(self.shape.key), _new_reading(self.shape.value))
        return self.entry


class _StructureReading(_Reading):
    """BaseJSONParser._parse_structure, reading only the members the body holds, in the shape's order."""

    def __init__(self, shape: Any):
        super().__init__(shape)
        self.document = shape.is_document_type
        self.members: tuple | None = None  # (member name, name in the body, plan), in the shape's order
        self.members_by_name: dict[str, tuple[int, ...]] = {}  # name in the body -> positions of its members

    def __call__(self, parser: Any, value: Any) -> Any:
        if self.document:
            return value
        if type(value) is not dict:
            return parser._parse_shape(self.shape, value)
        members = self.members if self.members is not None else self._members()
        members_by_name = self.members_by_name
        parsed = {}
        for position in sorted({p for name in value if name in members_by_name for p in members_by_name[name]}):
            member_name, body_name, plan = members[position]
            raw_value = value[body_name]
            if raw_value is not None:
                parsed[member_name] = plan(parser, raw_value)
        return parsed

    def _members(self) -> tuple:
        members = []
        members_by_name: dict[str, list[int]] = {}
        for position, (member_name, member_shape) in enumerate(self.shape.members.items()):
            body_name = member_shape.serialization.get("name", member_name)
            members.append((member_name, body_name, _new_reading(member_shape)))
            members_by_name.setdefault(body_name, []).append(position)
        self.members_by_name = {name: tuple(positions) for name, positions in members_by_name.items()}
        self.members = tuple(members)
        return self.members


_READING_KINDS: dict[str, Callable[[Any], _Reading]] = {
    "structure": _StructureReading,
    "map": _MapReading,
    "list": _ListReading,
    "string": _AsSent,
    "boolean": _AsSent,
    "integer": lambda shape: _Number(shape, int),
    "long": lambda shape: _Number(shape, int),
    "byte": lambda shape: _Number(shape, int),
    "short": lambda shape: _Number(shape, int),
    "float": lambda shape: _Number(shape, float),
    "double": lambda shape: _Number(shape, float),
}
