"""Import and export screens over HTTP: upload, a mapping pre-filled from the header, a dry
run listing row errors, the import in the background with its progress, the result, the
export link; viewers are refused and one member cannot open another's upload."""

from __future__ import annotations

import re
import time
import uuid

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in

HX = {"HX-Request": "true"}
CSV = ("external_id,Given,Family,EMAIL,Notes\n"
       "a1,Olena,Kovalenko,olena@example.com,x\n"
       "a2,Taras,Shevchenko,not-an-email,y\n")


def _upload(client, csrf, data: str, name: str = "people.csv"):
    r = client.post("/imports", data={"_csrf": csrf},
                    files={"file": (name, data.encode(), "text/csv")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_upload_map_dry_run_import_and_progress(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    home = client.get("/imports")
    assert home.status_code == 200 and 'href="/api/v1/contacts/export?format=csv"' in home.text
    assert 'href="/imports"' in client.get("/").text
    target = _upload(client, csrf, CSV)
    page = client.get(target).text
    # Pre-filled from the header: names of columns (any case) are chosen, others left out.
    assert page.count(" selected>") == 3  # external_id, email and the key
    assert '<option value="external_id" selected>' in page
    assert '<option value="email" selected>' in page
    mapping = {"_csrf": csrf, "col-0": "external_id", "col-1": "given_name",
               "col-2": "family_name", "col-3": "email", "col-4": "", "key": "external_id"}
    dry = client.post(f"{target}/check", data=mapping)
    assert dry.status_code == 200, dry.text
    assert "Dry run" in dry.text and "row 3" not in dry.text
    assert re.search(r"<td>3</td><td>EMAIL</td>", dry.text), dry.text
    assert client.get("/api/v1/contacts", headers=t.headers).json()["items"] == []
    started = client.post(f"{target}/run", data={**mapping, "skip_invalid": "on"},
                          follow_redirects=False)
    assert started.status_code == 303
    job = started.headers["location"]
    page = client.get(job)
    assert page.status_code == 200 and 'role="progressbar"' in page.text
    assert 'aria-valuemin="0"' in page.text and 'aria-valuenow=' in page.text
    for _ in range(100):
        fragment = client.get(job, headers=HX).text
        if "Finished" in fragment:
            break
        time.sleep(0.1)
    assert "Finished" in fragment and 'aria-valuenow="100"' in fragment
    assert "hx-trigger" not in fragment and "1 created" in fragment, fragment
    record = re.search(r'href="(/imports/[0-9a-f-]{36})"', fragment).group(1)
    assert "people.csv" in client.get(record).text
    names = [c["display_name"] for c in
             client.get("/api/v1/contacts", headers=t.headers).json()["items"]]
    assert names == ["Olena Kovalenko"]
    assert "people.csv" in client.get("/imports").text
    export = client.get("/api/v1/contacts/export?format=csv")
    assert export.status_code == 200 and "olena@example.com" in export.text


def test_bad_columns_and_access(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    target = _upload(client, csrf, "Nope,Given\n1,Olena\n")
    r = client.post(f"{target}/check", data={"_csrf": csrf, "col-0": "", "col-1": "given_name",
                                             "key": "external_id"})
    assert r.status_code == 422 and "required to match contacts by external_id" in r.text
    empty = client.post("/imports", data={"_csrf": csrf},
                        files={"file": ("e.csv", b"", "text/csv")})
    assert empty.status_code == 422 and "Choose a CSV file." in empty.text
    no_token = client.post(f"{target}/check", data={"col-0": ""}, follow_redirects=False)
    assert no_token.status_code in (303, 401, 403)
    other = sign_up(client)
    sign_in(client, other)
    assert client.get(target).status_code == 404
    email = "viewer@" + t.slug + ".example.com"
    add_member(client, t, email, role="viewer", password="viewer password 1")
    client.cookies.clear()
    sign_in(client, t, email=email, password="viewer password 1")
    assert client.get("/imports").status_code == 403
    assert 'href="/imports"' not in client.get("/").text


def test_progress_answers_from_another_server_process(client):
    """With several worker processes, a poll may reach one that is not running the import:
    it answers from the shared copy of the job (console_import_jobs), not with a 404."""
    from rapport.console.imports import jobs

    t = sign_up(client)
    csrf = sign_in(client, t)
    target = _upload(client, csrf, CSV)
    mapping = {"_csrf": csrf, "col-0": "external_id", "col-1": "given_name",
               "col-2": "family_name", "col-3": "email", "col-4": "", "key": "external_id",
               "skip_invalid": "on"}
    job = client.post(f"{target}/run", data=mapping, follow_redirects=False).headers["location"]
    job_id = job.rsplit("/", 1)[1]
    for _ in range(100):
        local = jobs.JOBS.get(uuid.UUID(job_id))
        if local is not None and local.finished:
            break
        time.sleep(0.1)
    # Forget the job here, as a different process never knew it.
    jobs.JOBS.pop(uuid.UUID(job_id))
    # The shared copy follows the running process by up to half a second.
    for _ in range(50):
        fragment = client.get(job, headers=HX)
        assert fragment.status_code == 200, fragment.text
        if "Finished" in fragment.text:
            break
        time.sleep(0.1)
    assert "Finished" in fragment.text and "1 created" in fragment.text
    # Another tenant never sees it.
    other = sign_up(client)
    client.cookies.clear()
    sign_in(client, other)
    assert client.get(job).status_code == 404
