"""The request-path baseline: a minimal Litestar app over a raw psycopg pool, as
``rapport_app``, answering ``GET /api/v1/me``, ``GET /api/v1/contacts/{id}`` and
``GET /api/v1/contacts?limit=N`` with the same JSON as Rapport, and the retail till's
card view as the floor for ``bench.retail`` (the statements only, see ``card``).

Per request: the same JWT check (``read_access_token``), then one transaction with the
tenant set by ``set_config(…, true)`` in which the same principal query runs (the token's
session live, the membership accepted, the tenant's enabled modules), then the SQL that
produces the answer written by hand (one statement per endpoint, lists as JSON
aggregates). Pure functions that shape values (names, money, cursors) are Rapport's own,
so the two answer byte-for-byte alike (``bench.request_path`` checks it).

Served by uvicorn from an import string, so it runs with the same number of worker
processes as Rapport: ``uvicorn bench.baseline_app:app --workers N``. Reads
``BENCH_APP_DSN`` (libpq) and ``BENCH_SECRET_KEY``.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import psycopg
from litestar import Litestar, Request, Response, get
from litestar.exceptions import NotAuthorizedException, NotFoundException

from rapport.core.contacts import names
from rapport.core.contacts.render import send_window_out
from rapport.core.pagination import encode
from rapport.core.transactions import money
from rapport.tenancy.tokens import TokenInvalid, read_access_token

POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "10"))

PRINCIPAL = """
SELECT m.role, u.id, u.email, u.full_name, u.email_verified_at, t.id, t.slug, t.name,
       (SELECT coalesce(array_agg(tm.name), '{}'::varchar[]) FROM tenant_modules tm
         WHERE tm.tenant_id = %(t)s AND tm.enabled)
  FROM memberships m
  JOIN users u ON u.id = m.user_id
  JOIN tenants t ON t.id = m.tenant_id
  JOIN auth_sessions s ON s.tenant_id = m.tenant_id AND s.user_id = m.user_id
 WHERE m.tenant_id = %(t)s AND m.user_id = %(u)s AND m.accepted_at IS NOT NULL
   AND t.status = 'active' AND s.id = %(s)s AND s.revoked_at IS NULL
   AND s.expires_at > now()
   AND (u.sessions_revoked_before IS NULL OR s.created_at > u.sessions_revoked_before)
"""

# Every list a contact carries, as JSON aggregates of the contact's rows (``c``).
LISTS = """
  (SELECT coalesce(json_agg(json_build_object('address', e.address, 'primary', e.is_primary,
                                               'label', e.label)
                             ORDER BY e.is_primary DESC, e.id), '[]')
     FROM contact_emails e WHERE e.tenant_id = %(t)s AND e.contact_id = c.id) AS emails,
  (SELECT coalesce(json_agg(json_build_object('number', p.number, 'primary', p.is_primary,
                                               'label', p.label)
                             ORDER BY p.is_primary DESC, p.id), '[]')
     FROM contact_phones p WHERE p.tenant_id = %(t)s AND p.contact_id = c.id) AS phones,
  (SELECT coalesce(array_agg(g.tag ORDER BY g.tag), '{}')
     FROM contact_tags g WHERE g.tenant_id = %(t)s AND g.contact_id = c.id) AS tags
"""
CONTACT_COLUMNS = """c.id, c.honorific, c.given_name, c.patronymic, c.family_name,
  c.preferred_name, c.email, c.birthday, c.language, c.time_zone, c.window_start,
  c.window_end, c.window_days, c.addresses, c.owner_id, c.source,
  c.external_id, c.fields, c.created_at, c.updated_at"""
TENANT_DEFAULTS = """
  (SELECT default_locale FROM contact_settings WHERE tenant_id = %(t)s) AS default_locale,
  (SELECT count(*) FROM field_definitions WHERE tenant_id = %(t)s AND entity = 'contact')
    AS custom_fields
