"""The customer's timeline: each step of their orders (stages, deposits, date changes),
each promise made to them and how it ended, and each appointment set with them and whether
they came (their visits are kernel interactions, on the timeline already)."""

from __future__ import annotations

from sqlalchemy import select

from rapport.sdk import TimelineEntry, TimelineQuery
from rapport_plugins.dealership.models import Appointment, OrderLog, Promise


async def entries(query: TimelineQuery) -> list[TimelineEntry]:
    steps = select(OrderLog).where(OrderLog.tenant_id == query.tenant_id,
                                   OrderLog.contact_id == query.contact_id)
    made = select(Promise).where(Promise.tenant_id == query.tenant_id,
                                 Promise.contact_id == query.contact_id)
    booked = select(Appointment).where(Appointment.tenant_id == query.tenant_id,
                                       Appointment.contact_id == query.contact_id)
    if query.before is not None:
        steps = steps.where(OrderLog.created_at < query.before)
        made = made.where(Promise.made_at < query.before)
        booked = booked.where(Appointment.created_at < query.before)
    logs = (await query.session.execute(
        steps.order_by(OrderLog.created_at.desc()).limit(query.limit))).scalars()
    found = [
        TimelineEntry(at=e.created_at, kind=f"dealership.order_{e.kind}",
                      title="Vehicle order", summary=e.summary, record_type="dealership.order",
                      record_id=e.order_id, source="dealership", data=dict(e.data))
        for e in logs
    ]
    for p in (await query.session.execute(
            made.order_by(Promise.made_at.desc()).limit(query.limit))).scalars():
        found.append(TimelineEntry(
            at=p.made_at, kind="dealership.promise", title=f"Promise ({p.kind})",
            summary=f"{p.text} — {p.status}", record_type="dealership.promise",
            record_id=p.id, source="dealership",
            data={"status": p.status, "due_at": p.due_at.isoformat(),
                  "probability": p.probability}))
    for a in (await query.session.execute(
            booked.order_by(Appointment.created_at.desc()).limit(query.limit))).scalars():
        found.append(TimelineEntry(
            at=a.created_at, kind="dealership.appointment", title="Appointment",
            summary=f"{a.purpose or 'Appointment'} on {a.scheduled_at:%Y-%m-%d %H:%M} UTC"
                    f" — {a.status}",
            record_type="dealership.appointment", record_id=a.id, source="dealership",
            data={"status": a.status, "scheduled_at": a.scheduled_at.isoformat()}))
    found.sort(key=lambda e: e.at, reverse=True)
    return found[: query.limit]
