"""moto's rule for the account an access key belongs to (so the local cloud answers as moto does)."""

from __future__ import annotations

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from

__all__ = ["DEFAULT_ACCOUNT_ID", "get_account_id_from"]
