"""Saved views of the contact list: a name with the list's filters (the API's
``field:op:value``), columns, sort and search, kept for the member who saved it or shared
with everyone in the organization. Another member's private view, and any other
organization's view, answers 404."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ARRAY, Boolean, ForeignKey, String, Text, delete, or_, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from rapport.db.base import Base, TenantScoped, new_id
from rapport.errors import FieldError, invalid_many, not_found
from rapport.tenancy.principal import Principal

MAX_VIEWS = 100
MAX_NAME = 80


class SavedView(TenantScoped, Base):
    __tablename__ = "console_saved_views"

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    filters: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    columns: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    sort: Mapped[str | None] = mapped_column(String(100))
    q: Mapped[str | None] = mapped_column(String(200))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)


@dataclass(frozen=True)
class ViewIn:
    name: str
    filters: Sequence[str]
    columns: Sequence[str]
    sort: str | None
    q: str | None
    shared: bool


def _visible(actor: Principal) -> ColumnElement[bool]:
    return or_(SavedView.user_id == actor.user_id, SavedView.shared.is_(True))


async def list_views(session: AsyncSession, actor: Principal) -> list[SavedView]:
    """Mine first, then those shared by others; by name."""
    rows = await session.execute(
        select(SavedView)
        .where(SavedView.tenant_id == actor.tenant_id, _visible(actor))
        .order_by((SavedView.user_id != actor.user_id), SavedView.name, SavedView.id)
        .limit(MAX_VIEWS)
    )
    return list(rows.scalars())


async def get_view(session: AsyncSession, actor: Principal, view_id: uuid.UUID) -> SavedView:
    found = (
        await session.execute(
            select(SavedView).where(
                SavedView.tenant_id == actor.tenant_id, SavedView.id == view_id,
                _visible(actor),
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise not_found("View")
    return found


async def save_view(session: AsyncSession, actor: Principal, data: ViewIn) -> SavedView:
    """Any member keeps views for themself; sharing with the organization is for those who
    may write (a viewer's list is theirs alone)."""
    name = data.name.strip()
    if not name:
        raise invalid_many([FieldError("name", "must not be empty")])
    if len(name) > MAX_NAME:
        raise invalid_many([FieldError("name", f"must be at most {MAX_NAME} characters")])
    if data.shared:
        actor.require_writer()
    view = SavedView(
        tenant_id=actor.tenant_id, id=new_id(), user_id=actor.user_id, name=name,
        filters=list(data.filters), columns=list(data.columns), sort=data.sort or None,
        q=data.q or None, shared=data.shared,
    )
    session.add(view)
    await session.flush()
    return view


async def delete_view(session: AsyncSession, actor: Principal, view_id: uuid.UUID) -> str:
    """Only the member who saved a view deletes it (a shared one too); its name."""
    view = await get_view(session, actor, view_id)
    if view.user_id != actor.user_id:
        raise not_found("View")
    await session.execute(
        delete(SavedView).where(SavedView.tenant_id == actor.tenant_id,
                                SavedView.id == view_id)
    )
    return view.name
