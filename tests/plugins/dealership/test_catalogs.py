"""Every message the dealership screens show has a Ukrainian, a Russian and an English
entry, and the catalogs agree with the code (re-extracted: nothing missing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CONSOLE = ROOT / "plugins" / "dealership" / "console"


def _ids(path: Path) -> dict[str, object]:
    with path.open("rb") as f:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(f)
                if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-c", "from babel.messages.frontend import main; main()", "extract",
         "-F", str(ROOT / "platform" / "console" / "babel.cfg"), "-k", "N_", "-k", "Screen:2",
         "-k", "NavEntry:1", "-k", "CustomerPanel:2", "--no-location", "-o", str(out),
         str(CONSOLE)],
        check=True, capture_output=True,
    )
    return set(_ids(out))


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_every_message_is_translated(lang: str, extracted: set[str]) -> None:
    catalog = _ids(CONSOLE / "locale" / lang / "LC_MESSAGES" / "messages.po")
    done = {k for k, v in catalog.items() if all(v if isinstance(v, tuple) else [v])}
    assert extracted - done == set(), f"untranslated in {lang}"
    if lang != "en":
        same = [k for k, v in catalog.items() if k == v and k not in {"Reason", "Move"}]
        assert len(same) <= 3, f"copies of English in {lang}: {same}"
