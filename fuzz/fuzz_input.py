"""What the atheris harnesses share: import paths, signing material, and fuzzer bytes -> a delivery.

The harnesses run by hand (see README.md); nothing here is imported by the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYER = REPO / "layer"
RECEIVER = REPO / "handlers" / "webhook_receiver"
SIGNED_AT = 1_700_000_000  # verifications pin `now` here, so signed timestamps are always fresh


def use_repo_sources() -> None:
    """Import the layer and the receiver from this checkout (not from an installed copy)."""
    for path in (str(RECEIVER), str(LAYER)):
        if path not in sys.path:
            sys.path.insert(0, path)


def delivery_from(fdp, header_names: tuple[str, ...]) -> tuple[dict[str, str], bytes]:
    """Headers (mostly ones the verifiers read, any case, any text) and the remaining bytes as the body."""
    headers: dict[str, str] = {}
    for _ in range(fdp.ConsumeIntInRange(0, 6)):
        name = fdp.PickValueInList(list(header_names)) if fdp.ConsumeBool() else fdp.ConsumeUnicode(12)
        if fdp.ConsumeBool():
            name = name.upper()
        headers[name] = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 300))
    return headers, fdp.ConsumeBytes(fdp.remaining_bytes())


def mutated(fdp, headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    """A signed delivery changed by the fuzzer: a body byte flipped, a header rewritten or dropped."""
    headers = dict(headers)
    choice = fdp.ConsumeIntInRange(0, 2)
    if choice == 0 and body:
        index = fdp.ConsumeIntInRange(0, len(body) - 1)
        body = body[:index] + bytes([body[index] ^ fdp.ConsumeIntInRange(1, 255)]) + body[index + 1:]
    elif choice == 1 and headers:
        name = fdp.PickValueInList(sorted(headers))
        headers[name] = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 120))
    elif headers:
        del headers[fdp.PickValueInList(sorted(headers))]
    return headers, body
