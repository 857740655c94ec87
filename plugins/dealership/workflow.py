"""An order's life through the manufacturer's real stages (``dealership.order``).

quote → deposit paid → allocated (the dealer's allocation used) → ordered (the factory's
order number) → scheduled (production week) → produced (the VIN exists from here) → in
transit → arrived → delivered; cancelled from any stage before delivery (the deposit
refund recorded); a delivered deal that unwinds reverses its salespeople's credit.
"""

from __future__ import annotations

import itertools

from rapport.sdk import State, Transition, Workflow

STAGES = ("quote", "deposit_paid", "allocated", "ordered", "scheduled", "produced",
          "in_transit", "arrived", "delivered")
OPEN_STAGES = STAGES[:-1]
MANAGERS = frozenset({"sales_manager", "dealership_admin", "owner", "admin"})
SELLERS = MANAGERS | {"salesperson", "member"}

ORDER = Workflow(
    name="dealership.order",
    title="Vehicle order",
    entity="dealership.order",
    initial="quote",
    states=(
        State("quote", "Quote"),
        State("deposit_paid", "Deposit paid"),
        State("allocated", "Allocated"),
        State("ordered", "Ordered from the factory"),
        State("scheduled", "Scheduled for production"),
        State("produced", "Produced"),
        State("in_transit", "In transit"),
        State("arrived", "Arrived"),
        State("delivered", "Delivered"),
        State("cancelled", "Cancelled", terminal=True),
        State("unwound", "Unwound", terminal=True),
    ),
    transitions=(
        *(Transition(target, f"Mark {target.replace('_', ' ')}", (source,), target,
                     roles=SELLERS)
          for source, target in itertools.pairwise(STAGES)),
        Transition("cancel", "Cancel the order", OPEN_STAGES, "cancelled", roles=SELLERS),
        Transition("unwind", "Unwind the delivered deal", ("delivered",), "unwound",
                   roles=MANAGERS),
    ),
)


def stage_index(state: str) -> int:
    return STAGES.index(state) if state in STAGES else len(STAGES)
