"""An institution for the education tests: the module on, one member per role, and a small
catalogue (outcomes mapped to courses, a programme) to learn from."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import TenantHandle, add_member, login, sign_up

ROLES = ("registrar", "instructor", "advisor")


@dataclass
class Institution:
    tenant: TenantHandle
    tokens: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def as_(self, role: str) -> dict[str, str]:
        token = self.tenant.token if role == "owner" else self.tokens[role]
        return {"Authorization": f"Bearer {token}"}


def institution(client: Any, roles: tuple[str, ...] = ROLES) -> Institution:
    tenant = sign_up(client)
    r = client.put("/api/v1/modules/education", headers=tenant.headers)
    assert r.status_code == 200, r.text
    found = Institution(tenant)
    for role in roles:
        email = f"{role}-{secrets.token_hex(3)}@{tenant.slug}.example.com"
        password = f"{role} password {tenant.slug}"
        member = add_member(client, tenant, email, role=role, full_name=f"{role.title()} P",
                            password=password)
        found.tokens[role] = login(client, tenant.slug, email, password)
        found.emails[role] = email
        found.user_ids[role] = member["user_id"]
    return found


def post(client: Any, inst: Institution, path: str, body: dict[str, Any],
         role: str = "registrar") -> dict[str, Any]:
    r = client.post(f"/api/v1/education{path}", json=body, headers=inst.as_(role))
    assert r.status_code in (200, 201), r.text
    return r.json()


def outcome(client: Any, inst: Institution, code: str, **extra: Any) -> str:
    return post(client, inst, "/outcomes", {"code": code, "title": f"Outcome {code}",
                                             **extra})["id"]


def course(client: Any, inst: Institution, code: str, teaches: dict[str, int],
           **extra: Any) -> str:
    return post(client, inst, "/courses", {
        "code": code, "title": f"Course {code}", "credits": 5, "level": 6, "language": "uk",
        "outcomes": [{"outcome_id": o, "level": lv} for o, lv in teaches.items()],
        **extra})["id"]


def learner(client: Any, inst: Institution, name: str = "Taras", *,
            may_contact: bool = False) -> dict[str, Any]:
    r = client.post("/api/v1/contacts", json={"given_name": name, "family_name": "Shevchenko"},
                    headers=inst.as_("owner"))
    assert r.status_code == 201, r.text
    return post(client, inst, "/learners", {"contact_id": r.json()["id"],
                                             "student_number": f"S-{secrets.token_hex(4)}",
                                             "may_contact": may_contact})


def complete(client: Any, inst: Institution, learner_id: str, course_id: str,
             grade: str = "A", term: str = "2001-autumn",
             completed_on: str | None = None) -> dict[str, Any]:
    e = post(client, inst, f"/learners/{learner_id}/enrolments",
             {"course_id": course_id, "term": term})
    body: dict[str, Any] = {"grade": grade}
    if completed_on:
        body["completed_on"] = completed_on
    return post(client, inst, f"/learners/{learner_id}/enrolments/{e['id']}/result", body)
