"""Hypothesis strategies for what a hostile or broken sender can put in headers, bodies and proxy events."""

from __future__ import annotations

import base64
import json
import string
from typing import Any

from hypothesis import strategies as st

from webhook_signatures import adyen, github, paypal, shopify, square, stripe

# Every header name any verifier reads, so random deliveries hit the parsers and not only "missing".
KNOWN_HEADERS = (
    stripe.HEADER, github.SIGNATURE, github.DELIVERY, github.EVENT, shopify.SIGNATURE, shopify.WEBHOOK_ID,
    shopify.TOPIC, square.SIGNATURE, adyen.PAYLOAD_HEADER, "webhook-id", "webhook-timestamp", "webhook-signature",
    "svix-id", "svix-timestamp", "svix-signature", paypal.TRANSMISSION_ID, paypal.TRANSMISSION_TIME,
    paypal.TRANSMISSION_SIG, paypal.CERT_URL, paypal.AUTH_ALGO, "Content-Type",
)
B64_ALPHABET = string.ascii_letters + string.digits + "+/=-_"
HEX_ALPHABET = "0123456789abcdefABCDEF"
# Characters str.isdigit() accepts that int() may or may not: superscripts, Arabic-Indic, full-width.
ODD_DIGITS = "0123456789²³¹⁰⁴١٢٣٤٥٦٧٨٩٠０１２３𝟘𝟙"
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udc80", "\udfff")


def _recase(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from((name, name.lower(), name.upper(), name.swapcase(), name.title()))


header_names = st.one_of(
    st.sampled_from(KNOWN_HEADERS).flatmap(_recase),
    st.text(min_size=1, max_size=20),
)

_digits = st.text(alphabet=ODD_DIGITS, min_size=1, max_size=14)
_signature_text = st.one_of(
    st.text(alphabet=B64_ALPHABET, max_size=90),
    st.text(alphabet=HEX_ALPHABET, max_size=70),
    st.binary(min_size=1, max_size=80).map(lambda raw: base64.b64encode(raw).decode()),
    st.binary(min_size=32, max_size=32).map(bytes.hex),
    st.text(max_size=40),
)


@st.composite
def stripe_like(draw: st.DrawFn) -> str:
    """t=…,v1=…,v0=… lists: many entries, malformed timestamps, stray separators."""
    entries = draw(st.lists(st.one_of(
        st.builds(lambda t: f"t={t}", st.one_of(_digits, st.text(max_size=14))),
        st.builds(lambda s: f"v1={s}", _signature_text),
        st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["v0", "t", "v1", "", "=", "T", "V1"]), st.text(max_size=10)),
        st.text(max_size=10),
    ), max_size=60))
    return draw(st.sampled_from([",", ", ", ",,", " ,"])).join(entries)


@st.composite
def standard_signature_like(draw: st.DrawFn) -> str:
    entries = draw(st.lists(st.builds(
        lambda version, value: f"{version},{value}",
        st.sampled_from(["v1", "v1a", "v2", "", "V1"]), _signature_text,
    ), max_size=40))
    return draw(st.sampled_from([" ", "  ", ",", "\t"])).join(entries)


@st.composite
def with_surrogate(draw: st.DrawFn) -> str:
    text = draw(st.text(max_size=20))
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(SURROGATES)) + text[at:]


header_values = st.one_of(
    st.just(""),
    st.sampled_from([" ", "\t", "\r\n", "\x00", "=", ",", "sha256=", "t=", "v1,", "SHA256withRSA"]),
    st.text(max_size=60),
    _digits,
    _signature_text,
    st.builds(lambda s: "sha256=" + s, _signature_text),
    stripe_like(),
    standard_signature_like(),
    with_surrogate(),
    st.integers(1_000, 70_000).map(lambda n: "A" * n),  # huge
    st.sampled_from([
        "https://api.paypal.com/v1/notifications/certs/CERT-1", "http://api.paypal.com/cert",
        "https://evil.example/cert.pem", "https://api.paypal.com:99999/x", "https://[::1/x", "file:///etc/passwd",
        "https://api.paypal.com/certs/a b", "https://api.paypal.com/certs/\u00e9", "https://api.paypal.com\\@evil.example/",
    ]),
)


