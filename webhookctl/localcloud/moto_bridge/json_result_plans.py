"""JSON-protocol answers (DynamoDB, SQS, Logs) serialised through a plan made once per output shape.

The plans do what moto's JSONSerializer does, step for step, and hand it every value they do not
know: the same bytes (see moto_tuning, which applies them).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from webhookctl.localcloud.moto_bridge.patching import _replace


def serialise_json_results_by_plan() -> None:
    """Serialise JSON-protocol results through a per-shape plan built once (idempotent).

    moto's serialiser walks the output shape for every answer and, for every member of every
    structure (each DynamoDB attribute value is a structure of ten members), asks the attribute
    picker for its candidate keys: six alias providers, each built anew, and xform_name on every
    candidate, about a quarter of a PutItem's or UpdateItem's CPU. For a plain dict value those
    candidates depend only on the shape, so a plan per shape lists them once. The plan does what
    moto's JSONSerializer does, step for step, on dicts, lists, str, int, float and bool; any other
    value, shape type or picker goes to moto's own code, from the node where it appears.
    """
    from moto.core.serialize import JSONSerializer

    def planned(original: Callable[..., Any]) -> Callable[..., Any]:
        def _serialize_result(self: Any, resp: Any, result: Any) -> Any:
            output_shape = self.operation_model.output_shape
            if output_shape is None or not _plans_apply_to(self):
                return original(self, resp, result)
            serialized_result = self.MAP_TYPE()
            _plan_for(output_shape)(self, serialized_result, result, "")
            return self._serialized_result_to_response(resp, result, output_shape, serialized_result)

        return _serialize_result

    _replace(JSONSerializer, "_serialize_result", planned)


def _plans_apply_to(serializer: Any) -> bool:
    """moto's own JSONSerializer, picking values the default way with no response transformer."""
    from moto.core.serialize import DEFAULT_ALIAS_PROVIDERS, JSONSerializer, XFormedAttributePicker

    picker = serializer._value_picker
    return (
        type(serializer) is JSONSerializer
        and serializer.MAP_TYPE is dict
        and type(picker) is XFormedAttributePicker
        and not picker.response_transformers
        and picker.alias_providers == DEFAULT_ALIAS_PROVIDERS
        and _json_serialiser_is_moto_own()
    )


@functools.lru_cache(maxsize=None)
def _json_serialiser_is_moto_own() -> bool:
    """The serialiser steps the plans copy are moto 5.2's (the guard checks their fingerprint)."""
    from moto.core.serialize import BaseJSONSerializer, JSONSerializer, ResponseSerializer

    own = {
        "_serialize": ResponseSerializer, "_default_serialize": ResponseSerializer,
        "get_serialized_name": ResponseSerializer, "_serialize_structure_member": ResponseSerializer,
        "get_value": ResponseSerializer, "_serialize_type_structure": BaseJSONSerializer,
        "_serialize_type_map": BaseJSONSerializer, "_serialize_type_list": BaseJSONSerializer,
        "_serialize_type_string": BaseJSONSerializer, "_serialize_type_integer": ResponseSerializer,
        "_serialize_type_long": ResponseSerializer, "_serialize_type_float": ResponseSerializer,
        "_serialize_type_double": ResponseSerializer,
    }
    return (all(getattr(JSONSerializer, name) is vars(owner)[name] for name, owner in own.items())
            and not hasattr(JSONSerializer, "_serialize_type_boolean"))


# Output shapes live as long as moto's cached service models, and so do their plans.
_PLANS: dict[Any, "_Plan"] = {}


def _plan_for(shape: Any) -> "_Plan":
    plan = _PLANS.get(shape)
    if plan is None:
        plan = _PLANS[shape] = _new_plan(shape)
    return plan


def _new_plan(shape: Any) -> "_Plan":
    kind = _PLAN_KINDS.get(shape.type_name, _Plan)
    return kind(shape)


class _Plan:
    """Writes one value of a shape as moto's ResponseSerializer._serialize would; this base hands it to moto."""

    def __init__(self, shape: Any):
        self.shape = shape
        # get_serialized_name: the shape's own name for the key, if it has one.
        self.renamed = "name" in shape.serialization
        self.name = shape.serialization.get("name")

    def __call__(self, serializer: Any, serialized: dict, value: Any, key: Any) -> None:
        serializer._serialize(serialized, value, self.shape, key)


class _AsItIs(_Plan):
    """boolean (no conversion in the JSON protocol): stored as it is, whatever it is."""

    def __call__(self, serializer: Any, serialized: dict, value: Any, key: Any) -> None:
        serialized[self.name if self.renamed else key] = value


