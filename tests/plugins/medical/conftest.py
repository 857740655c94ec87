"""Fixtures of the medical tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.plugins.medical.fhir_support import Shared, served, shared_records


@pytest.fixture(scope="module")
def shared(database, client) -> Iterator[Shared]:
    """Clinic A sharing three patients' records with peer B, on a live server."""
    with served(database) as base, shared_records(client, base) as s:
        yield s
