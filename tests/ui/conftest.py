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


@pytest.fixture(scope="session")
def _example_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("formcheck-cache")


@pytest.fixture(autouse=True)
def example_cache(_example_cache, monkeypatch) -> Path:
    """Reviewed samples are cached for the test session, never in the user's cache dir."""
    from formcheck.ui.examples import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(_example_cache))
    return _example_cache / "examples"
