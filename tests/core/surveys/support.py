"""Shared steps of the survey tests: a survey, a contact who may be written to, an
invitation whose link is read from the letter, and answers for every item."""

from __future__ import annotations

import re
import uuid
from typing import Any

from rapport.core.surveys.instrument import ITEMS
from tests import mailbox
from tests.conftest import TenantHandle
from tests.core.communication.support import contact

SURVEYS = "/api/v1/surveys"
ANSWERS = "/api/v1/survey-answers/"
KEYS = [key for key, _, _ in ITEMS]


def survey(client, t: TenantHandle, **values: Any) -> dict:
    r = client.post(SURVEYS, headers=t.headers, json={"name": "After the visit", **values})
    assert r.status_code == 201, r.text
    return r.json()


def customer(client, t: TenantHandle, **values: Any) -> tuple[str, str]:
    """A contact with an e-mail address of their own (unique per test); (id, address)."""
    email = f"c-{uuid.uuid4().hex[:10]}@example.com"
    return contact(client, t, email=email, **{"given_name": "Ann", "family_name": "Lee",
                                              **values}), email


def invite(client, t: TenantHandle, survey_id: str, contact_id: str, **values: Any):
    return client.post(f"{SURVEYS}/{survey_id}/invitations", headers=t.headers,
                       json={"contact_id": contact_id, **values})


def token_in(letter: mailbox.Letter) -> str:
    found = re.search(r"/survey/([A-Za-z0-9_\-]+)", letter.text)
    assert found, letter.text
    return found.group(1)


def invited(client, t: TenantHandle, survey_id: str, email: str, contact_id: str,
            **values: Any) -> str:
    """Invite by e-mail and read the link from the letter, as the contact would."""
    before = len(mailbox.MAILBOX.sent_to(email))
    r = invite(client, t, survey_id, contact_id, **values)
    assert r.status_code == 201, r.text
    return token_in(mailbox.MAILBOX.wait_for(email, count=before + 1))


def answers(expectation: int = 6, perception: int = 5, **own: tuple[int, int]) -> list[dict]:
    """Every standard item with the same two scores, except those given in ``own``."""
    out = []
    for key in KEYS:
        e, p = own.get(key, (expectation, perception))
        out.append({"item": key, "expectation": e, "perception": p})
    return out
