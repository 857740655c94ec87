"""Consent and preferences: opt-ins and opt-outs per channel and topic with their source
(a history, never overwritten), do-not-contact, a frequency cap, and ``may_contact`` —
the one question every outbound feature asks before sending.

``ConsentController`` serves ``/api/v1/contacts/{id}/consent``, ``…/contact-policy`` and
``…/may-contact``.
"""

from rapport.core.consent.decision import Decision, may_contact
from rapport.core.consent.models import CHANNELS, SERVICE_TOPIC, ConsentEvent, ContactPolicy
from rapport.core.consent.service import Policy, current, record_consent, set_policy

__all__ = [
    "CHANNELS",
    "SERVICE_TOPIC",
    "ConsentEvent",
    "ContactPolicy",
    "Decision",
    "Policy",
    "current",
    "may_contact",
    "record_consent",
    "set_policy",
]
