"""Shared fixtures: paths to the bundled samples and small frame factories; under
pytest-xdist, a test marked ``alone`` has the machine to itself."""

from __future__ import annotations

import contextlib
import fcntl
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


@pytest.fixture(autouse=True)
def _alone_under_xdist(request, tmp_path_factory):
    """Under pytest-xdist, a test marked ``alone`` runs while no other test does.

    The browser tests are (tests/e2e/conftest.py): a fake camera plays in real time, and
    Live at a starved frame rate misses reps, so a test on the other core must not take
    its CPU. Every other test holds a shared lock for its run; an ``alone`` test first
    shuts a turnstile, so no test starts meanwhile, then waits for the lock alone. The
    lock files are in the run's own base folder, never shared with another run. Without
    xdist this does nothing.
    """
    if not hasattr(request.config, "workerinput"):
        yield
        return
    alone = request.node.get_closest_marker("alone") is not None
    folder = tmp_path_factory.getbasetemp().parent  # shared by this run's workers
    with contextlib.ExitStack() as stack:
        gate = stack.enter_context((folder / "alone-turnstile.lock").open("a"))
        share = stack.enter_context((folder / "alone-share.lock").open("a"))
        fcntl.flock(gate, fcntl.LOCK_EX)
        if not alone:
            fcntl.flock(gate, fcntl.LOCK_UN)  # through the turnstile, unless one is waiting
        fcntl.flock(share, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        yield
