"""Per-request work in moto that does not depend on the request, done once instead.

moto's BaseResponse.call_action lists the response class's methods with inspect.getmembers on
every call (about 7% of a PutItem here), only to check that the action is one of them. A class's
functions do not change while the server runs, so the list is computed once per class.
DynamoDB's UpdateExpression and ConditionExpression parses are shared between calls that give
the same inputs, the validator's copy of the update tree is made by hand, its tree walks stop
rebuilding a constant map at every node, and a new item's size is summed once: together about
half of an UpdateItem's CPU and a third of a PutItem's (bench/local/moto_calls.py).
SQS's retention check read one setting by building every queue attribute, which counts every
message: receiving from a deep queue cost the depth squared. JSON-protocol answers (DynamoDB, SQS,
Logs) are serialised, and their requests parsed, through plans made once per shape, which do what
moto's serialiser and parser do and hand them every value they do not know: the same bytes, for
about a quarter of a PutItem's, UpdateItem's or GetItem's CPU. moto's stores and rules are
otherwise untouched; `revert` puts moto's own functions back.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from webhookctl.localcloud.moto_bridge.guard import decide
from webhookctl.localcloud.moto_bridge.patching import _INSTALLED, _replace, revert  # noqa: F401


def cache_action_method_names() -> None:
    """Memoise moto.core.responses' method_names_from_class (idempotent)."""
    from moto.core import responses

    def memoised(original: Callable[[type], Any]) -> Callable[[type], tuple[str, ...]]:
        @functools.lru_cache(maxsize=None)
        def method_names(clazz: type) -> tuple[str, ...]:
            return tuple(original(clazz))

        return method_names

    _replace(responses, "method_names_from_class", memoised)


class _ReadOnlyUpdateExpressions:
    """Stands in for UpdateExpressionParser where moto only reads the tree it gets back."""

    def __init__(self, parser: type, cache_size: int):
        self.parser = parser
        # A failed parse raises and is not cached: the error is raised again on every call, as before.
        self.make = functools.lru_cache(maxsize=cache_size)(parser.make)


def share_parsed_update_expressions(cache_size: int = 256) -> None:
    """Parse each UpdateExpression string once, for the wire layer and the backend (idempotent).

    UpdateItem parses its UpdateExpression twice: once in the wire layer, only to list the #names
    and :values it uses (`find_clauses` reads the tree), and again in the backend, which hands the
    tree to UpdateExpressionValidator. The validator works on its own copy (Validator.__init__), so
    neither reader changes the tree and one parse per expression string serves both.
    """
    from moto.dynamodb import models, responses

    shared = _replace(responses, "UpdateExpressionParser", lambda parser: _ReadOnlyUpdateExpressions(parser, cache_size))
    _replace(models, "UpdateExpressionParser", lambda _parser: shared)


def copy_update_trees_directly() -> None:
    """Copy the validator's UpdateExpression tree without copy.deepcopy's generic machinery (idempotent).

    Validator.__init__ deep-copies the parsed tree before rewriting it. The tree is plain Node
    objects, lists and strings; copying those by hand gives the same tree (same classes, same
    attributes, same sharing) in about a third of the time. Anything else goes to copy.deepcopy.
    """
    from moto.dynamodb.parsing import validators

    _replace(validators, "deepcopy", lambda _deepcopy: copy_tree)


