"""Team membership where it means something for contacts: ``teams.owner_team`` — contacts
whose owner (a user) is a member of the team — as a field of the contact list's grammar
(``rapport_contact_filters``: ``filter=teams.owner_team:eq:<team id>``) and as a segment
condition (``{"teams.owner_team": {"team": "<id>"}}``). One probe of ``team_members``
joined to ``memberships`` (a contact's owner is a user id, a team's member a membership)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import select

from rapport.core.contacts.models import Contact
from rapport.core.teams.models import TeamMember
from rapport.hooks import ConditionQuery, ContactFilter, SegmentCondition
from rapport.hooks.filters import REFERENCE
from rapport.tenancy.models import Membership


def _owner_teams(tenant_id: uuid.UUID) -> Any:
    """``(team_id, user_id)`` of the tenant's team members."""
    return (select(TeamMember.team_id, Membership.user_id)
            .join(Membership, (Membership.tenant_id == TeamMember.tenant_id)
                  & (Membership.id == TeamMember.membership_id))
            .where(TeamMember.tenant_id == tenant_id))


def _rows(tenant_id: uuid.UUID) -> Any:
    members = _owner_teams(tenant_id).subquery()
    return (select(Contact.id.label("contact_id"), members.c.team_id.label("value"))
            .join(members, members.c.user_id == Contact.owner_id)
            .where(Contact.tenant_id == tenant_id))


class OwnerTeamValue(msgspec.Struct, forbid_unknown_fields=True):
    """Contacts whose owner is in this team (its id, GET /api/v1/teams)."""

    team: uuid.UUID


def _condition(query: ConditionQuery) -> Any:
    members = _owner_teams(query.tenant_id).where(TeamMember.team_id == query.value.team)
    owners = select(members.subquery().c.user_id)
    return query.contact_id.in_(select(Contact.id).where(
        Contact.tenant_id == query.tenant_id, Contact.owner_id.in_(owners)))


FILTERS = [
    ContactFilter(
        name="teams.owner_team",
        labels={"en": "Owner's team", "uk": "Команда власника", "ru": "Команда владельца"},
        value_type=REFERENCE, rows=_rows,
        description="Contacts whose owner is a member of the team (a team id; a member in "
        "several teams counts in each).",
    ),
]
CONDITIONS = [
    SegmentCondition(
        name="teams.owner_team", title="Owner's team", value_type=OwnerTeamValue,
        build=_condition, description="Contacts whose owner is a member of the team.",
    ),
]
