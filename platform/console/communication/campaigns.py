"""Campaign screens over ``rapport.core.communication``: the list with progress and (for
owners and admins) the organisation's tracking switch and contacts' default time zone,
the wizard (template, audience — a segment or a definition —, cap, tracking, each
contact's window), a campaign's page with the audience count and its exclusions
explained, schedule and cancel, progress, results (delivered, opened, clicked, bounced,
unsubscribed) and messages with their attempts; and the member's own subscriptions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.preferences import time_zones
from rapport.core.communication import campaigns as service
from rapport.core.communication import subscriptions, templates
from rapport.core.communication.audience import audience_condition, explain
from rapport.core.communication.schemas import CapIn
from rapport.core.contacts import preferences
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.segments.models import Segment
from rapport.core.segments.service import vocabulary
from rapport.errors import RapportError, invalid
from rapport.hooks import PluginRegistry, Screen
from rapport.tenancy.principal import Principal

TITLE, NEW, SUBSCRIPTIONS = N_("Campaigns"), N_("New campaign"), N_("My subscriptions")
# Campaign and message states, shown translated.
STATES = (N_("draft"), N_("scheduled"), N_("sending"), N_("sent"), N_("cancelled"),
          N_("failed"), N_("bounced"))
REASONS = {
    "do_not_contact": N_("marked do-not-contact"),
    "opted_out": N_("opted out of this channel"),
    "no_consent": N_("no opt-in for this topic on this channel"),
    "frequency_cap": N_("their own frequency cap reached"),
    "no_address": N_("no address on this channel"),
    "campaign_cap": N_("the campaign's frequency cap reached"),
    "retrying": N_("refused for now; tried again later"),
}


async def _choices(db: AsyncSession, principal: Principal) -> dict[str, Any]:
    page = await templates.list_templates(db, principal, cursor=None, limit=200)
    segments = (await db.execute(select(Segment.id, Segment.name).where(
        Segment.tenant_id == principal.tenant_id).order_by(Segment.name))).all()
    return {"templates": [(t.id, f"{t.name} ({t.channel}, {t.language})") for t in page.items],
            "segments": [(s.id, s.name) for s in segments]}


def _wizard_values(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    shown = {k: (form.get(k) or "").strip() for k in
             ("name", "template_id", "segment_id", "definition", "cap_max", "cap_days")}
    data: dict[str, Any] = {"name": shown["name"], "segment_id": None, "definition": None}
    if not shown["name"]:
        raise invalid("name", "Give the campaign a name")
    try:
        data["template_id"] = uuid.UUID(shown["template_id"])
    except ValueError:
        raise invalid("template_id", "Choose a template") from None
    if shown["segment_id"]:
        data["segment_id"] = uuid.UUID(shown["segment_id"])
    elif shown["definition"]:
        try:
            data["definition"] = json.loads(shown["definition"])
        except json.JSONDecodeError as exc:
            raise invalid("definition", f"Not valid JSON: {exc.msg}") from None
    # Checkboxes: a box left unticked is not in the form at all.
    data["tracking"] = shown["tracking"] = bool(form.get("tracking"))
    data["in_contact_window"] = shown["in_contact_window"] = bool(form.get("in_contact_window"))
    if shown["cap_max"] or shown["cap_days"]:
        try:
            data["frequency_cap"] = CapIn(int(shown["cap_max"]), int(shown["cap_days"]))
        except ValueError:
            raise invalid("cap_max", "Give both numbers of the cap") from None
    return shown, data


@get("/campaigns")
async def campaign_list(principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession],
                        saved: FromQuery[bool] = False) -> Screen:
    page = await service.list_campaigns(db, principal, cursor=None, limit=200)
    progress = await service.progress(db, principal, [c.id for c in page.items])
    return Screen("console/communication/campaigns.html", TITLE,
                  {"campaigns": page.items, "progress": progress,
                   "settings": await preferences.defaults(db, principal),
                   "zones": time_zones(), "saved": saved})


@post("/campaigns/settings", status_code=200)
async def save_campaign_settings(request: Request, principal: NamedDependency[Principal],
                                 db: NamedDependency[AsyncSession]) -> Any:
    """The organisation's tracking switch and contacts' default zone (owners and admins);
    the other contact defaults stay as they are."""
    form = await request.form()
    now = await preferences.defaults(db, principal)
    await preferences.save(db, principal, now.phone_region, now.default_locale,
                           str(form.get("time_zone") or "") or None,
                           bool(form.get("tracking")))
    return redirect(request, "/campaigns?saved=true")


@get("/campaigns/new")
async def new_campaign(principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    principal.require_writer()
    return Screen("console/communication/campaign_form.html", NEW,
                  {"values": {"tracking": True}, "errors": {},
                   **await _choices(db, principal)})


@post("/campaigns/new", status_code=200)
async def create_campaign(request: Request, principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession],
                          plugin_fields: NamedDependency[Sequence[FieldDefinition]],
                          registry: NamedDependency[PluginRegistry]) -> Any:
    form = await request.form()
    shown: dict[str, Any] = {k: form.get(k) or "" for k in form}
    try:
        shown, data = _wizard_values(form)
        words = await vocabulary(db, principal, plugin_fields, registry)
        async with db.begin_nested():
            made = await service.create_campaign(db, principal, words, data)
    except RapportError as exc:
        if exc.status == 403:
            raise
        errors = {("definition" if k.startswith("definition") else k): v
                  for k, v in field_errors(exc).items()}
        return Screen("console/communication/campaign_form.html", NEW,
                      {"values": shown, "errors": errors, **await _choices(db, principal)},
                      status=exc.status)
    return redirect(request, f"/campaigns/{made.id}")


@get("/campaigns/{campaign_id:uuid}")
async def campaign_page(campaign_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession],
                        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
                        registry: NamedDependency[PluginRegistry]) -> Screen:
    campaign = await service.get_campaign(db, principal, campaign_id)
    template = await service.template_of(db, principal, campaign)
    audience, problem = None, None
    if campaign.status == "draft":
        try:
            words = await vocabulary(db, principal, plugin_fields, registry)
            condition = await audience_condition(db, principal, words, {
                "segment_id": campaign.segment_id, "definition": campaign.definition})
            cap = ((campaign.cap_max, campaign.cap_days)
                   if campaign.cap_max is not None and campaign.cap_days is not None else None)
            audience = await explain(db, principal, condition, template.channel,
                                     template.topic, cap)
        except RapportError as exc:
            problem = exc.detail
    progress = (await service.progress(db, principal, [campaign.id]))[campaign.id]
    stats = (await service.stats(db, principal, [campaign.id]))[campaign.id]
    messages = await service.messages(db, principal, campaign.id, status=None, cursor=None,
                                      limit=100)
    return Screen("console/communication/campaign.html", campaign.name, {
        "campaign": campaign, "template": template, "audience": audience,
        "problem": problem, "progress": progress, "stats": stats,
        "messages": messages.items, "reasons": REASONS})


@post("/campaigns/{campaign_id:uuid}/schedule", status_code=200)
async def schedule_campaign(request: Request, campaign_id: FromPath[uuid.UUID],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            plugin_fields: NamedDependency[Sequence[FieldDefinition]],
                            registry: NamedDependency[PluginRegistry]) -> Any:
    campaign = await service.get_campaign(db, principal, campaign_id)
    template = await service.template_of(db, principal, campaign)
    words = await vocabulary(db, principal, plugin_fields, registry)
    condition = await audience_condition(db, principal, words, {
        "segment_id": campaign.segment_id, "definition": campaign.definition})
    cap = ((campaign.cap_max, campaign.cap_days)
           if campaign.cap_max is not None and campaign.cap_days is not None else None)
    audience = await explain(db, principal, condition, template.channel, template.topic, cap)
    await service.schedule(db, principal, campaign_id, None, audience.reachable)
    return redirect(request, f"/campaigns/{campaign_id}")


@post("/campaigns/{campaign_id:uuid}/cancel", status_code=200)
async def cancel_campaign(request: Request, campaign_id: FromPath[uuid.UUID],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession]) -> Any:
    await service.cancel(db, principal, campaign_id)
    return redirect(request, f"/campaigns/{campaign_id}")


async def _subscriptions_screen(db: AsyncSession, principal: Principal,
                                registry: PluginRegistry, errors: dict[str, str],
                                status: int = 200) -> Screen:
    """Event types carry their titles per language; the template picks the reader's."""
    types = {e.name: e for _, e in subscriptions.event_types(registry, principal.modules)}
    return Screen("console/communication/subscriptions.html", SUBSCRIPTIONS, {
        "subscriptions": await subscriptions.mine(db, principal), "types": types,
        "errors": errors,
    }, status=status)


