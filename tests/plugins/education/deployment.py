"""One Rapport deployment as its own process, for the two-process credential round trip:
``python -m tests.plugins.education.deployment PORT DATABASE_URL SMTP_URL``. Serves the
app with uvicorn on 127.0.0.1:PORT until killed; its mail goes to the test's mailbox."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import uvicorn

from rapport.app import create_app
from rapport.settings import Settings
from tests.conftest import TEST_SECRET


def main(port: int, database_url: str, smtp_url: str) -> None:
    settings = Settings(
        # The test mints its members' tokens through this process, so any key works; the
        # suite's key keeps one convention for every app under test.
        secret_key=TEST_SECRET,
        data_dir=Path(tempfile.mkdtemp(prefix=f"rapport-edu-{port}-")),
        base_url=f"http://127.0.0.1:{port}", smtp_url=smtp_url, log_json=True, login_slowdown_seconds=0.01,
        login_address_lockout_after=100_000, public_action_limit=100_000)
    uvicorn.run(create_app(settings, database_url), host="127.0.0.1", port=port,
                log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
