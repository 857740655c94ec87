"""Settings → pipelines and stages: every workflow that lets an organization shape its stages
(the sales pipeline, and modules' workflows that allow it). Rename any stage; add, reorder,
mark closing and remove the organization's own stages. Each save sends the complete list to
``workflows.stages.replace_stages`` — the service of ``PUT /api/v1/workflows/{name}/stages``
— so its rules hold: a built-in stage keeps its place and whether it closes, a stage that
records are in cannot be removed (409, said in words), a refusal writes nothing.

Rapport has one deal pipeline (``deals.pipeline``); several pipelines per organization are
not in the kernel yet, so this page edits the stages of the pipelines that exist."""

from __future__ import annotations

import re
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


async def _page(
    request: Request, db: AsyncSession, principal: Principal,
    definitions: Mapping[str, Workflow], *, editing: str | None = None,
    errors: Sequence[tuple[str, str]] = (), values: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    shaped = [w for w in await effective_workflows(db, principal, definitions)
              if w.allow_tenant_stages]
    pipelines = [{"workflow": w, "rows": _rows(w, definitions[w.name])} for w in shaped]
    return screen_response(request, Screen("console/admin/pipelines.html",
                                           "Pipelines and stages", {
        "tabs": TABS, "here": PATH, "pipelines": pipelines, "editing": editing,
        "errors": list(errors), "values": values or {},
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
    current = next((w for w in await effective_workflows(db, principal, workflow_definitions)
                    if w.name == workflow and w.allow_tenant_stages), None)
    if current is None:
        raise RapportError(detail="Pipeline not found", status=404, title="Not found")
    changes, done = _changes(current, workflow_definitions[workflow], form)
    try:
        async with db.begin_nested():
            await replace_stages(db, principal, workflow_definitions, workflow, changes)
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return await _page(request, db, principal, workflow_definitions, editing=workflow,
                           errors=_errors(exc, changes), values=values, status=exc.status)
    return redirect(request, f"{PATH}?done={done}&workflow={workflow}#wf-{workflow}")


PAGES = [pipelines_page, save_stages]
