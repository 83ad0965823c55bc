"""When Live's setup panel gives way to counting: on this camera run's reps only.

A continued session already holds reps from an earlier run; the camera may have
been moved since, so the setup check must still run until this run counts. (Found
by the browser test: after another test's session, Live continued it and the panel
never appeared.)"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from formcheck.engine.result import RepCounts
from formcheck.ui.setup_panel import counting


def live(earlier: RepCounts, this_run: RepCounts, phase: str):
    snapshot = SimpleNamespace(counts=this_run, phase=phase)
    status = SimpleNamespace(snapshot=snapshot, earlier=earlier, counts=earlier + this_run)
    return SimpleNamespace(status=lambda: status)


@pytest.mark.parametrize(
    ("earlier", "this_run", "phase", "expected"),
    [
        (RepCounts(), RepCounts(), "rest", False),
        (RepCounts(full=3), RepCounts(), "rest", False),  # continued: set up again
        (RepCounts(full=3), RepCounts(), "active", True),  # a rep under way
        (RepCounts(), RepCounts(partial=1), "rest", True),
    ],
)
def test_counting_starts_with_this_runs_first_rep(earlier, this_run, phase, expected):
    assert counting(live(earlier, this_run, phase)) is expected


def test_no_snapshot_yet_is_not_counting():
    status = SimpleNamespace(snapshot=None, counts=RepCounts(full=2))
    assert counting(SimpleNamespace(status=lambda: status)) is False
