"""The card's life: collecting → full → redeemed (or void)."""

from rapport.sdk import Condition, State, Transition, Workflow

CARD = Workflow(
    name="stamps.card",
    title="Stamp card",
    entity="stamps.card",
    initial="active",
    states=(
        State("active", "Collecting"),
        State("full", "Full: one free coffee"),
        State("redeemed", "Redeemed", terminal=True),
        State("void", "Void", terminal=True),
    ),
    transitions=(
        Transition("fill", "Card is full", ("active",), "full",
                   conditions=(Condition("stamps", "ge", 10),)),
        Transition("redeem", "Give the free coffee", ("full",), "redeemed",
                   roles=frozenset({"owner", "admin", "barista"})),
        Transition("void", "Void the card", ("*",), "void",
                   roles=frozenset({"owner", "admin"})),
    ),
)
