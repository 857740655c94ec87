"""When the request's transaction ends (``rapport.web.request_id``): a handler's writes are
committed before the answer starts (a failed commit is still the client's answer); what is
left open — a read's transaction — is rolled back once the answer is sent, so the client
does not wait for that round trip."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import event

from rapport.app import create_app
from tests.conftest import TenantHandle, make_settings


def _order(database: Any, method: str, path: str, headers: dict[str, str],
           **kw: Any) -> tuple[int, list[str]]:
    async def go() -> tuple[int, list[str]]:
        app = create_app(make_settings(), database.app_url)
        order: list[str] = []

        async def recording(scope: Any, receive: Any, send: Any) -> None:
            async def sent(message: Any) -> None:
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    order.append("answer sent")

            await app(scope, receive, sent)

        async with app.lifespan():
            engine = app.state.engine.sync_engine
            for name in ("commit", "rollback"):
                event.listen(engine, name, lambda conn, name=name: order.append(name.upper()))
            transport = httpx.ASGITransport(app=recording)
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://testserver") as client:
                r = await client.request(method, path, headers=headers, **kw)
        return r.status_code, order

    return asyncio.run(go())


def test_a_reads_transaction_is_rolled_back_after_the_answer(database, tenant: TenantHandle):
    status, order = _order(database, "GET", "/api/v1/me", tenant.headers)
    assert status == 200
    assert order == ["answer sent", "ROLLBACK"]


def test_writes_are_committed_before_the_answer(database, tenant: TenantHandle):
    status, order = _order(database, "POST", "/api/v1/contacts", tenant.headers,
                           json={"given_name": "Ordered"})
    assert status == 201
    assert order == ["COMMIT", "answer sent"]


def test_a_refused_request_is_rolled_back_after_its_answer(database, tenant: TenantHandle):
    status, order = _order(database, "POST", "/api/v1/contacts", tenant.headers,
                           json={"given_name": 12})
    assert status == 422
    assert order == ["answer sent", "ROLLBACK"]
