"""What an env's desired state is built from besides its settings and names: where it goes and what it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from webhookctl.names import Names
from webhookctl.provision import policies
from webhookctl.provision.deployable_code import Artifacts


@dataclass(frozen=True)
class Deployment:
    account_id: str
    region: str
    partition: str
    artifacts: Artifacts | None  # None: code is not compared (down, status, outputs, export)
    reservations: dict[str, int | None]  # function key -> reserved concurrency, as preflight fitted it

    def arns(self, names: Names, *, kms_key_arn: Any, secret_arn: Any = None) -> policies.ResourceArns:
        """The env's ARNs; the key's (and the secret's) may be Refs, resolved at apply time."""
        return policies.ResourceArns.for_env(
            names, account_id=self.account_id, region=self.region, partition=self.partition, kms_key_arn=kms_key_arn, secret_arn=secret_arn
        )