@st.composite
def header_maps(draw: st.DrawFn) -> dict[str, str]:
    """Random headers, including the same name twice in different cases."""
    headers = draw(st.dictionaries(header_names, header_values, max_size=10))
    for name in draw(st.lists(st.sampled_from(KNOWN_HEADERS), max_size=3)):
        headers[name.upper()] = draw(header_values)
        headers[name.lower()] = draw(header_values)
    return headers


# --- bodies -----------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
    st.integers(10**30, 10**60),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)


@st.composite
def adyen_shaped(draw: st.DrawFn) -> Any:
    """Adyen notifications with missing fields, wrong types, additionalData that is not a dict."""
    def item() -> Any:
        fields = {
            "pspReference": json_values, "originalReference": json_values, "merchantAccountCode": json_values,
            "merchantReference": json_values, "eventCode": json_values, "success": json_values,
            "amount": st.one_of(json_values, st.fixed_dictionaries({}, optional={"value": json_values, "currency": json_values})),
            "additionalData": st.one_of(json_values, st.fixed_dictionaries({}, optional={"hmacSignature": st.one_of(json_values, _signature_text)})),
        }
        return draw(st.one_of(json_values, st.fixed_dictionaries({}, optional=fields)))

    entries = [draw(st.one_of(st.just({"NotificationRequestItem": item()}), json_values)) for _ in range(draw(st.integers(0, 4)))]
    return draw(st.sampled_from([
        {"live": "false", "notificationItems": entries},
        {"notificationItems": draw(json_values)},
        entries,
    ]))


json_documents = st.one_of(
    json_values,
    adyen_shaped(),
    st.fixed_dictionaries({}, optional={
        "id": json_values, "type": json_values, "event_id": json_values, "eventId": json_values,
        "event_type": json_values, "data": json_values,
    }),
)


def _dumps(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


bodies = st.one_of(
    st.just(b""),
    st.binary(max_size=300),
    st.binary(max_size=60).map(lambda raw: b"\xff\xfe\xc3(" + raw),  # invalid UTF-8
    json_documents.map(_dumps),
    json_documents.map(lambda doc: json.dumps(doc, ensure_ascii=False).encode("utf-16")),  # JSON, odd encoding
    st.integers(1, 200_000).map(lambda depth: b"[" * depth),  # deep nesting
    st.integers(1, 40_000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def oversized(limit: int) -> st.SearchStrategy[bytes]:
    """Bodies just under, at, and over a size limit."""
    return st.integers(-2, 2).map(lambda delta: b"{" + b" " * (limit + delta - 2) + b"}")


# --- API Gateway proxy events --------------------------------------------------------------------

anything = st.one_of(json_values, st.binary(max_size=20))
_provider_text = st.one_of(
    st.sampled_from(["stripe", "github", "shopify", "square", "adyen", "standardwebhooks", "svix", "paypal"]).flatmap(_recase),
    st.text(max_size=20),
)


@st.composite
def proxy_events(draw: st.DrawFn) -> Any:
    """What might reach the receiver: API Gateway-shaped events with garbage in every place, keys missing,
    and values of the wrong type."""
    event: dict[str, Any] = {}
    optional = {
        "resource": st.just("/webhook/{provider}"),
        "httpMethod": st.sampled_from(["POST", "GET", "", "PUT"]),
        "path": st.one_of(_provider_text.map(lambda p: "/webhook/" + p), st.text(max_size=30), st.none()),
        "pathParameters": st.one_of(
            st.none(), st.just({}),
            st.fixed_dictionaries({"provider": st.one_of(_provider_text, st.none())}),
            st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
            anything,
        ),
        "headers": st.one_of(st.none(), header_maps(), anything),
        "multiValueHeaders": st.one_of(
            st.none(), st.dictionaries(header_names, st.lists(header_values, max_size=3), max_size=5), anything,
        ),
        "body": st.one_of(
            st.none(), st.text(max_size=200), bodies.map(lambda raw: raw.decode("latin-1")),
            st.text(alphabet=B64_ALPHABET + "%!* ", max_size=80), st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()),
            anything,
        ),
        "isBase64Encoded": st.one_of(st.booleans(), st.none(), anything),
        "requestContext": st.one_of(st.none(), st.just({"identity": {"sourceIp": "203.0.113.9"}}), anything),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            event[key] = draw(strategy)
    return draw(st.one_of(st.just(event), st.just(event), st.just(event), anything))
