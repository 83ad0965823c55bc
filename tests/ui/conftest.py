"""AppTest fixtures: every test gets its own history database; downloads can be read."""

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


@pytest.fixture
def downloads(monkeypatch):
    """``read(at, label) -> bytes``: what the download button called ``label`` serves.

    AppTest keeps a button's data in the media storage of its stand-in runtime, which
    it drops after each run; this keeps each run's storage so the data can be read.
    """
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    made = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)

    def read(at, label: str) -> bytes:
        (button,) = [d for d in at.get("download_button") if d.proto.label == label]
        return made[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content

    return read
