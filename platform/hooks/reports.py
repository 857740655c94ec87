"""Measures a plugin (or a kernel area) contributes to the members' report, as data.

A :class:`MemberMeasure` names a column of ``GET /api/v1/reports/members`` (``dealership.
promises_kept``), its label per language, and a builder that turns the period into one SQL
``SELECT`` of two columns — ``member_id`` (the membership's id, ``memberships.id``) and
``value`` (a number) — for the tenant. The report runs every enabled measure together in
one ``UNION ALL`` statement, so a measure is a grouped query, never a loop over members.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class MeasureQuery:
    """What a measure's builder gets: the tenant (name it in every subquery — RLS is the
    second lock, not the first) and the half-open period ``[since, until)``."""

    tenant_id: uuid.UUID
    since: datetime
    until: datetime


@dataclass(frozen=True)
class MemberMeasure:
    """One column of the members' report.

    :param name: ``<plugin>.<measure>`` (``medical.encounters``); a kernel area uses its
        own name before the dot.
    :param labels: the column's heading by language (``{"en": …, "uk": …, "ru": …}``);
        ``en`` is required and used for any language not given.
    :param build: ``MeasureQuery -> Select`` of ``member_id`` (memberships.id) and
        ``value``, grouped by member, e.g. ``select(Promise.promised_by.label("member_id"),
        func.count().label("value")).where(Promise.tenant_id == q.tenant_id, …)
        .group_by(Promise.promised_by)``. Members absent from its rows count as 0.
    :param higher_is_better: False for measures where fewer is better (broken promises):
        the console shows such a column without the "results" emphasis.
    """

    name: str
    labels: dict[str, str]
    build: Callable[[MeasureQuery], Any]
    higher_is_better: bool = True
    description: str = field(default="")

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]

    def check(self, owner: str) -> None:
        """Raise ``ValueError`` unless the name is well formed and ``owner``'s to use."""
        if not NAME.fullmatch(self.name):
            raise ValueError(f"member measure {self.name!r}: <owner>.<name>, lowercase")
        if self.name.split(".")[0] != owner:
            raise ValueError(f"member measure {self.name!r} must start with {owner}.")
        if "en" not in self.labels:
            raise ValueError(f"member measure {self.name!r} needs an 'en' label")
