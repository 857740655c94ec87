"""Federation peers in the console (owners and admins): the clinics on other deployments
we federate with — register one (inbound: we answer what to hand over; outbound: what the
other clinic gave us), rotate its addresses, remove it. Through the service behind
``/api/v1/medical/federation/peers``, with its input struct checking the forms."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen, Settings
from rapport_plugins.medical.console.forms import errors_of, go, parse, posted
from rapport_plugins.medical.federation import peers
from rapport_plugins.medical.schemas import PeerIn, PeerPatch

PEERS = "/apps/medical/federation"
DONE = ("added", "rotated", "removed", "forgotten")
# What each direction's form sends: an inbound peer's keys, an outbound peer's addresses.
FIELDS = {"inbound": ("jwks_url",), "outbound": ("client_id", "token_url", "fhir_base_url")}


async def _page(request: Request, db: AsyncSession, principal: Principal, settings: Settings,
                *, status: int = 200, **extra: Any) -> Screen:
    principal.require_manager()
    found = [peers.out(p, settings) for p in await peers.list_peers(db, principal)]
    return Screen("medical/federation.html", "Federation", {
        "peers": found, "done": next((k for k in DONE if request.query_params.get(k)), None),
        "added": request.query_params.get("added"), "values": {"direction": "inbound"},
        "errors": {}, "failed": None, **extra,
    }, status=status)


@get("/federation")
async def federation(request: Request, principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession],
                     settings: NamedDependency[Settings]) -> Screen:
    return await _page(request, db, principal, settings)


@post("/federation", status_code=200)
async def add_peer(request: Request, principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   settings: NamedDependency[Settings]) -> Screen | Response[Any]:
    """Register a peer; an inbound one's page shows what to give the other clinic."""
    form = await posted(request)
    direction = str(form.get("direction") or "")
    kept = {k: v for k, v in form.items()
            if k in ("name", "direction", *FIELDS.get(direction, ()))}
    try:
        peer = await peers.register(db, principal, parse(kept, PeerIn))
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _page(request, db, principal, settings, status=exc.status, values=form,
                           errors=errors_of(exc))
    return go(request, f"{PEERS}?added={peer.id}")


@post("/federation/{peer_id:uuid}/rotate", status_code=200)
async def rotate_peer(request: Request, peer_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      settings: NamedDependency[Settings]) -> Screen | Response[Any]:
    """Rename the peer or give its new addresses (blank fields stay as they are)."""
    form = await posted(request)
    try:
        await peers.update(db, principal, peer_id, parse(form, PeerPatch))
    except RapportError as exc:
        if exc.status not in (403, 422):
            raise
        return await _page(request, db, principal, settings, status=exc.status,
                           failed=(str(peer_id), errors_of(exc)))
    return go(request, PEERS + "?rotated=1")


@post("/federation/{peer_id:uuid}/remove", status_code=200)
async def remove_peer(request: Request, peer_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Response[Any]:
    """Stop federating: an inbound peer's consents end now, its tokens stop working; an
    outbound one is forgotten (the notice says which of the two happened)."""
    direction = (await peers.get(db, principal, peer_id)).direction
    await peers.remove(db, principal, peer_id)
    return go(request, PEERS + ("?removed=1" if direction == "inbound" else "?forgotten=1"))


PAGES = [federation, add_peer, rotate_peer, remove_peer]
