"""Cold start: X-Ray, cryptography and the CLI stay off a handler's import path.

The time itself is a benchmark (bench/cold_start.py), not a test."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.handlers.handler_loading import HANDLERS, LAYER

KEPT_OFF = ("aws_xray_sdk", "cryptography", "webhookctl", "moto")


def _import_script(package: str) -> str:
    # Lambda's Python runtime ships botocore but no pyOpenSSL. The test extra brings pyOpenSSL (with
    # paypalrestsdk), and botocore imports it, and so cryptography, wherever it is installed.
    return (f"import sys, json; sys.modules['OpenSSL'] = None; "
            f"sys.path[:0] = [{str(HANDLERS / package)!r}, {str(LAYER)!r}]; import handler; "
            f"print(json.dumps([m for m in {KEPT_OFF!r} if m in sys.modules]))")


@pytest.mark.parametrize("package", ["webhook_receiver", "payment_processor", "audit_logger"])
def test_handler_import_keeps_heavy_modules_off(package):
    done = subprocess.run([sys.executable, "-I", "-c", _import_script(package)], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) == []
