"""``rapport surveys list`` and ``report`` in this process (click's CliRunner), against the
suite's PostgreSQL: the same numbers as the API."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from rapport.core.surveys.cli import surveys_group
from tests.core.communication.test_cli import cli_env  # noqa: F401 - the fixture
from tests.core.surveys.support import ANSWERS, answers, customer, invited, survey

WIDE = {"COLUMNS": "200"}  # rich fits its table to the terminal: room for whole names


def test_list_and_report_from_the_command_line(client, tenant, cli_env):  # noqa: F811
    made = survey(client, tenant, name="Front desk")
    contact_id, email = customer(client, tenant)
    token = invited(client, tenant, made["id"], email, contact_id, service_point="Kharkiv")
    scores = answers(6, 4, q01=(5, 7))
    assert client.post(ANSWERS + token, json={"answers": scores}).status_code == 201
    listed = CliRunner().invoke(surveys_group, ["list", "--tenant", tenant.slug],
                                catch_exceptions=False, env=WIDE)
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if "Front desk" in line)
    assert " 22 " in row and "gap < -1.00" in row and row.count(" 1 ") >= 2
    report = CliRunner().invoke(surveys_group, ["report", made["id"], "--tenant", tenant.slug,
                                                "--group", "service_point"],
                                catch_exceptions=False, env=WIDE)
    assert report.exit_code == 0, report.output
    assert "Kharkiv" in report.output and "1 responses" in report.output
    assert "1 invited, 1 answered: response rate 100%" in report.output
    row = next(line for line in report.output.splitlines() if "Kharkiv" in line)
    assert "100%" in row  # per service point too
    api = client.get(f"/api/v1/surveys/{made['id']}/report", headers=tenant.headers).json()
    assert f"{api['weighted_gap']:+.3f}" in report.output
    exported = CliRunner().invoke(surveys_group, ["report", made["id"], "--tenant",
                                                  tenant.slug, "--csv"],
                                  catch_exceptions=False, env=WIDE)
    # CliRunner mixes standard error (the plugins' start-up log) in: the CSV starts at its header.
    text = exported.output[exported.output.index("group,key,label"):]
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[1][:5] == ["dimension", "tangibles", "Tangibles", "1", "4"]
    assert lines[1][7] == "-1.000"  # (2 - 2 - 2 - 2) / 4: q01 +2, the others -2
    assert lines[0][-1] == "response_rate" and lines[-1][-3:] == ["1", "1", "1.000"]
    bad = CliRunner().invoke(surveys_group, ["report", made["id"], "--tenant", tenant.slug,
                                             "--from", "someday"], env=WIDE)
    assert bad.exit_code != 0 and "from" in bad.output
