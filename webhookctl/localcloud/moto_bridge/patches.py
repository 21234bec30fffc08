"""Every stand-in the bridge puts into moto: what it replaces or copies, and the moto source it was tested with.

A patch's fingerprint is a hash of the source of every moto function it replaces or repeats step
for step (inspect.getsource, in the order listed). `TESTED` holds the fingerprints the suite ran
with; a moto whose source differs gets moto's own code for that patch (`needed=False`: slower,
same answers) or the local cloud refuses to start (`needed=True`: its answers would be wrong).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    name: str  # the function that installs it (in moto_tuning, moto_queue_tuning, ...)
    targets: tuple[str, ...]  # "module:Owner.attribute" of each moto function it replaces or repeats
    needed: bool = False  # correctness, not speed, depends on it
    fixes: str = ""  # the moto bug it works around: upstream/<fixes>.md and .patch


_SERIALISER = tuple(f"moto.core.serialize:{owner}.{step}" for owner, step in (
    ("JSONSerializer", "_serialize_result"), ("ResponseSerializer", "_serialize"),
    ("ResponseSerializer", "_default_serialize"), ("ResponseSerializer", "get_serialized_name"),
    ("ResponseSerializer", "_serialize_structure_member"), ("ResponseSerializer", "get_value"),
    ("BaseJSONSerializer", "_serialize_type_structure"), ("BaseJSONSerializer", "_serialize_type_map"),
    ("BaseJSONSerializer", "_serialize_type_list"), ("BaseJSONSerializer", "_serialize_type_string"),
    ("ResponseSerializer", "_serialize_type_integer"), ("ResponseSerializer", "_serialize_type_long"),
    ("ResponseSerializer", "_serialize_type_float"), ("ResponseSerializer", "_serialize_type_double"),
    ("XFormedAttributePicker", "get_possible_keys"),
))
_PARSER = tuple(f"moto.core.parse:{owner}.{step}" for owner, step in (
    ("JSONParser", "_parse_json_body"), ("RequestParser", "_parse_shape"), ("RequestParser", "_default_handle"),
    ("RequestParser", "_parse_list"), ("RequestParser", "_parse_map"), ("BaseJSONParser", "_parse_structure"),
    ("BaseJSONParser", "_parse_integer"), ("BaseJSONParser", "_parse_long"), ("BaseJSONParser", "_parse_float"),
    ("BaseJSONParser", "_parse_double"), ("BaseJSONParser", "_parse_byte"), ("BaseJSONParser", "_parse_short"),
))

PATCHES = (
    Patch("cache_action_method_names", ("moto.core.responses:method_names_from_class",)),
    Patch("share_parsed_update_expressions", (
        "moto.dynamodb.parsing.expressions:UpdateExpressionParser.make",
        "moto.dynamodb.parsing.validators:Validator.__init__")),
    Patch("copy_update_trees_directly", ("moto.dynamodb.parsing.validators:Validator.__init__",)),
    Patch("traverse_with_one_processing_map", (
        "moto.dynamodb.parsing.ast_nodes:DepthFirstTraverser.traverse",
        "moto.dynamodb.parsing.ast_nodes:DepthFirstTraverser.traverse_node_recursively")),
    Patch("share_parsed_conditions", ("moto.dynamodb.comparisons:ConditionExpressionParser.parse",)),
    Patch("size_new_items_in_one_pass", (
        "moto.dynamodb.models.dynamo_type:Item.__init__",
        "moto.dynamodb.models.dynamo_type:LimitedSizeDict.__setitem__"), fixes="dynamodb_item_sizing"),
    Patch("read_sqs_retention_directly", ("moto.sqs.models:SQSBackend.is_message_valid_based_on_retention_period",),
          fixes="sqs_retention_check"),
    Patch("serialise_sqs_deletes", ("moto.sqs.models:Queue.delete_message",), needed=True, fixes="sqs_delete_lock"),
    Patch("serialise_json_results_by_plan", _SERIALISER),
    Patch("parse_json_requests_by_plan", _PARSER),
    Patch("read_the_clock_once_per_queue_scan", ("moto.sqs.models:Queue.messages",), fixes="sqs_clock_reads"),
    Patch("call_json_views_directly", ("moto.core.utils:convert_to_flask_response.__call__",)),
    Patch("adopt_stream_mappings", ("moto.awslambda.models:LambdaBackend.create_event_source_mapping",), needed=True),
)

BY_NAME = {patch.name: patch for patch in PATCHES}

# moto releases the suite ran with (requirements/test-lock.txt, and .ci/newest at the top of the range).
TESTED_VERSIONS = ("5.2.5", "5.2.6")
SUPPORTED_RANGE = ">=5.2.5,<5.2.7"

# patch -> fingerprints of the moto sources it was tested against (5.2.5 and 5.2.6 give the same).
TESTED: dict[str, frozenset[str]] = {
    "cache_action_method_names": frozenset({"bff539a619627bed"}),
    "share_parsed_update_expressions": frozenset({"b2c28bb6d79a88dc"}),
    "copy_update_trees_directly": frozenset({"604137ac7e98d421"}),
    "traverse_with_one_processing_map": frozenset({"9d305c4c6ac3d86d"}),
    "share_parsed_conditions": frozenset({"d3de93da1b334143"}),
    "size_new_items_in_one_pass": frozenset({"ee6938b42d9f6011"}),
    "read_sqs_retention_directly": frozenset({"cb07abdc3b0f4503"}),
    "serialise_sqs_deletes": frozenset({"37cebbcb1142bd04"}),
    "serialise_json_results_by_plan": frozenset({"7e327b8483046709"}),
    "parse_json_requests_by_plan": frozenset({"562651a8a52258e7"}),
    "read_the_clock_once_per_queue_scan": frozenset({"74595394118c288d"}),
    "call_json_views_directly": frozenset({"43c86e89e4e862e9"}),
    "adopt_stream_mappings": frozenset({"956e0565a19240b6"}),
}