@get("/subscriptions")
async def subscription_page(principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            registry: NamedDependency[PluginRegistry]) -> Screen:
    return await _subscriptions_screen(db, principal, registry, {})


@post("/subscriptions", status_code=200)
async def add_subscription(request: Request, principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession],
                           registry: NamedDependency[PluginRegistry]) -> Any:
    form = await request.form()
    values = {"event_type": form.get("event_type") or "",
              "delivery": form.get("delivery") or "in_app", "scope": form.get("scope") or "own"}
    try:
        if values["delivery"] not in ("in_app", "email_digest"):
            raise invalid("delivery", "Choose how it reaches you")
        if values["scope"] not in ("own", "all"):
            raise invalid("scope", "Choose whose customers")
        async with db.begin_nested():
            await subscriptions.subscribe(db, principal, registry, values)
    except RapportError as exc:
        return await _subscriptions_screen(db, principal, registry, field_errors(exc),
                                           status=exc.status)
    return redirect(request, "/subscriptions")


@post("/subscriptions/{subscription_id:uuid}/delete", status_code=200)
async def remove_subscription(request: Request, subscription_id: FromPath[uuid.UUID],
                              principal: NamedDependency[Principal],
                              db: NamedDependency[AsyncSession]) -> Any:
    await subscriptions.unsubscribe(db, principal, subscription_id)
    return redirect(request, "/subscriptions")


PAGES = [campaign_list, save_campaign_settings, new_campaign, create_campaign, campaign_page,
         schedule_campaign, cancel_campaign, subscription_page, add_subscription,
         remove_subscription]
