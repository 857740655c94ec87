"""Birthdays: once a year, for each member whose birthday is today in the program's time
zone, the ``retail.birthday`` event and the program's birthday bonus. The member's
``birthday_bonus_year`` is the once-a-year guard, so running twice a day does nothing more;
a 29 February birthday is kept on 28 February in common years."""

from __future__ import annotations

import calendar
import uuid

from sqlalchemy import ColumnElement, extract, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact
from rapport_plugins.retail import events
from rapport_plugins.retail.ledger import Source, credit, lock_member
from rapport_plugins.retail.models import Member, Program
from rapport_plugins.retail.till import today_in


async def celebrate(db: AsyncSession, tenant_id: uuid.UUID, limit: int = 500) -> int:
    done = 0
    programs = (await db.execute(select(Program).where(Program.tenant_id == tenant_id)
                                 .order_by(Program.id))).scalars().all()
    for program in programs:
        today = today_in(program)
        month, day = extract("month", Contact.birthday), extract("day", Contact.birthday)
        same_day: ColumnElement[bool] = (month == today.month) & (day == today.day)
        if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
            same_day = or_(same_day, (month == 2) & (day == 29))
        ids = (await db.execute(
            select(Member.id)
            .join(Contact, (Contact.tenant_id == Member.tenant_id)
                  & (Contact.id == Member.contact_id))
            .where(Member.tenant_id == tenant_id, Member.program_id == program.id, same_day,
                   or_(Member.birthday_bonus_year.is_(None),
                       Member.birthday_bonus_year < today.year))
            .limit(limit))).scalars().all()
        for member_id in ids:
            member = await lock_member(db, tenant_id, member_id)
            member.birthday_bonus_year = today.year
            if program.birthday_bonus:
                await credit(db, member, program, "bonus", program.birthday_bonus,
                             qualifying=False,
                             source=Source(external_id=f"birthday:{today.year}",
                                           reason="birthday"))
            await events.publish(db, None, None, events.BIRTHDAY, tenant_id, member.id,
                                 {"member_id": str(member.id),
                                  "contact_id": str(member.contact_id),
                                  "bonus": program.birthday_bonus, "year": today.year})
            done += 1
        await db.flush()
    return done
