"""HTTP doors of consent: a contact's current consents and history, recording a change,
the contact policy, and the may-contact answer outbound features ask for."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.consent import decision, service
from rapport.core.consent.schemas import (
    Channel,
    ConsentHistory,
    ConsentIn,
    ConsentOut,
    ConsentState,
    ContactPolicyIn,
    ContactPolicyOut,
    DecisionOut,
    FrequencyCap,
    Topic,
)
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal


def _cap(policy: service.Policy) -> FrequencyCap | None:
    cap = policy.cap
    return None if cap is None else FrequencyCap(cap["max"], cap["per_days"])


class ConsentController(Controller):
    path = "/api/v1/contacts/{contact_id:uuid}"
    tags = ["consent"]

    @get("/consent")
    async def get_consent(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ConsentState:
        """The latest word per channel and topic, do-not-contact and the frequency cap."""
        state = await service.current(db, principal, contact_id)
        return ConsentState(
            contact_id,
            state.policy.do_not_contact,
            _cap(state.policy),
            [ConsentOut.of(e) for e in state.latest],
        )

    @post("/consent", status_code=201)
    async def record_consent(
        self,
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[ConsentIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> ConsentOut:
        """Record an opt-in or opt-out with its source; the history keeps every one."""
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        event = await service.record_consent(db, principal, contact_id, values, hooks)
        return ConsentOut.of(event)

    @get("/consent/history")
    async def consent_history(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> ConsentHistory:
        """Every recorded opt-in and opt-out, most recently recorded first."""
        page = await service.history(db, principal, contact_id, cursor=cursor, limit=limit)
        return ConsentHistory([ConsentOut.of(e) for e in page.items], page.next_cursor)

    @put("/contact-policy")
    async def set_contact_policy(
        self,
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[ContactPolicyIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> ContactPolicyOut:
        """Replace do-not-contact and the frequency cap (``null``: no cap)."""
        cap = data.frequency_cap
        policy = service.Policy(
            data.do_not_contact,
            cap.max if cap is not None else None,
            cap.per_days if cap is not None else None,
        )
        saved = await service.set_policy(db, principal, contact_id, policy, hooks)
        return ContactPolicyOut(contact_id, saved.do_not_contact, _cap(saved))

    @get("/may-contact")
    async def may_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        channel: Annotated[Channel | None, QueryParameter(description="with topic")] = None,
        topic: Annotated[
            Topic | None, QueryParameter(max_length=64, description="with channel, e.g. offers")
        ] = None,
    ) -> DecisionOut:
        """Whether a message may go out now, and the reason (``do_not_contact``,
        ``opted_out``, ``no_consent``, ``frequency_cap``, ``opted_in`` or ``service``).
        Without channel and topic: whether the contact may be contacted at all
        (``do_not_contact`` or ``reachable``)."""
        answer = await decision.may_contact(db, principal, contact_id, channel, topic)
        return DecisionOut(answer.allowed, answer.reason, answer.detail)
