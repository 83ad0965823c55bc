"""Temporary folders a killed app left behind are swept when the app starts, and nothing else."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.scratch import STALE_SECONDS, sweep_stale
from tests.ui.conftest import APP, TIMEOUT

HOURS = 3600
NOW = 2_000_000_000.0


def folder(root: Path, name: str, age: float, files: dict[str, float] | None = None) -> Path:
    """A folder whose own time and whose files' times are ``age`` (or their own) seconds old."""
    path = root / name
    path.mkdir()
    for file, file_age in (files or {}).items():
        (path / file).write_bytes(b"x")
        os.utime(path / file, (NOW - file_age, NOW - file_age))
    os.utime(path, (NOW - age, NOW - age))
    return path


def test_only_formcheck_folders_of_this_user_untouched_for_hours_are_removed(tmp_path):
    root = tmp_path / "tmp"
    root.mkdir()
    old = STALE_SECONDS + HOURS
    outside = folder(tmp_path, "someone's photos", old, {"holiday.jpg": old})
    # Left by an app killed mid-review and mid-recording:
    review = folder(root, "formcheck-review-ab12cd", old, {"annotated.mp4": old, "clip.mp4": old})
    live = folder(root, "formcheck-live-x9y8", old, {"live.mp4": old})
    linked = folder(root, "formcheck-review-withlink", old)
    (linked / "elsewhere").symlink_to(outside)  # removing the folder never follows it
    kept = [
        folder(root, "formcheck-review-fresh", 60, {"annotated.mp4": 60}),
        # An old folder whose recording is still being written: a long session under way.
        folder(root, "formcheck-live-busy", old, {"live.mp4": 5}),
        folder(root, "formcheck-reviews", old),  # not our prefix
        folder(root, "formcheck-other-x", old),
        folder(root, "pytest-of-someone", old),
    ]
    a_file = root / "formcheck-review-notafolder"
    a_file.write_bytes(b"x")
    os.utime(a_file, (NOW - old, NOW - old))
    link = root / "formcheck-review-link"
    link.symlink_to(outside, target_is_directory=True)
    kept += [a_file, link]
    if os.getuid() == 0:  # as root, a folder of another user can be made: never ours to take
        theirs = folder(root, "formcheck-review-theirs", old)
        os.chown(theirs, 65534, 65534)
        os.utime(theirs, (NOW - old, NOW - old))
        kept.append(theirs)

    removed = sweep_stale(root, now=NOW)

    assert sorted(removed) == sorted([review, live, linked])
    assert not any(p.exists() for p in (review, live, linked))
    assert all(p.exists() or p.is_symlink() for p in kept)
    assert (outside / "holiday.jpg").exists() and link.is_symlink()
    assert sweep_stale(root, now=NOW) == []  # nothing more to do


def test_a_folder_just_under_the_age_is_kept_and_one_just_over_is_removed(tmp_path):
    young = folder(tmp_path, "formcheck-review-young", STALE_SECONDS - 60)
    old = folder(tmp_path, "formcheck-review-old", STALE_SECONDS + 60)
    assert sweep_stale(tmp_path, now=NOW) == [old]
    assert young.exists()


def test_a_missing_temporary_folder_is_not_an_error(tmp_path):
    assert sweep_stale(tmp_path / "not there", now=NOW) == []


@pytest.mark.slow
def test_the_app_sweeps_when_it_starts(db, tmp_path, monkeypatch, private_tmp):
    private = private_tmp
    monkeypatch.setenv("FORMCHECK_SAMPLES", str(tmp_path / "no samples"))  # nothing to review
    now = time.time()
    stale = private / "formcheck-live-killed"
    stale.mkdir()
    os.utime(stale, (now - STALE_SECONDS - HOURS, now - STALE_SECONDS - HOURS))
    fresh = private / "formcheck-review-running"
    fresh.mkdir()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert not stale.exists() and fresh.exists()


@pytest.fixture
def db(tmp_path, monkeypatch):
    from formcheck.history import DB_ENV

    monkeypatch.setenv(DB_ENV, str(tmp_path / "history.sqlite3"))
