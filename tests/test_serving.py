"""``rapport run --workers``: how many processes, and pools that fit the server together."""

from __future__ import annotations

import pytest

from rapport.serving import HEADROOM, Pool, pool_sizes, worker_count
from rapport.settings import SettingsError


def test_the_option_wins_then_the_variable_then_the_cpus(monkeypatch):
    monkeypatch.setenv("RAPPORT_WORKERS", "3")
    assert worker_count(5) == 5
    assert worker_count(None) == 3
    monkeypatch.delenv("RAPPORT_WORKERS")
    assert worker_count(None) >= 1


@pytest.mark.parametrize("raw", ["0", "-2", "many"])
def test_a_useless_worker_count_is_refused(monkeypatch, raw):
    monkeypatch.setenv("RAPPORT_WORKERS", raw)
    with pytest.raises(SettingsError, match="RAPPORT_WORKERS"):
        worker_count(None)


@pytest.mark.parametrize("processes", [1, 2, 4, 8, 16, 40])
def test_every_process_pool_together_fits_max_connections(processes):
    pool = pool_sizes(100, 3, processes)
    assert pool.size >= 1
    assert processes * (pool.size + pool.overflow) <= 100 - 3 - HEADROOM


def test_few_processes_get_the_full_pool():
    assert pool_sizes(100, 3, 2) == Pool(10, 10)


def test_more_processes_than_connections_is_refused():
    with pytest.raises(SettingsError, match="max_connections"):
        pool_sizes(100, 3, 60)
