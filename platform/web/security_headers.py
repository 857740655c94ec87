"""Security headers on every HTTP answer: API JSON, problem documents, the docs pages.

Added in a Litestar ``before_send`` hook rather than a route middleware: route middleware
only wraps matched routes, so the router's own 404/405 answers and errors raised before a
route is found would go out bare; ``before_send`` wraps the ASGI ``send`` of the whole app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.types import Message, Scope

# For the JSON API, the docs pages under /schema (Swagger UI shipped with the package and
# started from a script file: rapport.web.api_docs) and the coming console (Jinja2 + htmx),
# every asset from our own origin.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        # Stripe's hosted Checkout and Customer Portal: billing's forms post to us and are
        # redirected there (a browser applies form-action to the redirect too).
        "form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
        "frame-ancestors 'none'",
    ]
)
# Two years, the preload list's minimum, once a deployment is known to be HTTPS-only.
HSTS = "max-age=63072000; includeSubDomains"

_COMMON: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    # no-referrer: console URLs carry record ids (a patient's, a customer's) and sometimes
    # one-time tokens; no other site needs to learn them. Our own pages do not rely on
    # Referer (CSRF is checked by token), so the stricter policy costs nothing.
    (b"referrer-policy", b"no-referrer"),
    # frame-ancestors in the CSP is the modern control; this is for browsers without it.
    (b"x-frame-options", b"DENY"),
)

BeforeSend = Callable[[Message, Scope], Awaitable[None]]


def security_headers(*, production: bool) -> BeforeSend:
    """A ``before_send`` hook adding the headers; HSTS only in ``production`` (a browser
    that saw it once refuses plain HTTP to the host for two years — wrong on a laptop)."""
    fixed = _COMMON + (((b"strict-transport-security", HSTS.encode()),) if production else ())

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        present = {name.lower() for name, _ in headers}
        # A handler that set its own value (a future page with a stricter policy) keeps it.
        for name, value in (*fixed, (b"content-security-policy", CSP.encode())):
            if name not in present:
                headers.append((name, value))
        message["headers"] = headers

    return add_headers
