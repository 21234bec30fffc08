"""The providers' official signature test vectors, vendored in tests/vectors/ (each entry names its source)."""

from __future__ import annotations

import json
import os
from pathlib import Path

VECTORS_FILE = Path(
    os.environ.get("WEBHOOKCTL_SIGNATURE_VECTORS") or Path(__file__).resolve().parent / "vectors" / "signatures.json"
)

# The design folder some checkouts have beside the repository; the vendored copy must match it.
SHARED_VECTORS_FILE = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors" / "signatures.json"


def load_vectors() -> list[dict]:
    return json.loads(VECTORS_FILE.read_text())["vectors"]
