"""Security suites run against an env deployed on a local cloud of their own (the e2e fixtures, reused)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import LocalCloud, local_cloud  # noqa: F401

ENV = "sec"


@dataclass(frozen=True)
class SecuredEnv:
    cloud: LocalCloud
    env: str
    outputs: dict[str, str]
    up: subprocess.CompletedProcess  # the cold `up` that created the env (its output is checked for leaks too)

    def client(self, service: str) -> Any:
        return self.cloud.client(service)


@pytest.fixture(scope="session")
def secured_env(local_cloud: LocalCloud) -> SecuredEnv:  # noqa: F811
    """One env, deployed by a cold `webhookctl up` whose output is kept."""
    result = local_cloud.up(ENV)
    if result.returncode != 0:
        pytest.fail(f"webhookctl up --env {ENV} failed ({result.returncode}): {result.stderr[-2000:]}")
    outputs = json.loads(result.stdout)["outputs"]
    local_cloud.deployed[ENV] = outputs  # the e2e `deployed` cache stays coherent
    return SecuredEnv(local_cloud, ENV, outputs, result)
