"""The layer package imports only the stdlib; cryptography loads only on the paths that need it."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_and_hmac_verification_load_no_third_party_module():
    out = _run("""
        import sys, json
        loaded_at_startup = set(sys.modules)  # site hooks (.pth files) may load packages before us
        import webhook_signatures as ws
        from webhook_signatures import material
        config = ws.ProviderConfig(secrets=("whsec_abcdefghijk",))
        signed = ws.sign("stripe", b'{"id": "evt_1"}', config)
        ws.verify("stripe", signed.headers, signed.body, config)
        sw = ws.ProviderConfig(secrets=(material.generate("standardwebhooks")["secrets"][0],))
        signed = ws.sign("standardwebhooks", b'{"type": "x"}', sw)
        ws.verify("standardwebhooks", signed.headers, signed.body, sw)
        stdlib = set(sys.stdlib_module_names)
        ours = set(sys.modules) - loaded_at_startup
        print(sorted({m.split(".")[0] for m in ours} - stdlib - {"webhook_signatures"}))
    """)
    assert out == "[]"


def test_paypal_loads_cryptography_lazily():
    out = _run("""
        import sys
        import webhook_signatures as ws
        from webhook_signatures import material
        before = "cryptography" in sys.modules
        entry = material.generate("paypal")
        print(before, "cryptography" in sys.modules)
    """)
    assert out == "False True"
