"""Per-partition DNS names of AWS services, from botocore's endpoint data (not a hard-coded suffix).

In China the service principal of CloudWatch Logs, the kms:ViaService values and the
execute-api host end in amazonaws.com.cn (botocore's endpoints.json, partition aws-cn).
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def dns_suffix(partition: str) -> str:
    """The partition's DNS suffix, e.g. amazonaws.com (aws, aws-us-gov) or amazonaws.com.cn (aws-cn)."""
    import botocore.loaders

    if partition == "${AWS::Partition}":  # a CloudFormation template (export): its own pseudo parameter
        return "${AWS::URLSuffix}"
    for known in botocore.loaders.create_loader().load_data("endpoints")["partitions"]:
        if known["partition"] == partition:
            return known["dnsSuffix"]
    raise ValueError(f"botocore knows no AWS partition named {partition!r}")


def regional_service(service: str, region: str, partition: str) -> str:
    """A regional service name: the principal of logs, or a kms:ViaService value (e.g. sqs.cn-north-1.amazonaws.com.cn)."""
    return f"{service}.{region}.{dns_suffix(partition)}"
