"""Per-tenant stages: rename a plugin's states, add the tenant's own.

Only for workflows declared with ``allow_tenant_stages=True``. The rule for added
stages: a stage ``key`` the tenant adds is reached by a generated transition
``move_to_<key>`` from every non-terminal state (no conditions; every role except
viewer), and leaves by the workflow's ``'*'`` transitions and the other generated
``move_to_`` transitions (none if the tenant marks it terminal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.workflows.definitions import ANY_STATE, KEY_PATTERN, State, Transition, Workflow
from rapport.core.workflows.models import StageOverride, WorkflowInstance
from rapport.errors import FieldError, conflict, invalid_many, not_found
from rapport.tenancy.principal import Principal

MOVE_PREFIX = "move_to_"
MAX_ADDED_STAGES = 50
MAX_LABEL = 100


@dataclass(frozen=True)
class StageChange:
    """One entry of a tenant's stage list: a declared state's label, or an added stage."""

    key: str
    label: str
    position: int | None = None
    terminal: bool | None = None


def move_transition(key: str) -> str:
    return MOVE_PREFIX + key


def declared_workflow(definitions: Mapping[str, Workflow], name: str) -> Workflow:
    workflow = definitions.get(name)
    if workflow is None:
        raise not_found(f"Workflow {name!r}")
    return workflow


def apply_overrides(base: Workflow, overrides: Sequence[StageOverride]) -> Workflow:
    """The workflow as this tenant sees it: renamed labels, added stages and their moves."""
    if not base.allow_tenant_stages or not overrides:
        return base
    declared = {s.key for s in base.states}
    taken = {t.name for t in base.transitions}
    labels = {o.key: o.label for o in overrides if o.key in declared}
    states = [replace(s, label=labels.get(s.key, s.label)) for s in base.states]
    # Skipped rather than breaking the workflow for the tenant: a rename of a state a newer
    # plugin version dropped (no position), and an added stage whose move name it claimed.
    added = [
        o for o in overrides
        if o.key not in declared and o.position is not None
        and move_transition(o.key) not in taken
    ]
    for o in sorted(added, key=lambda o: (o.position or 0, o.key)):
        states.insert(min(o.position or 0, len(states)), State(o.key, o.label, o.terminal))
    moves = tuple(
        Transition(move_transition(o.key), f"Move to {o.label}", (ANY_STATE,), o.key)
        for o in added
    )
    return replace(base, states=tuple(states), transitions=base.transitions + moves)


async def load_overrides(
    session: AsyncSession, actor: Principal, workflow: str, *, lock: str | None = None
) -> list[StageOverride]:
    """``lock="share"`` while firing, ``"update"`` while replacing: a fire into an added
    stage and the removal of that stage then wait for each other instead of racing."""
    query = select(StageOverride).where(
        StageOverride.tenant_id == actor.tenant_id, StageOverride.workflow == workflow
    )
    if lock is not None:
        query = query.with_for_update(read=lock == "share").execution_options(
            populate_existing=True
        )
    return list((await session.execute(query.order_by(StageOverride.key))).scalars())


async def effective_workflow(
    session: AsyncSession,
    actor: Principal,
    definitions: Mapping[str, Workflow],
    name: str,
    *,
    lock: str | None = None,
) -> Workflow:
    base = declared_workflow(definitions, name)
    if not base.allow_tenant_stages:
        return base
    return apply_overrides(base, await load_overrides(session, actor, name, lock=lock))


def _check_changes(base: Workflow, changes: Sequence[StageChange]) -> list[FieldError]:
    declared = {s.key: s for s in base.states}
    taken = {t.name for t in base.transitions}
    errors: list[FieldError] = []
    seen_keys: set[str] = set()
    seen_positions: set[int] = set()
    for i, c in enumerate(changes):
        at = f"stages[{i}]"
        if not KEY_PATTERN.match(c.key):
            errors.append(FieldError(f"{at}.key", f"must match {KEY_PATTERN.pattern}"))
        elif c.key in seen_keys:
            errors.append(FieldError(f"{at}.key", f"{c.key!r} is listed twice"))
        seen_keys.add(c.key)
        if not c.label.strip() or len(c.label.strip()) > MAX_LABEL:
            errors.append(FieldError(f"{at}.label", f"must be 1 to {MAX_LABEL} characters"))
        state = declared.get(c.key)
        if state is not None:
            if c.position is not None:
                errors.append(FieldError(f"{at}.position", "a declared stage keeps its place; "
                                         "only added stages take a position"))
            if c.terminal is not None and c.terminal != state.terminal:
                errors.append(FieldError(f"{at}.terminal",
                                         "cannot change whether a declared stage is terminal"))
            continue
        if move_transition(c.key) in taken:
            errors.append(FieldError(f"{at}.key", f"{move_transition(c.key)!r} is already a "
                                     "transition of this workflow; pick another key"))
        if c.position is not None:
            if c.position in seen_positions:
                errors.append(FieldError(f"{at}.position", f"{c.position} is used twice"))
            seen_positions.add(c.position)
    added = [c for c in changes if c.key not in declared]
    if len(added) > MAX_ADDED_STAGES:
        errors.append(FieldError("stages", f"at most {MAX_ADDED_STAGES} added stages"))
    return errors


def _final_positions(base: Workflow, changes: Sequence[StageChange]) -> dict[str, int]:
    """Each added stage's index in the merged list: explicit positions in ascending order,
    the rest appended in the order given, so storing the result reproduces the list."""
    declared = {s.key for s in base.states}
    order: list[str] = [s.key for s in base.states]
    added = [c for c in changes if c.key not in declared]
    placed = sorted((c for c in added if c.position is not None), key=lambda c: c.position or 0)
    for c in placed:
        order.insert(min(c.position or 0, len(order)), c.key)
    order.extend(c.key for c in added if c.position is None)
    return {key: order.index(key) for key in (c.key for c in added)}


async def replace_stages(
    session: AsyncSession,
    actor: Principal,
    definitions: Mapping[str, Workflow],
    name: str,
    changes: Sequence[StageChange],
) -> Workflow:
    """Make ``changes`` the tenant's complete customisation of workflow ``name``.

    Declared states left out get their plugin label back; added stages left out are
    removed, which is refused (409) while any record is in one of them.
    """
    actor.require_manager()
    base = declared_workflow(definitions, name)
    if not base.allow_tenant_stages:
        raise conflict(f"Workflow {name!r} does not allow tenants to rename or add stages")
    if errors := _check_changes(base, changes):
        raise invalid_many(errors)
    labels = {s.key: s.label for s in base.states}
    positions = _final_positions(base, changes)
    wanted = {
        c.key: (c.label.strip(), positions.get(c.key), bool(c.terminal) and c.key in positions)
        for c in changes
        # Renaming a declared state to its own label is no customisation: store nothing.
        if c.key in positions or c.label.strip() != labels[c.key]
    }
    current = {o.key: o for o in await load_overrides(session, actor, name, lock="update")}
    removed = [key for key in current if key not in wanted]
    # Checked under the row locks just taken: fires into these stages hold a share lock
    # on them, so every such fire has committed by now and no new one can start.
    added_removed = [k for k in removed if current[k].position is not None and k not in labels]
    await _refuse_occupied(session, actor, name, added_removed)
    for key in removed:
        await session.delete(current[key])
    for key, (label, position, terminal) in wanted.items():
        row = current.get(key)
        if row is None:
            session.add(StageOverride(tenant_id=actor.tenant_id, workflow=name, key=key,
                                      label=label, position=position, terminal=terminal))
        else:
            row.label, row.position, row.terminal = label, position, terminal
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        # Unique keys include tenant_id: only this tenant's concurrent edit can clash.
        raise conflict("The stages were changed at the same time by someone else; retry") from exc
    return apply_overrides(base, await load_overrides(session, actor, name))


async def _refuse_occupied(
    session: AsyncSession, actor: Principal, name: str, keys: list[str]
) -> None:
    if not keys:
        return
    rows = await session.execute(
        select(WorkflowInstance.state, func.count())
        .where(
            WorkflowInstance.tenant_id == actor.tenant_id,
            WorkflowInstance.workflow == name,
            WorkflowInstance.state.in_(keys),
        )
        .group_by(WorkflowInstance.state)
    )
    occupied = {state: count for state, count in rows.all()}
    if occupied:
        listed = ", ".join(f"{k!r} ({n} records)" for k, n in sorted(occupied.items()))
        raise conflict(
            f"Cannot remove stages that records are in: {listed}; move them first",
            occupied_stages=sorted(occupied),
        )


async def effective_workflows(
    session: AsyncSession, actor: Principal, definitions: Mapping[str, Workflow]
) -> list[Workflow]:
    """Every workflow visible to the tenant, customised, in name order (one query)."""
    names = [n for n, wf in definitions.items() if wf.allow_tenant_stages]
    by_workflow: dict[str, list[StageOverride]] = {}
    if names:
        rows = await session.execute(
            select(StageOverride)
            .where(StageOverride.tenant_id == actor.tenant_id, StageOverride.workflow.in_(names))
            .order_by(StageOverride.key)
        )
        for row in rows.scalars():
            by_workflow.setdefault(row.workflow, []).append(row)
    return [
        apply_overrides(definitions[name], by_workflow.get(name, []))
        for name in sorted(definitions)
    ]
