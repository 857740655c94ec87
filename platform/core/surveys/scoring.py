"""The gap maths. Each item's gap is perception - expectation (-6 … 6 on the 1-7 scale:
below zero the service fell short of what the person expects of an excellent one). A
dimension's gap is the mean of its items' gaps; the weighted SERVQUAL score is the sum of
the dimensions' gaps each times its share of the 100 points the tenant allocated (equal
shares when it allocated none)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scored:
    expectation: float
    perception: float
    gap: float
    weighted_gap: float
    dimensions: dict[str, float]


def shares(weights: Mapping[str, int] | None, dimensions: Iterable[str]) -> dict[str, float]:
    """Each dimension's share of the score (summing to 1)."""
    present = sorted(set(dimensions))
    if not present:
        return {}
    if weights:
        total = sum(weights.get(d, 0) for d in present)
        if total > 0:
            return {d: weights.get(d, 0) / total for d in present}
    return {d: 1 / len(present) for d in present}


def weighted(gaps: Mapping[str, float], weights: Mapping[str, int] | None) -> float:
    share = shares(weights, gaps)
    return sum(gaps[d] * share[d] for d in gaps)


def score(answers: Iterable[tuple[str, int, int]], weights: Mapping[str, int] | None) -> Scored:
    """``answers``: (dimension, expectation, perception) per item."""
    rows = list(answers)
    by_dimension: dict[str, list[int]] = defaultdict(list)
    for dimension, expectation, perception in rows:
        by_dimension[dimension].append(perception - expectation)
    gaps = {d: sum(v) / len(v) for d, v in by_dimension.items()}
    n = len(rows)
    return Scored(
        expectation=sum(r[1] for r in rows) / n,
        perception=sum(r[2] for r in rows) / n,
        gap=sum(r[2] - r[1] for r in rows) / n,
        weighted_gap=weighted(gaps, weights),
        dimensions=gaps,
    )
