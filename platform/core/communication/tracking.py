"""Open and click tracking by signed links.

When a campaign tracks (the campaign's switch and the tenant's), the links of a rendered
message are rewritten before it leaves: each distinct ``http(s)`` URL in the body becomes
``/api/v1/track/click/TOKEN`` and the message keeps the list of its URLs, so a click link
can only lead to a URL that was in that very message (no open redirect). An HTML e-mail
also carries a 1x1 image, ``/api/v1/track/open/TOKEN``. The token names the tenant, the
message, what it tracks and the URL's index, under an HMAC with the deployment's secret
key; a changed byte is refused (422), as the unsubscribe link's is. The unsubscribe link
is never rewritten.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser

from rapport.errors import invalid

PURPOSE = b"rapport-tracking\x00"
MAC_BYTES = 16
OPEN, CLICK = b"o", b"c"
OPEN_PATH = "/api/v1/track/open/"
CLICK_PATH = "/api/v1/track/click/"
MAX_LINKS = 200
# A URL ends before white space, quotes, angle brackets; trailing punctuation is prose's.
URL = re.compile(r"https?://[^\s<>\"'`]+")
TRAILING = ".,;:!?)]}"
HTML = re.compile(r"<\s*(html|body|p|div|table|a|br|span|img|h[1-6])\b", re.IGNORECASE)
PIXEL = '<img src="{src}" width="1" height="1" alt="" style="display:none">'


@dataclass(frozen=True)
class TrackingToken:
    tenant_id: uuid.UUID
    message_id: uuid.UUID
    kind: bytes
    index: int


def _key(secret_key: str) -> bytes:
    return hashlib.sha256(PURPOSE + secret_key.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(secret_key: str, tenant_id: uuid.UUID, message_id: uuid.UUID, kind: bytes,
         index: int = 0) -> str:
    payload = tenant_id.bytes + message_id.bytes + kind + index.to_bytes(2, "big")
    mac = hmac.new(_key(secret_key), payload, hashlib.sha256).digest()[:MAC_BYTES]
    return _b64(payload + mac)


def verify(secret_key: str, token: str, kind: bytes) -> TrackingToken:
    """The token's tenant, message and URL index, or 422 on ``token`` when it was not
    signed here for this kind of link."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    payload, mac = raw[:35], raw[35:]
    expected = hmac.new(_key(secret_key), payload, hashlib.sha256).digest()[:MAC_BYTES]
    if (len(raw) != 35 + MAC_BYTES or not hmac.compare_digest(mac, expected)
            or payload[32:33] != kind):
        raise invalid("token", "not a tracking link of this service (altered or foreign)")
    return TrackingToken(uuid.UUID(bytes=payload[:16]), uuid.UUID(bytes=payload[16:32]),
                         kind, int.from_bytes(payload[33:35], "big"))


def _trim(found: str) -> str:
    while found and found[-1] in TRAILING:
        found = found[:-1]
    return found


def urls_in(body: str, keep: str | None = None) -> list[str]:
    """The distinct URLs of ``body`` in order of appearance (``keep`` — the unsubscribe
    link — left out), at most ``MAX_LINKS``."""
    seen: list[str] = []
    for match in URL.finditer(body):
        found = _trim(match.group(0))
        if found and found != keep and found not in seen:
            seen.append(found)
    return seen[:MAX_LINKS]


def is_html(body: str) -> bool:
    return HTML.search(body) is not None


class _Text(HTMLParser):
    """The words of an HTML body; a link's address follows its words in brackets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3"):
            self.parts.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href:
            self.parts.append(f" ({self.href})")
            self.href = None


def plain_text(html: str) -> str:
    """The words of an HTML body, for the text part beside it."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


@dataclass(frozen=True)
class Tracked:
    body: str
    html: str | None
    links: list[str]


def rewrite(base_url: str, secret_key: str, tenant_id: uuid.UUID, message_id: uuid.UUID,
            body: str, *, keep: str | None, pixel: bool) -> Tracked:
    """The body with its URLs turned into signed click links; for an HTML body the HTML
    (with the open pixel when ``pixel``) and a plain text beside it."""
    base = base_url.rstrip("/")
    links = urls_in(body, keep)
    index = {u: i for i, u in enumerate(links)}

    def swap(match: re.Match[str]) -> str:
        whole = match.group(0)
        found = _trim(whole)
        if found not in index:
            return whole
        token = sign(secret_key, tenant_id, message_id, CLICK, index[found])
        return base + CLICK_PATH + token + whole[len(found):]

    rewritten = URL.sub(swap, body)
    if not is_html(body):
        return Tracked(rewritten, None, links)
    html = rewritten
    if pixel:
        src = base + OPEN_PATH + sign(secret_key, tenant_id, message_id, OPEN)
        image = PIXEL.format(src=src)
        closing = re.search(r"</body\s*>", html, re.IGNORECASE)
        html = (html[:closing.start()] + image + html[closing.start():] if closing
                else html + image)
    return Tracked(plain_text(rewritten), html, links)


def untracked(body: str) -> Tracked:
    """A message that is not tracked: an HTML body still goes with a text part."""
    if is_html(body):
        return Tracked(plain_text(body), body, [])
    return Tracked(body, None, [])
