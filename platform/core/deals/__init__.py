"""Deals: sales in progress through the tenant's pipeline (workflow ``deals.pipeline``),
with an exact amount and currency, optional priced lines, an owner and a contact.

``DealController`` serves ``/api/v1/deals``; actions live in ``service``.
"""

from rapport.core.deals.models import Deal, DealLine
from rapport.core.deals.pipeline import PIPELINE
from rapport.core.deals.service import (
    DEAL_CREATED,
    DEAL_DELETED,
    DEAL_STAGE_CHANGED,
    DEAL_UPDATED,
    create_deal,
    delete_deal,
    get_deal,
    list_deals,
    move_deal,
    open_deals,
    update_deal,
)

__all__ = [
    "DEAL_CREATED",
    "DEAL_DELETED",
    "DEAL_STAGE_CHANGED",
    "DEAL_UPDATED",
    "PIPELINE",
    "Deal",
    "DealLine",
    "create_deal",
    "delete_deal",
    "get_deal",
    "list_deals",
    "move_deal",
    "open_deals",
    "update_deal",
]
