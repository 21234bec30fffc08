"""Reading imports and AWS clients from source, without running it."""

from __future__ import annotations

import ast

import pytest

from webhookctl.packaging.source_scan import aws_services_of, imports_of, parse
from webhookctl.errors import WebhookctlError

SOURCE = '''\
import json, os.path
from . import sibling
from .sibling import helper
from botocore.exceptions import ClientError
import importlib

try:
    import ujson
except ImportError:
    ujson = None


def handler(event, context):
    from aws_xray_sdk.core import xray_recorder
    plugin = importlib.import_module("webhook_plugins.stripe")
    client = boto3.client("dynamodb")
    queue = session.client(service_name="sqs")
    table = boto3.resource("dynamodb").Table("t")
    name = "s3"
    dynamic = boto3.client(name)
'''


def test_every_absolute_import_is_found_including_inside_functions() -> None:
    modules = {i.module for i in imports_of(ast.parse(SOURCE))}
    assert modules == {"json", "os.path", "botocore.exceptions", "importlib", "ujson", "aws_xray_sdk.core", "webhook_plugins.stripe"}


def test_import_lines_and_top_level_names() -> None:
    found = {i.module: i for i in imports_of(ast.parse(SOURCE))}
    assert found["aws_xray_sdk.core"].line == 14
    assert found["aws_xray_sdk.core"].top == "aws_xray_sdk"


def test_literal_service_names_are_found() -> None:
    assert aws_services_of(ast.parse(SOURCE)) == {"dynamodb", "sqs"}


def test_syntax_error_is_one_clear_error(tmp_path) -> None:
    broken = tmp_path / "handler.py"
    broken.write_text("def handler(:\n")
    with pytest.raises(WebhookctlError, match=r"handler.py:1: syntax error"):
        parse(broken)


def test_scan_answers_as_the_tree_walks_do_and_keeps_its_answer_by_content(tmp_path):
    from webhookctl.packaging import source_scan

    path = tmp_path / "handler.py"
    path.write_text(SOURCE)
    memo = tmp_path / "memo"
    found = source_scan.scan(path, memo)
    tree = parse(path)
    assert list(found.imports) == imports_of(tree)
    assert found.services == aws_services_of(tree)
    source_scan._scans.clear()  # a new process: the answer comes back from the memo folder
    kept = list(memo.rglob("*.json"))
    assert len(kept) == 1
    assert source_scan.scan(path, memo) == found
    path.write_text(SOURCE + "\nimport csv\n")  # new content: parsed afresh
    assert source_scan.scan(path, memo).imports[-1].module == "csv"


def test_scan_of_broken_source_is_one_line_error_and_not_kept(tmp_path):
    from webhookctl.packaging import source_scan

    path = tmp_path / "broken.py"
    path.write_text("def handler(:\n")
    with pytest.raises(WebhookctlError, match="syntax error"):
        source_scan.scan(path, tmp_path / "memo")
    assert not list((tmp_path / "memo").rglob("*.json"))
