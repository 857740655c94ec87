"""An organization's deal pipelines ("New business", "Renewals", …), each a workflow.

The default pipeline (key ``default``) is the kernel's workflow ``deals.pipeline``; every
other pipeline ``<key>`` is the workflow ``deals.pipeline.<key>``: the same declared
stages and moves (so "won" means won in every pipeline and revenue reports add them up),
shaped per pipeline by the tenant's stage overrides — each pipeline renames and adds its
own stages (``rapport.core.workflows.stages``). ``definitions`` adds a tenant's pipeline
workflows to the plugin-declared ones; the engine then starts, fires and customises them
like any other workflow.

The default pipeline has no row until the organization renames or reorders its pipelines;
its id is derived from the tenant's, so it is stable either way. Pipelines are cached per
process like field definitions (a trigger raises the tenant's configuration version).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.deals import pipeline
from rapport.core.deals.models import Deal, DealPipeline
from rapport.core.workflows import Workflow
from rapport.core.workflows.models import StageOverride
from rapport.errors import conflict, invalid, not_found
from rapport.tenancy.config_cache import TenantConfigCache, written
from rapport.tenancy.principal import Principal

DEFAULT = "default"
DEFAULT_LABEL = pipeline.PIPELINE.title
PREFIX = pipeline.NAME + "."
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_PIPELINES = 50
MAX_LABEL = 100
ENTITY = "deal_pipeline"
_NAMESPACE = uuid.UUID("5d0f3c52-8a4e-4f57-9a55-0c1f1d5e2b61")


@dataclass(frozen=True)
class Pipeline:
    id: uuid.UUID
    key: str
    label: str
    position: int

    @property
    def workflow(self) -> str:
        return workflow_name(self.key)

    @property
    def is_default(self) -> bool:
        return self.key == DEFAULT


def workflow_name(key: str) -> str:
    return pipeline.NAME if key == DEFAULT else PREFIX + key


def default_id(tenant_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, str(tenant_id))


def _of(row: DealPipeline) -> Pipeline:
    return Pipeline(row.id, row.key, row.label, row.position)


async def _load(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[Pipeline, ...]:
    rows = (await session.execute(
        select(DealPipeline).where(DealPipeline.tenant_id == tenant_id)
        .order_by(DealPipeline.position, DealPipeline.key)
    )).scalars()
    found = [_of(r) for r in rows]
    if not any(p.is_default for p in found):
        # Never renamed nor reordered: first, under the kernel's name.
        found.insert(0, Pipeline(default_id(tenant_id), DEFAULT, DEFAULT_LABEL, -1))
    return tuple(found)


_PIPELINES: TenantConfigCache[tuple[Pipeline, ...]] = TenantConfigCache("deal_pipelines")


async def list_pipelines(session: AsyncSession, actor: Principal) -> tuple[Pipeline, ...]:
    """The organization's pipelines in their order, the default one included."""
    return await _PIPELINES.get(session, actor.tenant_id, None,
                                lambda: _load(session, actor.tenant_id))


async def get_pipeline(
    session: AsyncSession, actor: Principal, pipeline_id: uuid.UUID
) -> Pipeline:
    found = next((p for p in await list_pipelines(session, actor) if p.id == pipeline_id), None)
    if found is None:
        raise not_found("Pipeline")
    return found


async def by_key(session: AsyncSession, actor: Principal, key: str, field: str) -> Pipeline:
    """The pipeline a body or query names by key; unknown: 422 naming ``field``."""
    pipelines = await list_pipelines(session, actor)
    found = next((p for p in pipelines if p.key == key), None)
    if found is None:
        raise invalid(field, "must be one of " + ", ".join(p.key for p in pipelines))
    return found


async def definitions(
    session: AsyncSession, actor: Principal, declared: Mapping[str, Workflow]
) -> dict[str, Workflow]:
    """``declared`` plus a workflow per pipeline of the tenant (titled with its label)."""
    base = declared.get(pipeline.NAME)
    out = dict(declared)
    if base is None:
        return out
    for p in await list_pipelines(session, actor):
        out[p.workflow] = replace(base, name=p.workflow, title=p.label)
    return out