class _Scalar(_Plan):
    """string, integer, long, float, double: a value already of the type moto converts to is stored as it is."""

    def __init__(self, shape: Any, kind: type):
        super().__init__(shape)
        self.kind = kind

    def __call__(self, serializer: Any, serialized: dict, value: Any, key: Any) -> None:
        if type(value) is self.kind:
            serialized[self.name if self.renamed else key] = value
        else:
            serializer._serialize(serialized, value, self.shape, key)


class _List(_Plan):
    """BaseJSONSerializer._serialize_type_list, for a list or tuple."""

    def __init__(self, shape: Any):
        super().__init__(shape)
        self.item_key = shape.member.name
        self.item: _Plan | None = None  # built on first use: shapes may nest without end

    def __call__(self, serializer: Any, serialized: dict, value: Any, key: Any) -> None:
        if type(value) not in (list, tuple):
            return serializer._serialize(serialized, value, self.shape, key)
        item = self.item or self._item()
        item_key = self.item_key
        items = []
        for element in value:
            wrapper: dict = {}
            item(serializer, wrapper, element, item_key)
            items.append(wrapper[item_key] if item_key in wrapper else element)
        serialized[self.name if self.renamed else key] = items

    def _item(self) -> _Plan:
        self.item = _new_plan(self.shape.member)
        return self.item


class _Map(_Plan):
    """BaseJSONSerializer._serialize_type_map, for a dict."""

    def __init__(self, shape: Any):
        super().__init__(shape)
        self.entry: _Plan | None = None

    def __call__(self, serializer: Any, serialized: dict, value: Any, key: Any) -> None:
        if type(value) is not dict:
            return serializer._serialize(serialized, value, self.shape, key)
        entry = self.entry or self._entry()
        entries: dict = {}
        serialized[self.name if self.renamed else key] = entries
        for entry_key, entry_value in value.items():
            entry(serializer, entries, entry_value, entry_key)

    def _entry(self) -> _Plan:
        self.entry = _new_plan(self.shape.value)
        return self.entry


class _Structure(_Plan):
    """BaseJSONSerializer._serialize_type_structure, for a dict, with each member's candidate keys listed once."""

    def __init__(self, shape: Any):
        super().__init__(shape)
        self.document = shape.is_document_type
        self.members: tuple | None = None  # (member key, candidate keys, plan), in the shape's order
        self.members_by_key: dict[str, tuple[int, ...]] = {}  # candidate key -> positions of the members that read it
        self.by_moto = False  # a candidate key that moto's get_value would read as a dotted path

    def __call__(self, serializer: Any, serialized: dict, value: Any, key: Any) -> None:
        members = self.members if self.members is not None else self._members()
        if self.document:
            serialized[key] = value
            return
        if value is None:
            return
        if type(value) is not dict or self.by_moto:
            return serializer._serialize(serialized, value, self.shape, key)
        wrapper: dict = {} if key else serialized
        members_by_key = self.members_by_key
        read = sorted({position for found in value if found in members_by_key for position in members_by_key[found]})
        for position in read:
            member_key, candidates, plan = members[position]
            member_value = None
            for candidate in candidates:  # the picker's order: the first key present wins, even if its value is None
                if candidate in value:
                    member_value = value[candidate]
                    break
            if member_value is not None:
                plan(serializer, wrapper, member_value, member_key)
        if key:
            serialized[self.name if self.renamed else key] = wrapper

    def _members(self) -> tuple:
        members = []
        members_by_key: dict[str, list[int]] = {}
        for position, (member_key, member_shape) in enumerate(self.shape.members.items()):
            member_shape.parent = self.shape  # as moto's loop sets it, before the picker reads it
            candidates = _candidate_keys(member_shape, member_key)
            if any("." in candidate for candidate in candidates):  # get_value would follow a dotted path
                self.by_moto = True
                self.members = ()
                return self.members
            members.append((member_key, candidates, _new_plan(member_shape)))
            for candidate in candidates:
                members_by_key.setdefault(candidate, []).append(position)
        self.members_by_key = {candidate: tuple(positions) for candidate, positions in members_by_key.items()}
        self.members = tuple(members)
        return self.members


def _candidate_keys(member_shape: Any, member_key: str) -> tuple[str, ...]:
    """The keys moto's XFormedAttributePicker tries, in order, on a plain dict for this member."""
    from moto.core.serialize import AttributePickerContext, XFormedAttributePicker

    context = AttributePickerContext(obj={}, key=member_key, shape=member_shape)
    return tuple(dict.fromkeys(XFormedAttributePicker().get_possible_keys(context)))


_PLAN_KINDS: dict[str, Callable[[Any], _Plan]] = {
    "structure": _Structure,
    "map": _Map,
    "list": _List,
    "string": lambda shape: _Scalar(shape, str),
    "integer": lambda shape: _Scalar(shape, int),
    "long": lambda shape: _Scalar(shape, int),
    "float": lambda shape: _Scalar(shape, float),
    "double": lambda shape: _Scalar(shape, float),
    "boolean": _AsItIs,
}