"""

CONTACT = f"""
SELECT {CONTACT_COLUMNS}, {LISTS}, {TENANT_DEFAULTS},
  (SELECT json_build_object('user_id', u.id, 'full_name', u.full_name, 'email', u.email,
                            'role', m.role)
     FROM users u JOIN memberships m ON m.user_id = u.id
    WHERE m.tenant_id = %(t)s AND u.id = c.owner_id LIMIT 1) AS owner,
  (SELECT coalesce(json_agg(json_build_object(
            'id', co.id, 'organization_id', o.id, 'organization_name', o.name,
            'role', co.role, 'title', co.title, 'since', co.since, 'until', co.until)
          ORDER BY co.until DESC NULLS FIRST, o.name_key), '[]')
     FROM contact_organizations co
     JOIN organizations o ON o.tenant_id = co.tenant_id AND o.id = co.organization_id
    WHERE co.tenant_id = %(t)s AND co.contact_id = c.id) AS organizations,
  (SELECT coalesce(json_agg(json_build_object(
            'id', x.id, 'title', x.title, 'due_at', x.due_at, 'assignee_id', x.assignee_id,
            'deal_id', x.deal_id)), '[]')
     FROM (SELECT * FROM tasks k
            WHERE k.tenant_id = %(t)s AND k.contact_id = c.id AND k.done_at IS NULL
            ORDER BY k.due_at ASC NULLS LAST, k.id LIMIT 20) x) AS open_tasks,
  (SELECT json_build_object('count', coalesce(max(x.total), 0),
            'last', coalesce(json_agg(json_build_object(
               'member_id', x.member_id, 'member_name', x.full_name, 'kind', x.kind,
               'subject', x.subject, 'occurred_at', x.occurred_at)
             ORDER BY x.occurred_at DESC, x.id DESC), '[]'))
     FROM (SELECT l.member_id, u.full_name, i.kind, i.subject, i.occurred_at, i.id, l.total
             FROM (SELECT DISTINCT ON (member_id) member_id, id, count(*) OVER () AS total
                     FROM interactions
                    WHERE tenant_id = %(t)s AND contact_id = c.id
                    ORDER BY member_id, occurred_at DESC, id DESC) l
             JOIN interactions i ON i.tenant_id = %(t)s AND i.id = l.id
             LEFT JOIN users u ON u.id = l.member_id) x) AS interactions,
  (SELECT coalesce(json_agg(json_build_object(
            'id', d.id, 'title', d.title, 'stage', d.stage, 'amount', d.amount::text,
            'currency', d.currency, 'expected_close_date', d.expected_close_date,
            'owner_id', d.owner_id)), '[]')
     FROM (SELECT * FROM deals d
            WHERE d.tenant_id = %(t)s AND d.contact_id = c.id
              AND d.stage NOT IN ('won', 'lost')
              AND d.stage NOT IN (SELECT key FROM workflow_stages
                                   WHERE tenant_id = %(t)s AND workflow = 'deals'
                                     AND terminal)
            ORDER BY d.id DESC LIMIT 20) d) AS open_deals,
  (SELECT json_build_object('rfm', a.rfm, 'r', a.r, 'f', a.f, 'm', a.m, 'abc', a.abc,
                            'xyz', a.xyz, 'clv', a.clv::text, 'currency', a.currency)
     FROM contact_analytics a
    WHERE a.tenant_id = %(t)s AND a.id = c.id) AS analytics
  FROM contacts c
 WHERE c.tenant_id = %(t)s AND c.id = %(id)s
"""

PAGE = f"""
SELECT {CONTACT_COLUMNS}, {LISTS}, {TENANT_DEFAULTS}
  FROM contacts c
 WHERE c.tenant_id = %(t)s
 ORDER BY c.id DESC
 LIMIT %(n)s
