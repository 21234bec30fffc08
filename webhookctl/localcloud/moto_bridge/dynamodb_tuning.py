"""DynamoDB's per-call expression work in moto, done once per expression, and a new item sized in one pass.

UpdateExpression and ConditionExpression parses are shared between calls that give the same
inputs, the validator's copy of the update tree is made by hand, its tree walks stop rebuilding a
constant map at every node, and a new item's size is summed once (see moto_tuning, which applies them).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from webhookctl.localcloud.moto_bridge.patching import _replace


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
