"""Words the dealership screens show that come from data, not templates — the module's
title and description, its settings' labels, its roles, stages, moves, promise kinds and
statuses, departments — listed so ``pybabel extract -k N_`` puts them in this plugin's catalogs."""


def N_(message: str) -> str:
    return message


WORDS = (
    N_("Dealership"),
    N_("Vehicle orders with deposits, the ledger of what was promised to whom and how "
       "likely, and incentives for salespeople."),
    N_("Salesperson"), N_("Sales manager"), N_("Dealership admin"),
    # The settings' labels on the console's module settings page (from the field names).
    N_("Market"), N_("Change cutoff"), N_("Remind days before"), N_("Tell customer by"),
    N_("Currency"),
    # The settings' choices (settings.py declares them per value).
    N_("North America"), N_("China"), N_("Europe"), N_("Another market"),
    N_("By email"), N_("By SMS"), N_("By phone"), N_("By post"), N_("By messenger"),
    # Stages (keys and labels) and the moves between them.
    N_("quote"), N_("deposit_paid"), N_("allocated"), N_("ordered"), N_("scheduled"),
    N_("produced"), N_("in_transit"), N_("arrived"), N_("delivered"), N_("cancelled"),
    N_("unwound"),
    N_("Quote"), N_("Deposit paid"), N_("Allocated"), N_("Ordered from the factory"),
    N_("Scheduled for production"), N_("Produced"), N_("In transit"), N_("Arrived"),
    N_("Delivered"), N_("Cancelled"), N_("Unwound"),
    N_("Mark deposit paid"), N_("Mark allocated"), N_("Mark ordered"), N_("Mark scheduled"),
    N_("Mark produced"), N_("Mark in transit"), N_("Mark arrived"), N_("Mark delivered"),
    N_("Cancel the order"), N_("Unwind the delivered deal"),
    # Stock units' statuses.
    N_("in_stock"), N_("reserved"), N_("sold"),
    # Promise statuses.
    N_("open"), N_("kept"), N_("broken"), N_("renegotiated"),
    # Financing statuses and F&I product kinds.
    N_("submitted"), N_("approved"), N_("declined"), N_("withdrawn"),
    N_("warranty"), N_("gap"), N_("paint_protection"), N_("tyre_and_wheel"),
    N_("service_plan"),
    # Appointment statuses, how a visitor came, members' roles, marketing audiences.
    N_("set"), N_("shown"), N_("no_show"), N_("appointment"),
    N_("owner"), N_("admin"), N_("member"), N_("viewer"), N_("salesperson"),
    N_("sales_manager"), N_("dealership_admin"), N_("contacts"),
)
