"""Shared fixtures: paths to the bundled samples and small frame factories."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"


@pytest.fixture
def glute_bridge_clip() -> Path:
    return SAMPLES / "glute_bridge_side.mp4"
