"""What may reach a PayPal certificate fetcher: https, a PayPal host on port 443, a request line http.client can send."""

from __future__ import annotations

import http.client
import urllib.request


def assert_fetchable_paypal_url(url: str) -> None:
    # urllib.request splits URLs with its own parser: it must agree with the check on scheme, host and port.
    request = urllib.request.Request(url)
    assert request.type == "https", url
    host, _, port = request.host.rpartition(":") if ":" in request.host else (request.host, "", "")
    host = host.lower()
    assert host == "paypal.com" or host.endswith(".paypal.com"), url
    assert port in ("", "443") and "@" not in request.host, url
    # http.client raises ValueErrors of its own (InvalidURL, UnicodeEncodeError) for what it cannot send.
    connection = http.client.HTTPSConnection(request.host)
    try:
        connection.putrequest("GET", request.selector)
    finally:
        connection.close()