def _slug(label: str, taken: set[str]) -> str:
    """A key from a label: ASCII letters, digits and ``_``; ``pipeline_<n>`` if nothing is
    left (a label in Cyrillic) or the key is taken."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40]
    if not slug or not slug[0].isalpha():
        slug = ""
    if slug and slug not in taken:
        return slug
    n = 2
    while f"{slug or 'pipeline'}_{n}" in taken:
        n += 1
    return f"{slug or 'pipeline'}_{n}"[:40]


def _label(value: Any) -> str:
    label = " ".join(str(value or "").split())
    if not label or len(label) > MAX_LABEL:
        raise invalid("label", f"must be 1 to {MAX_LABEL} characters")
    return label


async def _rows(session: AsyncSession, actor: Principal) -> list[DealPipeline]:
    """Every pipeline row, locked, the default one written first if it had none: writes
    renumber positions, so concurrent ones queue here."""
    written(session)
    await session.execute(
        insert(DealPipeline)
        .values(tenant_id=actor.tenant_id, id=default_id(actor.tenant_id), key=DEFAULT,
                label=DEFAULT_LABEL, position=-1)
        .on_conflict_do_nothing(index_elements=["tenant_id", "key"])
    )
    return list((await session.execute(
        select(DealPipeline).where(DealPipeline.tenant_id == actor.tenant_id)
        .order_by(DealPipeline.position, DealPipeline.key)
        .with_for_update().execution_options(populate_existing=True)
    )).scalars())


def _renumber(rows: Sequence[DealPipeline]) -> None:
    for i, row in enumerate(rows):
        if row.position != i:
            row.position = i


def _place(rows: list[DealPipeline], row: DealPipeline, position: int | None) -> None:
    if row in rows:
        rows.remove(row)
    at = len(rows) if position is None else max(0, min(position, len(rows)))
    rows.insert(at, row)
    _renumber(rows)


async def create_pipeline(
    session: AsyncSession, actor: Principal, label: str, key: str | None = None,
    position: int | None = None,
) -> Pipeline:
    """Owners and admins: a new pipeline with the kernel's stages (rename or add its own)."""
    actor.require_manager()
    label = _label(label)
    rows = await _rows(session, actor)
    taken = {r.key for r in rows}
    if key is None:
        key = _slug(label, taken)
    elif not KEY.match(key):
        raise invalid("key", f"must match {KEY.pattern}")
    elif key in taken:
        raise conflict(f"A pipeline with key {key!r} exists already")
    if len(rows) >= MAX_PIPELINES:
        raise conflict(f"An organization has at most {MAX_PIPELINES} pipelines")
    row = DealPipeline(tenant_id=actor.tenant_id, key=key, label=label, position=len(rows))
    session.add(row)
    _place(rows, row, position)
    await session.flush()
    await audit.record(session, actor, audit.CREATE, ENTITY, row.id,
                       audit.diff({}, {"key": key, "label": label}))
    return _of(row)


async def update_pipeline(
    session: AsyncSession, actor: Principal, pipeline_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> Pipeline:
    """Rename (``label``) and/or move (``position``: its index in the list)."""
    actor.require_manager()
    await get_pipeline(session, actor, pipeline_id)  # 404 outside the tenant
    rows = await _rows(session, actor)
    row = next((r for r in rows if r.id == pipeline_id), None)
    if row is None:  # deleted meanwhile
        raise not_found("Pipeline")
    before = {"label": row.label, "position": rows.index(row)}
    if changes.get("label") is not None:
        row.label = _label(changes["label"])
    if changes.get("position") is not None:
        _place(rows, row, int(changes["position"]))
    else:
        _renumber(rows)
    await session.flush()
    after = {"label": row.label, "position": row.position}
    if changed := audit.diff(before, after):
        await audit.record(session, actor, audit.UPDATE, ENTITY, row.id, changed)
    return _of(row)


async def delete_pipeline(session: AsyncSession, actor: Principal, pipeline_id: uuid.UUID) -> None:
    """Refused (409) for the default pipeline and for one that still has deals (those in
    the trash count: restoring one needs its pipeline)."""
    actor.require_manager()
    found = await get_pipeline(session, actor, pipeline_id)
    if found.is_default:
        raise conflict("The default pipeline cannot be deleted")
    rows = await _rows(session, actor)
    row = next((r for r in rows if r.id == pipeline_id), None)
    if row is None:
        raise not_found("Pipeline")
    live, trashed = (await session.execute(
        select(func.count().filter(Deal.deleted_at.is_(None)),
               func.count().filter(Deal.deleted_at.is_not(None)))
        .where(Deal.tenant_id == actor.tenant_id, Deal.pipeline == row.key)
    )).one()
    if live or trashed:
        extra = f" ({trashed} of them in the trash)" if trashed else ""
        raise conflict(
            f"Pipeline {row.label!r} still has {live + trashed} deals{extra}; "
            "move them to another pipeline first", deals=live + trashed,
        )
    overrides = await session.execute(
        select(StageOverride).where(StageOverride.tenant_id == actor.tenant_id,
                                    StageOverride.workflow == row_workflow(row))
    )
    for override in overrides.scalars():
        await session.delete(override)
    rows.remove(row)
    await session.delete(row)
    _renumber(rows)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, ENTITY, pipeline_id,
                       audit.diff({"key": row.key, "label": row.label}, {}))


def row_workflow(row: DealPipeline) -> str:
    return workflow_name(row.key)


async def hold(session: AsyncSession, actor: Principal, key: str, field: str) -> None:
    """Share-lock the pipeline's row while a deal enters it, so a concurrent delete (which
    counts its deals under an update lock) waits and then sees the deal; 422 naming
    ``field`` if it was deleted meanwhile."""
    if key == DEFAULT:
        return  # never deleted
    found = await session.scalar(
        select(DealPipeline.id)
        .where(DealPipeline.tenant_id == actor.tenant_id, DealPipeline.key == key)
        .with_for_update(read=True)
    )
    if found is None:
        raise invalid(field, "no such pipeline")
