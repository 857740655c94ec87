"""Words the education screens show that come from data, not templates — the module's
title and description, its roles, statuses and kinds — listed so ``pybabel extract -k N_``
puts them in this plugin's catalogs."""


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
)
