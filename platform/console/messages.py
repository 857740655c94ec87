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
    # Members, modules and passwords (settings and my account).
    N_("The last owner cannot be demoted; make someone else owner first"),
    N_("The last owner cannot be removed"),
    N_("Only an owner can grant, change or remove the owner role"),
    N_("This person is already a member or already invited"),
    N_("This member has already accepted"),
    N_("is not your current password"),
    N_("must be a number"),
    # Boards grouped by a choice field.
    N_("is not one of this board's columns"),
    N_("must be a single-choice field of these records"),
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
