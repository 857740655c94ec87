"""The sales pipeline: the workflow every deal moves through.

Every move is declared from ``'*'`` (any open stage) so that stages a tenant adds can be
left again by the declared moves (see docs/workflows.md, "Tenant stages"). Moving a deal
to the stage it is already in is refused rather than written into its history.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.deals.models import Deal
from rapport.core.workflows import (
    ANY_STATE,
    Condition,
    State,
    Transition,
    TransitionContext,
    Workflow,
)
from rapport.errors import conflict
from rapport.tenancy.principal import Principal

NAME = "deals.pipeline"
ENTITY = "deal"


def refuse_standing_still(ctx: TransitionContext) -> None:
    if ctx.from_state == ctx.to_state:
        raise conflict(
            f"The deal is already in stage {ctx.to_state!r}",
            current_state=ctx.from_state,
        )


async def deal_fields(
    session: AsyncSession, actor: Principal, deal_id: uuid.UUID
) -> Mapping[str, Any] | None:
    """The snapshot transition conditions read (None: no such deal in the caller's tenant)."""
    deal = (
        await session.execute(
            select(Deal).where(Deal.tenant_id == actor.tenant_id, Deal.id == deal_id,
                               Deal.deleted_at.is_(None))
        )
    ).scalar_one_or_none()
    return None if deal is None else snapshot(deal)


def snapshot(deal: Deal) -> dict[str, Any]:
    return {
        "title": deal.title,
        "amount": deal.amount,
        "currency": deal.currency,
        "probability": deal.probability,
        "expected_close_date": deal.expected_close_date,
        "contact_id": deal.contact_id,
        "owner_id": deal.owner_id,
    }


def _move(name: str, label: str, target: str, *conditions: Condition) -> Transition:
    return Transition(
        name, label, (ANY_STATE,), target, conditions=conditions, actions=(refuse_standing_still,)
    )


PIPELINE = Workflow(
    name=NAME,
    title="Sales pipeline",
    entity=ENTITY,
    states=(
        State("lead", "Lead"),
        State("qualified", "Qualified"),
        State("proposal", "Proposal"),
        State("negotiation", "Negotiation"),
        State("won", "Won", terminal=True),
        State("lost", "Lost", terminal=True),
    ),
    transitions=(
        _move("requalify", "Back to lead", "lead"),
        _move("qualify", "Qualify", "qualified"),
        _move("propose", "Send a proposal", "proposal"),
        _move("negotiate", "Negotiate", "negotiation"),
        # A won deal must say what it was worth: revenue reports sum won amounts.
        _move("win", "Mark won", "won", Condition("amount", "present")),
        _move("lose", "Mark lost", "lost"),
    ),
    initial="lead",
    allow_tenant_stages=True,
    load_fields=deal_fields,
)
