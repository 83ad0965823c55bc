"""AppTest fixtures: every test gets its own history database."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.history import DB_ENV, History

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
TIMEOUT = 240  # the first review of a sample runs the real pose model on a shared CPU


@pytest.fixture
def db(tmp_path, monkeypatch) -> History:
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv(DB_ENV, str(path))
    return History(path)
