"""Settings → pipelines and stages: the organization's deal pipelines (add, rename,
reorder, delete — ``rapport.core.deals.pipelines``, the service of ``/api/v1/pipelines``;
one that still has deals is not deleted and the page says how many), then the stages of
each pipeline and of every module workflow that lets an organization shape its stages.
Rename any stage; add, reorder, mark closing and remove the organization's own stages.
Each save sends the complete list to ``workflows.stages.replace_stages`` — the service of
``PUT /api/v1/workflows/{name}/stages`` — so its rules hold: a built-in stage keeps its
place and whether it closes, a stage that records are in cannot be removed (409, said in
words), a refusal writes nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin.common import GUARDS, TABS
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.rendering import screen_response
from rapport.core.deals import pipelines as deal_pipelines
from rapport.core.workflows import Workflow
from rapport.core.workflows.stages import StageChange, effective_workflows, replace_stages
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal

PATH = "/settings/pipelines"
# Workflow titles as modules declare them, translated when shown.
TITLES = (N_("Sales pipeline"),)
_AT = re.compile(r"^stages\[(\d+)\]\.?(\w*)$")


def _rows(workflow: Workflow, declared: Workflow) -> list[dict[str, Any]]:
    base = {s.key: s for s in declared.states}
    return [{"key": s.key, "label": s.label, "terminal": s.terminal,
             "custom": s.key not in base,
             "renamed": s.key in base and s.label != base[s.key].label,
             "declared_label": base[s.key].label if s.key in base else None}
            for s in workflow.states]


async def _shaped(
    db: AsyncSession, principal: Principal, declared: Mapping[str, Workflow],
) -> tuple[dict[str, Workflow], list[dict[str, Any]], tuple[deal_pipelines.Pipeline, ...]]:
    """Every workflow whose stages the organization shapes: its deal pipelines in their
    order (each with its pipeline), then modules' workflows by name."""
    every = await deal_pipelines.list_pipelines(db, principal)
    definitions = await deal_pipelines.definitions(db, principal, declared)
    by_name = {w.name: w for w in await effective_workflows(db, principal, definitions)
               if w.allow_tenant_stages}
    taken = {p.workflow for p in every}
    ordered: list[tuple[Workflow, deal_pipelines.Pipeline | None]] = [
        *((by_name[p.workflow], p) for p in every if p.workflow in by_name),
        *((w, None) for name, w in by_name.items() if name not in taken),
    ]
    shaped = [{"workflow": w, "pipeline": p,
               "rows": _rows(w, declared.get(w.name, definitions[w.name]))}
              for w, p in ordered]
    return definitions, shaped, every


async def _page(
    request: Request, db: AsyncSession, principal: Principal,
    definitions: Mapping[str, Workflow], *, editing: str | None = None,
    errors: Sequence[tuple[str, str]] = (), values: Mapping[str, str] | None = None,
    refused: tuple[str, dict[str, Any]] | None = None, status: int = 200,
) -> Response[str]:
    _, shaped, every = await _shaped(db, principal, definitions)
    return screen_response(request, Screen("console/admin/pipelines.html",
                                           "Pipelines and stages", {
        "tabs": TABS, "here": PATH, "pipelines": shaped, "deal_pipelines": every,
        "editing": editing, "errors": list(errors), "values": values or {},
        "refused": refused,
        "done": request.query_params.get("done"),
        "done_in": request.query_params.get("workflow"),
    }, status=status))


@get(PATH, guards=GUARDS)
async def pipelines_page(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
) -> Response[str]:
    return await _page(request, db, principal, workflow_definitions)


def _changes(workflow: Workflow, declared: Workflow, form: Any) -> tuple[list[StageChange], str]:
    """The complete list the form describes, and what was done (for the notice): labels as
    typed, the organization's stages in their new order (``move=<key>:up|down``), without
    the one removed (``remove=<key>``), plus the new stage if one was typed."""
    base = {s.key for s in declared.states}
    order = [s.key for s in workflow.states]
    done = "saved"
    removed = str(form.get("remove", ""))
    if removed in order and removed not in base:
        order.remove(removed)
        done = "removed"
    key, _, way = str(form.get("move", "")).partition(":")
    if key in order and key not in base and way in ("up", "down"):
        i = order.index(key)
        j = i - 1 if way == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
            done = "moved"
    new_key = str(form.get("new_key", "")).strip()
    new_label = str(form.get("new_label", "")).strip()
    if new_key or new_label:
        order.append(new_key)
        done = "added"
    shown = {s.key: s.label for s in workflow.states}

    def label(k: str) -> str:
        # A move or removal posts no names: the stages keep the ones they have.
        return str(form.get(f"label.{k}", shown.get(k, ""))).strip()

    changes = []
    for position, k in enumerate(order):
        if k == new_key and k not in {s.key for s in workflow.states}:
            changes.append(StageChange(k, new_label, position,
                                       form.get("new_terminal") is not None))
        elif k in base:
            changes.append(StageChange(k, label(k)))
        else:
            terminal = (form.get(f"terminal.{k}") is not None if f"label.{k}" in form
                        else next(s.terminal for s in workflow.states if s.key == k))
            changes.append(StageChange(k, label(k), position, terminal))
    return changes, done


