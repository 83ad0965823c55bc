"""Shared fixtures: paths to the bundled samples and small frame factories."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"


@pytest.fixture
def glute_bridge_clip() -> Path:
    return SAMPLES / "glute_bridge_side.mp4"


@pytest.fixture
def short_wait(monkeypatch):
    """The history waits 0.2 s for a lock instead of 10, so a held lock fails fast."""
    import formcheck.history

    monkeypatch.setattr(formcheck.history, "BUSY_TIMEOUT", 0.2)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """The system's temporary folder, for this test only: what is left in it is seen."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder
