"""Signatures and MACs are compared only through hmac.compare_digest, and every HMAC verify path calls it."""

from __future__ import annotations

import ast
import hmac
from pathlib import Path

import pytest

import webhook_signatures as ws
from tests.fuzz.signing_material import SAMPLE_BODIES, SIGNED_AT, provider_of

PACKAGE = Path(ws.__file__).parent
# Words that name a signature, MAC or digest value (or a function computing one) in an identifier.
SECRET_WORDS = frozenset({"sig", "signature", "signatures", "digest", "hexdigest", "mac", "hmac", "expected",
                          "provided", "candidate", "wanted"})
EQUALITY = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
HMAC_SCHEMES = ("stripe", "github", "shopify", "square", "adyen", "standard_webhooks")
HMAC_VARIANTS = ("stripe", "github", "shopify", "square", "adyen", "adyen-payload", "standardwebhooks", "svix")


def _names(node: ast.AST) -> set[str]:
    """The identifiers an expression reads or calls (not literals: a string is not a digest)."""
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
    return found


def _secret_valued(name: str) -> bool:
    """signature, expected_mac, b64_digest, ...; not constants (SIGNING_KEY_PREFIX names a prefix, not a value)."""
    return not name.isupper() and bool(SECRET_WORDS & set(name.lower().split("_")))


def _is_length(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def plain_digest_comparisons(source: str) -> list[str]:
    """`a == b` (!=, in, not in) where an operand is signature- or digest-valued: a timing leak."""
    leaks = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare) or not any(isinstance(op, EQUALITY) for op in node.ops):
            continue
        operands = [node.left, *node.comparators]
        if any(not _is_length(operand) and any(_secret_valued(name) for name in _names(operand))
               for operand in operands):
            leaks.append(f"line {node.lineno}: {ast.unparse(node)}")
    return leaks


def calls(tree: ast.AST, dotted: str) -> bool:
    """Whether `tree` calls `dotted` ("hmac.compare_digest", "hmac_sha256.any_match", ...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == dotted:
            return True
    return False


def function(module: str, name: str, in_class: str | None = None) -> ast.FunctionDef:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    scope = tree
    if in_class:
        scope = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == in_class)
    return next(node for node in ast.walk(scope) if isinstance(node, ast.FunctionDef) and node.name == name)


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name)
def test_no_module_compares_digests_with_plain_equality(path):
    assert plain_digest_comparisons(path.read_text()) == []


def test_the_scanner_finds_plain_comparisons():
    """The scan above must be able to fail: each of these leaks timing."""
    leaky = [
        "if signature == expected: pass",
        "ok = provided != hmac_sha256.hex_digest(key, body)",
        "ok = header.strip() in [b64_digest(k, body) for k in keys]",
        "ok = mac.hexdigest() == value",
    ]
    for source in leaky:
        assert plain_digest_comparisons(source), source
    assert plain_digest_comparisons("if len(signature) != 32 or version == 'v1': pass") == []


def test_any_match_compares_only_with_compare_digest():
    any_match = function("hmac_sha256", "any_match")
    assert calls(any_match, "hmac.compare_digest")
    assert plain_digest_comparisons(ast.unparse(any_match)) == []


@pytest.mark.parametrize("module", HMAC_SCHEMES)
def test_every_hmac_verify_path_goes_through_any_match(module):
    scheme_class = next(node.name for node in ast.parse((PACKAGE / f"{module}.py").read_text()).body
                        if isinstance(node, ast.ClassDef) and node.name.endswith("Scheme"))
    assert calls(function(module, "verify", scheme_class), "hmac_sha256.any_match")


@pytest.mark.parametrize("variant", HMAC_VARIANTS)
def test_verifying_calls_compare_digest_for_good_and_forged_signatures(configs, monkeypatch, variant):
    """The same, observed: verify() reaches hmac.compare_digest whether the signature is right or wrong."""
    compared = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    provider = provider_of(variant)
    delivery = ws.sign(provider, SAMPLE_BODIES[variant], configs[variant], at=SIGNED_AT)
    ws.verify(provider, delivery.headers, delivery.body, configs[variant], now=SIGNED_AT)
    assert compared, "an authentic delivery verified without compare_digest"

    compared.clear()
    forged = delivery.body.replace(b"1", b"2", 1)
    with pytest.raises(ws.SignatureInvalid):
        ws.verify(provider, delivery.headers, forged, configs[variant], now=SIGNED_AT)
    assert compared, "a forgery was refused without compare_digest"
