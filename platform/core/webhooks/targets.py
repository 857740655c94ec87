"""Where a webhook may point: an http(s) URL whose host does not resolve to a loopback,
private, link-local, multicast, reserved or unspecified address (SSRF), unless the operator
allows private targets with ``RAPPORT_WEBHOOKS_ALLOW_PRIVATE=1``. Checked when an endpoint
is saved and again before every attempt (a name may resolve elsewhere later)."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from urllib.parse import urlsplit

ALLOW_PRIVATE = "RAPPORT_WEBHOOKS_ALLOW_PRIVATE"


class TargetRefused(Exception):
    """``str()`` says why the URL may not be called."""


def private_allowed() -> bool:
    return os.environ.get(ALLOW_PRIVATE, "").lower() in ("1", "true", "yes")


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_loopback or address.is_private or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified)


def shape(url: str) -> tuple[str, int]:
    """The URL's host and port, or ``TargetRefused`` for anything but http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise TargetRefused("must not carry a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused("has an invalid port") from None
    return parts.hostname, port


async def check(url: str) -> None:
    """``TargetRefused`` when ``url`` is malformed, does not resolve, or resolves to an
    address not allowed."""
    host, port = shape(url)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"host {host} does not resolve") from exc
    if private_allowed():
        return
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if _forbidden(address):
            raise TargetRefused(
                f"resolves to {address}, a loopback, private or link-local address "
                f"(the operator may allow these with {ALLOW_PRIVATE}=1)")
