"""Provider name -> signature scheme; an explicit table, so a provider without a scheme cannot slip through."""

from __future__ import annotations

from webhook_signatures import adyen, github, paypal, shopify, square, standard_webhooks, stripe
from webhook_signatures.errors import UnknownProvider
from webhook_signatures.scheme import Scheme

SCHEMES: dict[str, Scheme] = {
    "stripe": stripe.SCHEME,
    "github": github.SCHEME,
    "shopify": shopify.SCHEME,
    "square": square.SCHEME,
    "adyen": adyen.SCHEME,
    "standardwebhooks": standard_webhooks.STANDARD_WEBHOOKS,
    "svix": standard_webhooks.SVIX,
    "paypal": paypal.SCHEME,
}

PROVIDERS: tuple[str, ...] = tuple(SCHEMES)


def scheme_for(provider: str) -> Scheme:
    try:
        return SCHEMES[provider]
    except (KeyError, TypeError):
        raise UnknownProvider(provider) from None
