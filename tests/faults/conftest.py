"""Fault suites reuse the provisioning fixtures (moto contexts, tiny artifacts) and the e2e local cloud.

Importing the e2e `local_cloud` fixture here gives the fault suites a local cloud of their own,
so killing and restarting it never disturbs another suite's deployed envs.
"""

from tests.e2e.conftest import local_cloud  # noqa: F401
from tests.provision.conftest import artifacts, new_context  # noqa: F401
