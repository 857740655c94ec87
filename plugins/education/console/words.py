"""Words the education screens show that come from data, not templates — the module's
title and description, its roles, statuses and kinds, its settings, the forms' problems —
listed so ``pybabel extract -k N_`` puts them in this plugin's catalogs."""


def N_(message: str) -> str:
    return message


WORDS = (
    N_("Education"),
    N_("A learner's lifelong history across programmes, so nobody is taught the same thing "
       "twice, and portable credentials."),
    N_("Registrar"), N_("Instructor"), N_("Advisor"),
    N_("enrolled"), N_("completed"), N_("withdrawn"), N_("failed"),
    N_("degree"), N_("certificate"), N_("micro-credential"),
    N_("Choose one of the programmes"),
    # The module's settings, as the settings page labels them.
    N_("Grades"), N_("Passing"), N_("Repeat threshold"), N_("Auto recognise"),
    # A form field's problem (console/forms.py), and the services' refusals shown beside it.
    N_("This field is required"), N_("Enter a date"), N_("Choose one of the options"),
    N_("Enter a whole number in the allowed range"), N_("Enter a number in the allowed range"),
    N_("Too short or too long"), N_("Contains characters that are not allowed"),
    N_("This value is not valid"), N_("must be after renewed_on"),
    N_("must be after issued_on"), N_("This contact is already a learner"),
    # How an outcome is linked to another framework's (console/outcomes.py).
    N_("exact match"), N_("related"), N_("part of"), N_("replaced by"),
)
