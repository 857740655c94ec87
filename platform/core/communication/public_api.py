"""The one-click unsubscribe link (RFC 8058): no login — the signed token is the proof.
``POST`` (what a mail client sends with ``List-Unsubscribe=One-Click``, or the page's
button) records the opt-out; ``GET`` shows the person a page to confirm it."""

from __future__ import annotations

from html import escape
from typing import Annotated

from litestar import Controller, MediaType, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from msgspec import Meta

from rapport.core.communication import optout
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
