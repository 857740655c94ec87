"""How many points a purchase earns under a program's rules.

Each line earns ``amount * points_per_unit * the best multiplier among the rules for its SKU
or its category``; the basket is then multiplied by the best campaign (a rule with neither
SKU nor category) running at the purchase's time, and by the member's tier. The program's
rounding applies once, to the total. Below the program's minimum purchase nothing is earned;
lines of the ``gift_card`` category never earn (the gift card's later purchases will).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from rapport_plugins.retail.models import Program, Rule

GIFT_CARDS = "gift_card"  # the category whose sales never earn (points on money, not value)
ROUNDINGS = {"down": ROUND_FLOOR, "nearest": ROUND_HALF_UP, "up": ROUND_CEILING}
ONE = Decimal(1)


@dataclass(frozen=True)
class Line:
    product: str
    amount: Decimal


def _running(rule: Rule, at: datetime) -> bool:
    return ((rule.starts_at is None or rule.starts_at <= at)
            and (rule.ends_at is None or at < rule.ends_at))


def _best(rules: Sequence[Rule]) -> Decimal:
    return max((r.multiplier for r in rules), default=ONE)


def points_for(program: Program, rules: Sequence[Rule], categories: dict[str, str],
               amount: Decimal, lines: Sequence[Line], at: datetime,
               tier_multiplier: Decimal = ONE) -> int:
    if amount < program.min_purchase or amount <= 0:
        return 0
    live = [r for r in rules if _running(r, at)]
    campaign = _best([r for r in live if r.sku is None and r.category is None])
    raw = sum(line_weights(live, categories, lines, at), Decimal(0)) if lines else amount
    total = raw * program.points_per_unit * campaign * tier_multiplier
    return int(total.to_integral_value(rounding=ROUNDINGS[program.rounding]))


def line_weights(rules: Sequence[Rule], categories: dict[str, str], lines: Sequence[Line],
                 at: datetime) -> list[Decimal]:
    """Each line's part of a purchase's points before what applies to the whole basket
    (points per unit, campaign, tier, rounding): its amount times the best multiplier among
    the rules for its SKU or category running at ``at``; gift cards nothing. A return of
    some lines takes back their parts' share of what the purchase earned."""
    live = [r for r in rules if _running(r, at)]
    weights = []
    for line in lines:
        category = categories.get(line.product)
        if category == GIFT_CARDS:
            weights.append(Decimal(0))
            continue
        matching = [r for r in live if (r.sku is not None and r.sku == line.product)
                    or (r.category is not None and r.category == category)]
        weights.append(line.amount * _best(matching))
    return weights
