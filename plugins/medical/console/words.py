"""Words the medical screens show that come from data, not templates — the module's title
and description in the marketplace, its roles, its settings, states and statuses — listed
so ``pybabel extract -k N_`` puts them in this plugin's catalogs."""


def N_(message: str) -> str:
    return message


WORDS = (
    N_("Medical records"),
    N_("Patient records that clinics share with the patient's consent, across "
       "organizations and deployments, every access audited."),
    N_("Clinician"), N_("Nurse"), N_("Receptionist"),
    N_("Break glass minutes"),
    # Access requests and consents.
    N_("requested"), N_("approved"), N_("denied"), N_("revoked"),
    N_("active"), N_("scheduled"), N_("expired"),
    # Encounter, condition, medication and care-plan statuses.
    N_("planned"), N_("arrived"), N_("in-progress"), N_("finished"), N_("cancelled"),
    N_("recurrence"), N_("relapse"), N_("inactive"), N_("remission"), N_("resolved"),
    N_("completed"), N_("entered-in-error"), N_("intended"), N_("stopped"), N_("on-hold"),
    N_("unknown"), N_("not-taken"), N_("draft"),
    N_("female"), N_("male"), N_("other"),
    N_("mild"), N_("moderate"), N_("severe"),
    # How a record was reached (the access report).
    N_("search"), N_("timeline"), N_("shared"), N_("federation"),
)
