"""DynamoDB Streams at botocore 1.44's account-based endpoints, for moto releases that only know the old host.

botocore 1.44 sends DynamoDB Streams calls to `https://{account}.streams-ddb.{region}.amazonaws.com`.
moto 5.2.5 matches only `streams.dynamodb.{region}.amazonaws.com`, so under `mock_aws` every Streams
call (DescribeStream, GetShardIterator, GetRecords) answers 404 "Not yet implemented". moto 5.2.6
added the pattern (upstream/streams_ddb_endpoints.md); this adds the same one where it is missing.
A server reached through an explicit endpoint URL routes by X-Amz-Target and never needed it.
"""

from __future__ import annotations

import re

# The pattern as moto 5.2.6 writes it, in dynamodbstreams/urls.py and backend_index.py.
ACCOUNT_BASED_URL = r"https?://(.+)\.streams-ddb\.(.+)\.amazonaws.com"


def knows_account_based_endpoints() -> bool:
    """moto already routes the account-based host to DynamoDB Streams."""
    from moto import backend_index
    from moto.dynamodbstreams import urls

    routed = any(service == "dynamodbstreams" and pattern.pattern == ACCOUNT_BASED_URL
                 for service, pattern in backend_index.backend_url_patterns)
    return routed and ACCOUNT_BASED_URL in urls.url_bases


def route_account_based_endpoints() -> bool:
    """Add the account-based host to moto's Streams routes, in place (idempotent); True when it was missing."""
    from moto import backend_index
    from moto.dynamodbstreams import urls

    if knows_account_based_endpoints():
        return False
    # In place: mock_aws, the botocore stubber and the server's dispatcher each hold these very lists.
    if ACCOUNT_BASED_URL not in urls.url_bases:
        urls.url_bases.append(ACCOUNT_BASED_URL)
    patterns = backend_index.backend_url_patterns
    if not any(pattern.pattern == ACCOUNT_BASED_URL for _, pattern in patterns):
        after_streams = max((i for i, (service, _) in enumerate(patterns) if service == "dynamodbstreams"),
                            default=len(patterns) - 1)
        patterns.insert(after_streams + 1, ("dynamodbstreams", re.compile(ACCOUNT_BASED_URL)))
    return True
