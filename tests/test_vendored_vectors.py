"""The vendored signature vectors stay identical to the design folder's copy, where a checkout has one."""

from __future__ import annotations

import json

import pytest

from tests.signature_vectors import SHARED_VECTORS_FILE, VECTORS_FILE


def test_vendored_vectors_are_present_and_name_their_sources() -> None:
    vectors = json.loads(VECTORS_FILE.read_text())["vectors"]
    assert vectors, "tests/vectors/signatures.json holds no vectors"
    assert all(vector.get("source") for vector in vectors)


@pytest.mark.skipif(not SHARED_VECTORS_FILE.is_file(), reason="no design folder beside this checkout")
def test_vendored_vectors_match_the_shared_copy() -> None:
    assert json.loads(VECTORS_FILE.read_text()) == json.loads(SHARED_VECTORS_FILE.read_text())
