"""Links in sent messages, no login — the signed token is the proof. The one-click
unsubscribe link (RFC 8058): ``POST`` (what a mail client sends with
``List-Unsubscribe=One-Click``, or the page's button) records the opt-out; ``GET`` shows
the person a page to confirm it. The tracking links: the open pixel and the click
redirect (only to a URL that was in the message)."""

from __future__ import annotations

from html import escape
from typing import Annotated

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.response import Redirect
from msgspec import Meta

from rapport.core.communication import engagement, optout
from rapport.core.communication.schemas import UnsubscribeOut
from rapport.errors import ALSO_ANSWERS
from rapport.hooks import PluginRegistry
from rapport.settings import Settings

Token = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")]
PUBLIC = {"exclude_from_auth": True, ALSO_ANSWERS: (404,)}
PAGE = """<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe</title><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">
<h1>{org}</h1><p>{text}</p>{form}</body></html>"""


class UnsubscribeController(Controller):
    path = "/api/v1/unsubscribe"
    tags = ["communication"]

    @get("/{token:str}", media_type=MediaType.HTML, opt=PUBLIC)
    async def unsubscribe_page(
        self, token: FromPath[Token], request: Request,
        registry: NamedDependency[PluginRegistry],
    ) -> str:
        """A page asking the person to confirm (opening a link changes nothing: mail
        scanners open links too)."""
        settings: Settings = request.app.state.settings
        found = await optout.unsubscribe(request.app.state.sessionmaker, registry,
                                         settings.secret_key, token, apply=False)
        if found.already:
            text, form = f"You are unsubscribed from {found.topic} by {found.channel}.", ""
        else:
            text = f"Stop receiving {found.topic} by {found.channel}?"
            form = ('<form method="post"><input type="hidden" name="List-Unsubscribe" '
                    'value="One-Click"><button type="submit">Unsubscribe</button></form>')
        return PAGE.format(org=escape(found.organization), text=escape(text), form=form)

    @post("/{token:str}", status_code=200, opt=PUBLIC)
    async def unsubscribe_now(
        self, token: FromPath[Token], request: Request,
        registry: NamedDependency[PluginRegistry],
    ) -> UnsubscribeOut:
        """Record the opt-out for the message's channel and topic (once)."""
        settings: Settings = request.app.state.settings
        found = await optout.unsubscribe(request.app.state.sessionmaker, registry,
                                         settings.secret_key, token, apply=True)
        return UnsubscribeOut(found.channel, found.topic, True, found.already)


# A transparent 1x1 GIF.
PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01"
         b"\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
NO_STORE = {"Cache-Control": "no-store, private"}


class TrackingController(Controller):
    path = "/api/v1/track"
    tags = ["communication"]

    @get("/open/{token:str}", media_type="image/gif", opt=PUBLIC)
    async def track_open(
        self, token: FromPath[Token], request: Request,
        registry: NamedDependency[PluginRegistry],
    ) -> Response[bytes]:
        """The open pixel of an HTML letter: the message's first open is recorded on the
        contact's timeline; answers a transparent 1x1 GIF."""
        settings: Settings = request.app.state.settings
        await engagement.opened(request.app.state.sessionmaker, registry, settings.secret_key,
                                token)
        return Response(PIXEL, media_type="image/gif", headers=NO_STORE)

    @get("/click/{token:str}", status_code=302, opt=PUBLIC, responses={
        302: ResponseSpec(None, description="To the URL of the message the link stands for "
                          "(in Location)")})
    async def track_click(
        self, token: FromPath[Token], request: Request,
        registry: NamedDependency[PluginRegistry],
    ) -> Redirect:
        """A link of a sent message: counts the click (the first is recorded on the
        contact's timeline) and redirects to the message's own URL."""
        settings: Settings = request.app.state.settings
        found = await engagement.clicked(request.app.state.sessionmaker, registry,
                                         settings.secret_key, token)
        return Redirect(found.url, status_code=302, headers=NO_STORE)