"""


class Pool:
    """The smallest fair pool: idle connections in a queue, opened once."""

    def __init__(self, dsn: str, size: int) -> None:
        self._dsn = dsn
        self._size = size
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self._size):
            self._idle.put_nowait(
                await psycopg.AsyncConnection.connect(self._dsn, prepare_threshold=None)
            )

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()

    @asynccontextmanager
    async def transaction(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID
    ) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        conn = await self._idle.get()
        try:
            async with conn.transaction():
                await conn.execute(
                    "SELECT set_config('rapport.tenant_id', %s, true),"
                    " set_config('rapport.user_id', %s, true)",
                    (str(tenant_id), str(user_id)),
                )
                yield conn
        finally:
            self._idle.put_nowait(conn)


@asynccontextmanager
async def pool_lifespan(app: Litestar) -> AsyncIterator[None]:
    pool = Pool(os.environ["BENCH_APP_DSN"], POOL_SIZE)
    await pool.open()
    app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


async def _principal(request: Request[Any, Any, Any], conn: Any, claims: Any) -> tuple[Any, ...]:
    row = await (
        await conn.execute(
            PRINCIPAL, {"t": claims.tenant_id, "u": claims.user_id, "s": claims.session_id}
        )
    ).fetchone()
    if row is None:
        raise NotAuthorizedException("The token is invalid or expired")
    return tuple(row)


def _claims(request: Request[Any, Any, Any]) -> Any:
    _, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        return read_access_token(os.environ["BENCH_SECRET_KEY"], token.strip())
    except TokenInvalid as exc:
        raise NotAuthorizedException("The token is invalid or expired") from exc


def _contact(row: dict[str, Any], default_locale: str | None) -> dict[str, Any]:
    phone = row["phones"][0]["number"] if row["phones"] else None
    values = {k: row[k] for k in ("given_name", "preferred_name", "family_name", "patronymic",
                                  "honorific")}
    shown = names.display_name(values, row["email"], phone)
    return {
        "id": row["id"],
        "display_name": shown,
        "salutation": names.salutation(values, row["language"] or default_locale, shown),
        "honorific": row["honorific"],
        "given_name": row["given_name"],
        "patronymic": row["patronymic"],
        "family_name": row["family_name"],
        "preferred_name": row["preferred_name"],
        "email": row["email"],
        "emails": row["emails"],
        "phones": row["phones"],
        "birthday": row["birthday"],
        "language": row["language"],
        "time_zone": row["time_zone"],
        "send_window": send_window_out(row["window_start"], row["window_end"],
                                       row["window_days"]),
        "addresses": row["addresses"] or [],
        "tags": row["tags"],
        "owner_id": row["owner_id"],
        "source": row["source"],
        "external_id": row["external_id"],
        # Custom fields would need their definitions rendered; the bench tenant has none.
        "fields": row["fields"] if row["custom_fields"] else {},
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _dict(cursor: Any, row: Any) -> dict[str, Any]:
    return {d.name: v for d, v in zip(cursor.description, row, strict=True)}


@get("/api/v1/me")
async def me(request: Request[Any, Any, Any]) -> dict[str, Any]:
    claims = _claims(request)
    async with request.app.state.pool.transaction(claims.tenant_id, claims.user_id) as conn:
        role, uid, email, full_name, verified, tid, slug, tname, _ = await _principal(
            request, conn, claims
        )
    return {
        "user": {"id": uid, "email": email, "full_name": full_name,
                 "email_verified": verified is not None},
        "tenant": {"id": tid, "slug": slug, "name": tname},
        "role": role,
    }


@get("/api/v1/contacts/{contact_id:uuid}")
async def contact(request: Request[Any, Any, Any], contact_id: uuid.UUID) -> dict[str, Any]:
    claims = _claims(request)
    async with request.app.state.pool.transaction(claims.tenant_id, claims.user_id) as conn:
        await _principal(request, conn, claims)
        cur = await conn.execute(CONTACT, {"t": claims.tenant_id, "id": contact_id})
        found = await cur.fetchone()
        if found is None:
            raise NotFoundException("contact not found")
        row = _dict(cur, found)
    out = _contact(row, row["default_locale"])
    owner = row["owner"]
    tasks = row["open_tasks"]
    interactions = row["interactions"]
    deals = [
        {**d, "amount": None if d["amount"] is None
         else money.as_text(Decimal(d["amount"]), d["currency"])}
        for d in row["open_deals"]
    ]
    out.update(
        owner=owner,
        organizations=row["organizations"],
        activity={
            "open_tasks": tasks,
            "last_interactions": interactions["last"],
            "interaction_count": interactions["count"],
            "open_deals": deals,
            "analytics": _analytics(row["analytics"] or {}),
        },
    )
    return out


def _analytics(value: dict[str, Any]) -> dict[str, Any]:
    rfm = None if value.get("rfm") is None else {
        "r": value["r"], "f": value["f"], "m": value["m"], "segment": value["rfm"]}
    return {"rfm": rfm, "abc": value.get("abc"), "xyz": value.get("xyz"),
            "clv": value.get("clv"), "currency": value.get("currency")}


@get("/api/v1/contacts")
async def contacts(request: Request[Any, Any, Any], limit: int = 50) -> dict[str, Any]:
    claims = _claims(request)
    async with request.app.state.pool.transaction(claims.tenant_id, claims.user_id) as conn:
        await _principal(request, conn, claims)
        cur = await conn.execute(PAGE, {"t": claims.tenant_id, "n": limit + 1})
        rows = [_dict(cur, r) for r in await cur.fetchall()]
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_contact(r, r["default_locale"]) for r in rows],
        "next_cursor": encode(rows[-1]["id"]) if more else None,
    }


# The till's card view (bench.retail): the same principal, then the plugin's one statement
# (``retail_card_scan``), its JSON sent on as it comes — no answer shaped from it, so this
# is the floor of any Litestar app that runs the request's statements.
SCAN = "SELECT retail_card_scan(%(t)s, %(number)s)::text"


@get("/api/v1/retail/till/cards/{number:str}", media_type="application/json")
async def card(request: Request[Any, Any, Any], number: str) -> Response[bytes]:
    claims = _claims(request)
    async with request.app.state.pool.transaction(claims.tenant_id, claims.user_id) as conn:
        await _principal(request, conn, claims)
        found = await (await conn.execute(SCAN, {"t": claims.tenant_id, "number": number})
                       ).fetchone()
    if found is None or found[0] is None:
        raise NotFoundException("Card not found")
    return Response(found[0].encode(), media_type="application/json")


app = Litestar([me, contact, contacts, card], lifespan=[pool_lifespan], debug=False,
               logging_config=None, openapi_config=None)