def copy_tree(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """copy.deepcopy(value, memo), quicker for moto's expression Nodes and the lists holding them."""
    import copy

    if memo is None:
        memo = {}

    def copied(value: Any) -> Any:
        found = memo.get(id(value))
        if found is not None:
            return found
        kind = type(value)
        if kind is list:
            clone: Any = []
            memo[id(value)] = clone
            clone.extend([element if type(element) in _ATOMS else copied(element) for element in value])
            return clone
        if _is_plain_node(kind):
            # What deepcopy does for such an object: a new instance, then its __dict__ deep-copied.
            clone = kind.__new__(kind)
            memo[id(value)] = clone
            clone.__dict__.update({name: attribute if type(attribute) in _ATOMS else copied(attribute)
                                   for name, attribute in value.__dict__.items()})
            return clone
        return copy.deepcopy(value, memo)

    return value if type(value) in _ATOMS else copied(value)


# Immutable values that deepcopy returns as they are.
_ATOMS = frozenset({type(None), str, int, float, bool, bytes})


@functools.lru_cache(maxsize=None)
def _is_plain_node(kind: type) -> bool:
    """A Node class that deepcopy copies through object's default reduce protocol."""
    import copyreg

    from moto.dynamodb.parsing.ast_nodes import Node

    return (
        issubclass(kind, Node)
        and kind not in copyreg.dispatch_table
        and getattr(kind, "__deepcopy__", None) is None
        and kind.__reduce_ex__ is object.__reduce_ex__
        and kind.__reduce__ is object.__reduce__
        and kind.__getstate__ is object.__getstate__
        and getattr(kind, "__setstate__", None) is None
        and not hasattr(kind, "__slots__")
    )


def traverse_with_one_processing_map() -> None:
    """Build each tree processor's class -> function map once per traversal (idempotent).

    moto's DepthFirstTraverser rebuilds that map (a dict of bound methods) twice for every node it
    visits, and checks each node against it with ABCMeta's slow isinstance; UpdateItem runs ten
    such processors over its tree. Every processor's map is a constant of the processor, so
    building it once per traversal, and deciding per node class, visits the same nodes in the same
    order and calls the same functions.
    """
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser

    def traverse(self: DepthFirstTraverser, node: Any) -> Any:
        if not _keeps_the_base_traversal(type(self)):
            return self.traverse_node_recursively(node)
        processing = tuple(self._processing_map().items())
        processors = [process for _, process in processing]
        kinds = tuple(kind for kind, _ in processing)
        steps = _steps_for(kinds)
        pre_processing_of_child = self.pre_processing_of_child

        def visit(node: Any, child_id: int = -1) -> Any:
            kind = type(node)
            step = steps.get(kind)
            if step is None:
                step = steps[kind] = _step(kind, kinds)
            if step == _NOT_A_NODE:
                return node
            parent_node = node.parent
            if node.children is not None:
                for i, child_node in enumerate(node.children):
                    pre_processing_of_child(node, i)
                    visit(child_node, i)
            if step != _NOT_PROCESSED:
                node = processors[step](node)
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
            return node

        return visit(node)

    _replace(DepthFirstTraverser, "traverse", lambda _traverse: traverse)


# What a traversal does with a value of a class: not a Node (left as it is), a Node no processor
# takes, or the index of the processor that takes it (the first whose class it is an instance of).
_NOT_A_NODE, _NOT_PROCESSED = -2, -1
# The processors' node classes -> {value class -> step}. Node's metaclass is ABCMeta, whose
# isinstance is slow; no class is registered with it, so a value's class decides, once.
_STEPS: dict[tuple[type, ...], dict[type, int]] = {}


def _steps_for(kinds: tuple[type, ...]) -> dict[type, int]:
    steps = _STEPS.get(kinds)
    if steps is None:
        steps = _STEPS.setdefault(kinds, {})
    return steps


def _step(kind: type, kinds: tuple[type, ...]) -> int:
    from moto.dynamodb.parsing.ast_nodes import Node

    if not issubclass(kind, Node):
        return _NOT_A_NODE
    return next((index for index, processed in enumerate(kinds) if issubclass(kind, processed)), _NOT_PROCESSED)


@functools.lru_cache(maxsize=None)
def _keeps_the_base_traversal(kind: type) -> bool:
    """A processor whose own traversal steps are DepthFirstTraverser's (all of moto 5.2's are)."""
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser

    steps = ("traverse_node_recursively", "nodes_to_be_processed", "process")
    return all(getattr(kind, step) is getattr(DepthFirstTraverser, step) for step in steps)


def share_parsed_conditions(cache_size: int = 256) -> None:
    """Reuse a ConditionExpression's parse while the expression and what it reads are the same (idempotent).

    ConditionExpressionParser.parse binds the #names and :values it looks up into the condition it
    returns (an immutable tree of Op/Func objects) and lists the placeholders it found. It looks up
    only placeholders written in the expression, so the parse depends on the expression string and
    on the entries whose placeholder occurs in it: the processor's ":now" differs on every call but
    is not in "#status = :received". Only scalar values (S, N, B, BOOL, NULL) make a key; a
    condition reading a list, map or set value, and a parse that fails, are parsed every time.
    """
    from moto.dynamodb.comparisons import ConditionExpressionParser

    def sharing(parse: Callable[[ConditionExpressionParser], Any]) -> Callable[[ConditionExpressionParser], Any]:
        cache: dict[tuple, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {}

        def shared_parse(self: ConditionExpressionParser) -> Any:
            key = _condition_key(self.condition_expression, self.expression_attribute_names,
                                 self.expression_attribute_values)
            if key is None:
                return parse(self)
            found = cache.get(key)
            if found is None:
                condition = parse(self)
                if len(cache) >= cache_size:
                    cache.clear()
                cache[key] = (condition, tuple(self.expr_attr_names_found), tuple(self.expr_attr_values_found))
                return condition
            condition, names_found, values_found = found
            self.expr_attr_names_found.extend(names_found)
            self.expr_attr_values_found.extend(values_found)
            return condition

        return shared_parse

    _replace(ConditionExpressionParser, "parse", sharing)


# The value types whose JSON form is one string (or bool) and that a condition reads as they are.
_SCALAR_VALUE_TYPES = {"S": str, "N": str, "B": str, "BOOL": bool, "NULL": bool}


def _condition_key(expression: Any, names: Any, values: Any) -> tuple | None:
    """What a condition's parse depends on, or None where it is not worth (or safe) sharing."""
    if not isinstance(expression, str) or not expression:
        return None
    used_names = []
    for placeholder, name in (names or {}).items():
        if placeholder in expression:
            if type(placeholder) is not str or type(name) is not str:
                return None
            used_names.append((placeholder, name))
    used_values = []
    for placeholder, value in (values or {}).items():
        if placeholder in expression:
            if type(placeholder) is not str or type(value) is not dict or len(value) != 1:
                return None
            ((kind, scalar),) = value.items()
            if _SCALAR_VALUE_TYPES.get(kind) is not type(scalar):
                return None
            used_values.append((placeholder, kind, scalar))
    return expression, tuple(used_names), tuple(used_values)


def size_new_items_in_one_pass() -> None:
    """Check a new item's size with a running total instead of re-adding it at every attribute (idempotent).

    Item.__init__ stores each attribute through LimitedSizeDict.__setitem__, which sums the size
    of every attribute already stored before adding one: quadratic in the attribute count, and
    about a fifth of a PutItem of the receiver's item. In a new, empty dict that sum is exactly
    the running total of what was added, so the same limit is checked at the same attribute and
    the same ItemSizeTooLarge raised. Later writes to the item keep moto's own check.
    """
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def one_pass(_init: Callable[..., None]) -> Callable[..., None]:
        def __init__(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
            self.hash_key = hash_key
            self.range_key = range_key
            self.attrs = LimitedSizeDict()
            stored = 0
            for key, value in attrs.items():
                value = DynamoType(value)
                added = bytesize(key) + value.size()
                if stored + added > _ITEM_SIZE_LIMIT:
                    raise ItemSizeTooLarge
                dict.__setitem__(self.attrs, key, value)
                stored += added

        return __init__

    _replace(Item, "__init__", one_pass)


# LimitedSizeDict.__setitem__'s limit in moto 5.2 (the guard checks their fingerprint).
_ITEM_SIZE_LIMIT = 405000


def read_sqs_retention_directly() -> None:
    """Check a message's retention against the queue's setting alone (idempotent)."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def reading_the_setting(_original: Any) -> Callable[..., bool]:
        def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Any) -> bool:
            retention_period = int(self.get_queue(queue_name).message_retention_period)
            return retention_period + message.sent_timestamp / 1000 > unix_time()

        return is_message_valid_based_on_retention_period

    _replace(SQSBackend, "is_message_valid_based_on_retention_period", reading_the_setting)


def serialise_sqs_deletes() -> None:
    """Hold the queue's message lock while moto deletes a message (idempotent).

    moto deletes by rebuilding the queue's message list outside the lock its sends take, so a
    send, or another delete, landing in between is undone: a dead letter could vanish, or a
    replayed one reappear. This is a correctness fix for a threaded server, not a speed-up.
    """
    from moto.sqs.models import Queue

    def holding_the_lock(original: Callable[[Queue, str], None]) -> Callable[[Queue, str], None]:
        def delete_message(self: Queue, receipt_handle: str) -> None:
            with self._messages_lock:  # a Condition over an RLock: sends take the same lock
                original(self, receipt_handle)

        return delete_message

    _replace(Queue, "delete_message", holding_the_lock)


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


def apply(leave_out: tuple[str, ...] = ()) -> None:
    """Every tuning in this module (but those named in `leave_out`); the server applies them once at start."""
    for tuning in TUNINGS:
        if tuning.__name__ not in leave_out and decide(tuning.__name__):
            tuning()


TUNINGS = (
    cache_action_method_names,
    share_parsed_update_expressions,
    copy_update_trees_directly,
    traverse_with_one_processing_map,
    share_parsed_conditions,
    size_new_items_in_one_pass,
    read_sqs_retention_directly,
    serialise_sqs_deletes,
    serialise_json_results_by_plan,
    parse_json_requests_by_plan,
)
