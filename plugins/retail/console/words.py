"""Words the retail screens show that come from data, not templates — the module's title
and description in the marketplace, its roles, ledger entry kinds — listed so
``pybabel extract -k N_`` puts them in this plugin's catalogs."""


def N_(message: str) -> str:
    return message


WORDS = (
    N_("Retail loyalty"),
    N_("Loyalty cards, points, tiers and rewards, and the cashier's personal view of the "
       "customer at the till."),
    N_("Cashier"), N_("Loyalty manager"), N_("Staff card"),
    N_("earn"), N_("redeem"), N_("expire"), N_("adjust"), N_("reverse"), N_("bonus"),
    # Program settings shown on the programs page.
    N_("calendar_year"), N_("rolling_12_months"), N_("anniversary"),
    N_("down"), N_("nearest"), N_("up"),
    N_("claw_back"), N_("negative"), N_("refuse"), N_("supported"), N_("one_step"),
)