def _errors(exc: RapportError, changes: Sequence[StageChange]) -> list[tuple[str, str]]:
    """(stage key or "", message) of a refusal; ``stages[3].label`` names the fourth stage."""
    out = []
    for e in exc.errors:
        found = _AT.match(e.field)
        key = changes[int(found.group(1))].key if found and int(found.group(1)) < len(
            changes) else ""
        out.append((key, e.message))
    return out or [("", exc.detail)]


@post(PATH + "/{workflow:str}", guards=GUARDS, status_code=200)
async def save_stages(
    request: Request, workflow: FromPath[str], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], workflow_definitions: NamedDependency[Mapping[str, Any]],
) -> Response[str]:
    form = await request.form()
    definitions, shaped, _ = await _shaped(db, principal, workflow_definitions)
    current = next((item["workflow"] for item in shaped
                    if item["workflow"].name == workflow), None)
    if current is None:
        raise RapportError(detail="Pipeline not found", status=404, title="Not found")
    changes, done = _changes(current, definitions[workflow], form)
    try:
        async with db.begin_nested():
            await replace_stages(db, principal, definitions, workflow, changes)
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return await _page(request, db, principal, workflow_definitions, editing=workflow,
                           errors=_errors(exc, changes), values=values, status=exc.status)
    return redirect(request, f"{PATH}?done={done}&workflow={workflow}#wf-{workflow}")


# Refusals of the pipeline list said in words (the service's own name keys and counts).
STILL_HAS_DEALS = N_("“%(pipeline)s” still has deals (%(count)s); move them to another "
                     "pipeline first.")
DEFAULT_STAYS = N_("The first pipeline of every organization, “%(pipeline)s”, cannot be "
                   "deleted.")


def _pipeline_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@post(PATH, guards=GUARDS, status_code=200)
async def save_pipelines(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    workflow_definitions: NamedDependency[Mapping[str, Any]],
) -> Response[str]:
    """The pipeline list's form: ``new_pipeline`` adds one (at the end), ``move=<id>:up``
    or ``:down`` reorders, ``delete=<id>`` deletes, otherwise each ``pipeline.<id>`` name
    is saved."""
    form = await request.form()
    every = await deal_pipelines.list_pipelines(db, principal)
    done = "pipelines_saved"
    target: deal_pipelines.Pipeline | None = None
    try:
        async with db.begin_nested():
            moved_id, _, way = str(form.get("move", "")).partition(":")
            deleted = _pipeline_id(form.get("delete", ""))
            if str(form.get("new_pipeline", "")).strip():
                await deal_pipelines.create_pipeline(db, principal,
                                                     str(form["new_pipeline"]))
                done = "pipeline_added"
            elif deleted is not None:
                target = await deal_pipelines.get_pipeline(db, principal, deleted)
                await deal_pipelines.delete_pipeline(db, principal, deleted)
                done = "pipeline_deleted"
            elif (moved := _pipeline_id(moved_id)) is not None and way in ("up", "down"):
                target = await deal_pipelines.get_pipeline(db, principal, moved)
                at = [p.id for p in every].index(moved)
                await deal_pipelines.update_pipeline(
                    db, principal, moved, {"position": max(0, at - 1 if way == "up" else at + 1)})
                done = "pipeline_moved"
            else:
                for p in every:
                    label = str(form.get(f"pipeline.{p.id}", "")).strip()
                    if label and label != p.label:
                        target = p
                        await deal_pipelines.update_pipeline(db, principal, p.id,
                                                             {"label": label})
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        name = target.label if target is not None else ""
        refused: tuple[str, dict[str, Any]]
        if "deals" in exc.extra:
            refused = (STILL_HAS_DEALS, {"pipeline": name, "count": exc.extra["deals"]})
        elif target is not None and target.is_default and exc.status == 409:
            refused = (DEFAULT_STAYS, {"pipeline": name})
        else:
            refused = (next(iter(e.message for e in exc.errors), exc.detail), {})
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return await _page(request, db, principal, workflow_definitions, editing="pipelines",
                           values=values, refused=refused, status=exc.status)
    return redirect(request, f"{PATH}?done={done}#deal-pipelines")


PAGES = [pipelines_page, save_pipelines, save_stages]
