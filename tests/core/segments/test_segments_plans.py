"""The statement the segment compiler builds has the plan shape of a hand-written SQL for
the same question: bench/segments.py's three segments on a small generated tenant, their
``EXPLAIN`` node types compared (and their answers, which must agree). The timing of the
same pairs on a big tenant is bench/segments.py's business, not a test's."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from bench.segments import SEGMENTS, compiled_sql, generate, node_diff, node_types
from rapport.db.urls import libpq_url


@pytest.fixture(scope="module")
def generated(database) -> uuid.UUID:
    tenant = uuid.uuid4()
    with database.connect_superuser() as conn:
        conn.autocommit = True
        generate(conn, tenant, contacts=3000, transactions=30_000, interactions=6000)
        conn.execute("ANALYZE")
    return tenant


@pytest.mark.parametrize(("name", "definition", "hand"), SEGMENTS,
                         ids=[s[0].split(":")[0][:30] for s in SEGMENTS])
def test_compiled_statement_has_the_hand_written_plan_shape(database, generated, name,
                                                            definition, hand):
    sql, params = compiled_sql(generated, definition)
    with psycopg.connect(libpq_url(database.app_url), autocommit=True) as conn:
        compiled = node_types(conn, generated, sql, params)
        written = node_types(conn, generated, hand, {"tenant": generated})
        with conn.transaction():
            conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(generated),))
            ours = conn.execute(sql, params).fetchall()
            theirs = conn.execute(hand, {"tenant": generated}).fetchall()
    assert ours == theirs and ours[0][0] > 0, name
    assert compiled == written, f"{name}: the plans part here\n{node_diff(compiled, written)}"
