"""Pruning keeps what Lambda imports and the SDK models the code calls, and drops the rest."""

from __future__ import annotations

from pathlib import Path

from webhookctl.packaging.layer_site import BASE_SERVICES
from webhookctl.packaging.pruning import prune_site

FILES = [
    "bin/jp.py",
    "boto3/__init__.py",
    "boto3/data/dynamodb/2012-08-10/resources-1.json",
    "boto3/data/ec2/2016-11-15/resources-1.json",
    "boto3/examples/s3.rst",
    "botocore/__init__.py",
    "botocore/__init__.pyi",
    "botocore/__pycache__/client.cpython-311.pyc",
    "botocore/docs/__init__.py",
    "botocore/docs/docstring.py",
    "botocore/data/endpoints.json",
    "botocore/data/partitions.json",
    "botocore/data/_retry.json",
    "botocore/data/sdk-default-configuration.json",
    "botocore/data/dynamodb/2012-08-10/service-2.json.gz",
    "botocore/data/secretsmanager/2017-10-17/service-2.json.gz",
    "botocore/data/ec2/2016-11-15/service-2.json.gz",
    "botocore/data/sagemaker/2017-07-24/service-2.json.gz",
    "botocore-1.0.dist-info/METADATA",
    "botocore-1.0.dist-info/RECORD",
    "botocore-1.0.dist-info/WHEEL",
    "botocore-1.0.dist-info/licenses/LICENSE",
    "aws_xray_sdk/core/recorder.py",
    "aws_xray_sdk/tests/test_recorder.py",
    "cryptography/py.typed",
    "cryptography/hazmat/bindings/_rust.abi3.so",
    "six.py",
]


def _site(root: Path) -> Path:
    for relative in FILES:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x" * 10)
    return root


def _remaining(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_prunes_clutter_and_unused_service_models(tmp_path: Path) -> None:
    site = _site(tmp_path / "python")
    stats = prune_site(site, BASE_SERVICES)
    assert _remaining(site) == {
        "boto3/__init__.py",
        "boto3/data/dynamodb/2012-08-10/resources-1.json",
        "botocore/__init__.py",
        "botocore/docs/__init__.py",  # a real package: botocore.client imports it
        "botocore/docs/docstring.py",
        "botocore/data/endpoints.json",
        "botocore/data/partitions.json",
        "botocore/data/_retry.json",
        "botocore/data/sdk-default-configuration.json",
        "botocore/data/dynamodb/2012-08-10/service-2.json.gz",
        "botocore/data/secretsmanager/2017-10-17/service-2.json.gz",
        "botocore-1.0.dist-info/METADATA",
        "botocore-1.0.dist-info/licenses/LICENSE",
        "aws_xray_sdk/core/recorder.py",
        "cryptography/hazmat/bindings/_rust.abi3.so",
        "six.py",
    }
    assert stats.files == len(FILES) - 16
    assert stats.bytes == stats.files * 10


def test_services_the_code_calls_are_kept(tmp_path: Path) -> None:
    site = _site(tmp_path / "python")
    prune_site(site, BASE_SERVICES | {"sagemaker"})
    assert "botocore/data/sagemaker/2017-07-24/service-2.json.gz" in _remaining(site)
    assert "botocore/data/ec2/2016-11-15/service-2.json.gz" not in _remaining(site)
