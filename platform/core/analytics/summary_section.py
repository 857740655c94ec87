"""The contact view's ``analytics`` section as one SQL expression, selected with the other
areas' sections in the view's single statement (``ContactSummaryQuery.later``)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Text, cast, func, select

from rapport.core.analytics.models import ContactAnalytics
from rapport.hooks import summary_parameters


@functools.cache
def classes_json() -> Any:
    tenant_id, contact_id = summary_parameters()
    row = ContactAnalytics
    return (
        select(func.json_build_object(
            "rfm", row.rfm, "r", row.r, "f", row.f, "m", row.m, "abc", row.abc,
            "xyz", row.xyz, "clv", cast(func.round(row.clv, 2), Text), "currency", row.currency,
        ))
        .where(row.tenant_id == tenant_id, row.contact_id == contact_id)
        .scalar_subquery()
    )


def classes_section(value: dict[str, Any] | None) -> dict[str, Any]:
    """``{"analytics": {"rfm": {"r", "f", "m", "segment"}, "abc", "xyz", "clv",
    "currency"}}`` — null classes before a recompute."""
    value = value or {}
    rfm = None if value.get("rfm") is None else {
        "r": value["r"], "f": value["f"], "m": value["m"], "segment": value["rfm"]}
    return {"analytics": {"rfm": rfm, "abc": value.get("abc"), "xyz": value.get("xyz"),
                          "clv": value.get("clv"), "currency": value.get("currency")}}
