"""Every import must resolve to the stdlib, the function's own code, or the layer."""

from __future__ import annotations

from pathlib import Path

from webhookctl.packaging.import_check import CodeFolder, check_imports
from webhookctl.packaging.module_index import ModuleIndex

LAYER = ModuleIndex(
    [
        "boto3/__init__.py",
        "botocore/exceptions.py",
        "cryptography/hazmat/bindings/_rust.abi3.so",
        "wrapt/_wrappers.cpython-311-aarch64-linux-gnu.so",
        "six.py",
        "webhook_tools/__init__.py",
        "webhook_tools/tracing.py",
    ]
)


def _function(tmp_path: Path, package: str, files: dict[str, str]) -> tuple[CodeFolder, ModuleIndex]:
    root = tmp_path / package
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return CodeFolder(package, root, in_layer=False), ModuleIndex(files)


def _shared(tmp_path: Path, tracing: str) -> dict[str, CodeFolder]:
    root = tmp_path / "layer" / "webhook_tools"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "tracing.py").write_text(tracing)
    return {"webhook_tools": CodeFolder("webhook_tools", root, in_layer=True)}


def test_stdlib_own_code_and_layer_imports_resolve(tmp_path: Path) -> None:
    receiver = _function(
        tmp_path,
        "webhook_receiver",
        {
            "handler.py": "import json, hmac\nimport boto3\nfrom botocore.exceptions import ClientError\n"
            "from receive import go\nfrom .receive import go\nimport six\n"
            "from cryptography.hazmat.bindings._rust import x\nimport wrapt._wrappers\n",
            "receive.py": "from __future__ import annotations\nimport zoneinfo\ndef go(): ...\n",
        },
    )
    check = check_imports({"receiver": receiver}, {}, LAYER, "layer/requirements.txt")
    assert check.ok and check.missing == ()


def test_missing_third_party_module_names_the_module_handler_and_fix(tmp_path: Path) -> None:
    receiver = _function(tmp_path, "webhook_receiver", {"handler.py": "import json\n\ndef handler(e, c):\n    from aws_xray_sdk.core import xray_recorder\n"})
    check = check_imports({"receiver": receiver}, {}, LAYER, "layer/requirements.txt")
    assert not check.ok
    [missing] = check.missing
    assert (missing.module, missing.imported_by, missing.line, missing.functions) == ("aws_xray_sdk", "webhook_receiver/handler.py", 4, ("receiver",))
    assert missing.fix == "add aws-xray-sdk to layer/requirements.txt"
    assert "webhook_receiver/handler.py:4" in missing.sentence()


def test_missing_module_reached_through_a_shared_layer_package(tmp_path: Path) -> None:
    shared = _shared(tmp_path, "def name():\n    import aws_xray_sdk.core\n")
    processor = _function(tmp_path, "payment_processor", {"handler.py": "from webhook_tools import tracing\n"})
    audit = _function(tmp_path, "audit_logger", {"handler.py": "import json\n"})
    check = check_imports({"processor": processor, "audit": audit}, shared, LAYER, "reqs.txt")
    [missing] = check.missing
    assert (missing.module, missing.imported_by, missing.functions) == ("aws_xray_sdk", "webhook_tools/tracing.py", ("processor",))


def test_shared_package_nothing_imports_is_still_checked(tmp_path: Path) -> None:
    shared = _shared(tmp_path, "import yaml\n")
    audit = _function(tmp_path, "audit_logger", {"handler.py": "import json\n"})
    [missing] = check_imports({"audit": audit}, shared, LAYER, "reqs.txt").missing
    assert (missing.module, missing.functions, missing.fix) == ("yaml", (), "add PyYAML to reqs.txt")


def test_function_code_cannot_lean_on_another_functions_modules(tmp_path: Path) -> None:
    receiver = _function(tmp_path, "webhook_receiver", {"handler.py": "import event_store\n", "event_store.py": ""})
    processor = _function(tmp_path, "payment_processor", {"handler.py": "import event_store\n"})
    [missing] = check_imports({"receiver": receiver, "processor": processor}, {}, LAYER, "r.txt").missing
    assert (missing.module, missing.functions) == ("event_store", ("processor",))


def test_missing_submodule_of_a_present_package_is_reported(tmp_path: Path) -> None:
    receiver = _function(tmp_path, "webhook_receiver", {"handler.py": "import botocore.docs.docstring\n"})
    [missing] = check_imports({"receiver": receiver}, {}, LAYER, "r.txt").missing
    assert missing.module == "botocore.docs.docstring"
    assert "although 'botocore' is" in missing.fix
