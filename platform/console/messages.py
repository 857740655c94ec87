"""Words the services answer with that the console shows as they are (error details, field
rules, consent and interaction kinds): listed here so ``pybabel extract`` puts them in the
catalogs. A detail that is not listed is shown in English."""

from rapport.console.i18n import N_

SERVICE_MESSAGES = (
    N_("Invalid organization, email or password"),
    N_("Too many attempts; try again later"),
    N_("must not be blank"),
    N_("is too common; choose a less guessable password"),
    N_("must be 3 to 40 characters"),
    N_("This invitation link is invalid, used or expired"),
    N_("This link is invalid, used or expired"),
    N_("Authentication required"),
    N_("Your role cannot open this page"),
    N_("Viewers have read-only access"),
    N_("Only owners and admins can do this"),
    # Consent statuses and interaction kinds, shown on the customer page.
    N_("granted"),
    N_("withdrawn"),
    N_("denied"),
    N_("call"),
    N_("email"),
    N_("meeting"),
    N_("note"),
    N_("message"),
    N_("visit"),
)
