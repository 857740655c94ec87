"""Every message the console shows has a Ukrainian and a Russian translation, and the
catalogs agree with the code (re-extracted, nothing is missing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CONSOLE = Path(__file__).resolve().parents[2] / "platform" / "console"
LOCALE = CONSOLE / "locale"


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-c", "from babel.messages.frontend import main; main()", "extract",
         "-F", str(CONSOLE / "babel.cfg"), "-k", "N_", "-k", "Screen:2", "-k", "NavEntry:1",
         "-k", "_screen:3", "--no-location", "-o", str(out), str(CONSOLE)],
        check=True, capture_output=True,
    )
    return {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(out) if m.id}


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_every_message_is_translated(lang: str, extracted: set[str]) -> None:
    catalog = _catalog(LOCALE / lang / "LC_MESSAGES" / "messages.po")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    assert extracted - translated == set(), f"untranslated in {lang}"
    same = [m.id for m in catalog if isinstance(m.id, str) and m.id == m.string
            and m.id not in {"Password"}]
    assert len(same) <= 2, f"copies of English in {lang}: {same}"
