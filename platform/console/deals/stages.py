"""A pipeline as the board shows it: the tenant's stages of it (renamed and added ones
included), the transition that takes a deal to a chosen stage, and refusals in words a
person reads (the engine's own messages name transitions and fields). An organization has
several pipelines; screens show one at a time (``chosen``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.i18n import N_
from rapport.core.deals import pipelines
from rapport.core.deals import service as deals
from rapport.core.deals.models import Deal
from rapport.core.workflows import Workflow
from rapport.core.workflows.stages import effective_workflow
from rapport.errors import RapportError, conflict
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

# The pipeline's declared stages, translated when shown (a tenant's own names are shown as
# they wrote them).
STAGE_LABELS = (N_("Lead"), N_("Qualified"), N_("Proposal"), N_("Negotiation"), N_("Won"),
                N_("Lost"))
# The deal's fields as a refusal names them (a condition such as "amount present").
FIELD_LABELS = {
    "title": N_("the title"),
    "amount": N_("the amount"),
    "currency": N_("the currency"),
    "probability": N_("the probability"),
    "expected_close_date": N_("the expected close date"),
    "contact_id": N_("the customer"),
    "owner_id": N_("the owner"),
}


async def pipeline_of(
    db: AsyncSession, principal: Principal, definitions: Mapping[str, Any],
    key: str = pipelines.DEFAULT,
) -> Workflow:
    """The pipeline ``key``'s workflow as this organization shaped it."""
    defs = await pipelines.definitions(db, principal, definitions)
    return await effective_workflow(db, principal, defs, pipelines.workflow_name(key))


async def chosen(
    db: AsyncSession, principal: Principal, key: str | None
) -> tuple[pipelines.Pipeline, tuple[pipelines.Pipeline, ...]]:
    """The pipeline a screen shows (``key`` from its query string; the organization's
    first pipeline when none or an unknown one is asked for) and all of them, in order."""
    every = await pipelines.list_pipelines(db, principal)
    return next((p for p in every if p.key == key), every[0]), every


def targets(workflow: Workflow, current: str) -> list[tuple[str, str]]:
    """(key, label) of every stage a deal in ``current`` can be moved to."""
    return [(s.key, s.label) for s in workflow.states
            if s.key != current and transition_to(workflow, current, s.key)]


def transition_to(workflow: Workflow, current: str, target: str) -> str | None:
    """The transition that takes a deal from ``current`` to stage ``target``, if any."""
    state = workflow.state(current)
    for transition in workflow.transitions:
        if transition.target == target and transition.leaves(state):
            return transition.name
    return None


class Refused(Exception):
    """A move the pipeline refused, with a message for the person (``words`` % ``values``)."""

    def __init__(self, words: str, **values: str) -> None:
        super().__init__(words)
        self.words, self.values = words, values

    def shown(self, gettext: Any) -> str:
        """The message in the page's language (a stage or field label translated too)."""
        return str(gettext(self.words, **{k: gettext(v) for k, v in self.values.items()}))


def _refusal(exc: RapportError, deal: Deal, labels: Mapping[str, str], target: str) -> Refused:
    stage = labels.get(target, target)
    if exc.status == 403:
        return Refused(N_("Your role cannot move deals."))
    condition = str(exc.extra.get("condition") or "")
    if condition:
        field, _, rule = condition.partition(" ")
        if rule in ("present", "is present") and field in FIELD_LABELS:
            return Refused(N_("To move the deal to “%(stage)s”, fill in %(field)s first."),
                           stage=stage, field=FIELD_LABELS[field])
        return Refused(N_("The deal does not meet the condition of “%(stage)s”: %(rule)s."),
                       stage=stage, rule=condition)
    if deal.stage == target:
        return Refused(N_("The deal is already in “%(stage)s”."), stage=stage)
    return Refused(N_("A deal in “%(from)s” cannot move to “%(stage)s”."),
                   stage=stage, **{"from": labels.get(deal.stage, deal.stage)})


async def move_to_stage(
    db: AsyncSession,
    principal: Principal,
    definitions: Mapping[str, Any],
    hooks: TenantHooks,
    deal_id: uuid.UUID,
    target: str,
) -> Deal:
    """Move through the API's own service (``POST …/transitions/<name>``): the engine's
    guards decide; a refusal leaves nothing written and comes back as :class:`Refused`."""
    deal = await deals.get_deal(db, principal, deal_id)  # 404 outside the tenant
    workflow = await pipeline_of(db, principal, definitions, deal.pipeline)
    labels = {s.key: s.label for s in workflow.states}
    if target not in labels:
        raise Refused(N_("There is no such stage."))
    name = transition_to(workflow, deal.stage, target)
    try:
        if name is None:
            raise conflict("no transition", current_state=deal.stage)
        async with db.begin_nested():
            return await deals.move_deal(db, principal, definitions, deal_id, name, hooks)
    except RapportError as exc:
        if exc.status == 404:
            raise
        raise _refusal(exc, deal, labels, target) from exc
