"""A 30-minute upload in a real browser: progress that moves, then Cancel, and nothing left.

The app runs with its own ``TMPDIR`` (so its temporary folders are seen,
and only its own) and no bundled samples (so the page opens on the
uploader, without reviewing a sample first).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from formcheck.history import History
from tests.e2e.conftest import keep_screenshot, running_app
from tests.factories import long_clip

pytestmark = pytest.mark.slow

FRAME = re.compile(r"Analysing half an hour\.mp4: frame ([\d,]+) of 9,000 · \d+:\d\d elapsed")


def frame_shown(page) -> int:
    """The frame number the progress bar shows now (0 before the first)."""
    texts = page.locator('[data-testid="stProgress"]').all_inner_texts()
    found = [FRAME.search(t) for t in texts]
    return max((int(m.group(1).replace(",", "")) for m in found if m), default=0)


def wait_for_frame_past(page, frame: int, timeout: float = 120.0) -> int:
    """Poll the page until its progress shows a frame after ``frame``; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = frame_shown(page)
        if shown > frame:
            return shown
        page.wait_for_timeout(250)
    raise AssertionError(f"the progress never went past frame {frame} in {timeout:.0f} s")


def test_a_30_minute_upload_shows_progress_and_cancel_stops_it_leaving_nothing(
    page, tmp_path, artifacts
):
    clip = long_clip(tmp_path / "half an hour.mp4", minutes=30)  # 9,000 frames, 0.6 MB
    private = tmp_path / "tmp"
    private.mkdir()
    db = tmp_path / "history.sqlite3"
    env = {"TMPDIR": str(private), "FORMCHECK_SAMPLES": str(tmp_path / "no samples")}
    with running_app(db, artifacts / "streamlit-long-clip.log", env=env) as (url, _):
        page.goto(url)
        expect(page.get_by_role("heading", name="Review a clip")).to_be_visible()
        page.locator('input[type="file"]').set_input_files(str(clip))

        # The bar counts frames of the whole clip, with the time taken, and moves on.
        first = wait_for_frame_past(page, 0)
        later = wait_for_frame_past(page, first)
        assert first < later < 9000
        bar = page.locator('[data-testid="stProgress"]')
        expect(bar).to_contain_text(re.compile(r"elapsed · (estimating the time left|about .+)"))
        assert any(p.name.startswith("formcheck-review-") for p in private.iterdir())
        keep_screenshot(page, "review-long-clip-progress", artifacts)

        page.get_by_role("button", name="Cancel").click()
        said = page.get_by_text(
            re.compile(
                r"^The review of half an hour\.mp4 was cancelled at frame [\d,]+ of 9,000\. "
                r"Nothing was kept\.$"
            )
        )
        expect(said).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Analyse again")).to_be_visible()
        expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
        expect(bar).to_have_count(0)  # the review did not start again
        keep_screenshot(page, "review-long-clip-cancelled", artifacts)
        stopped_at = int(re.search(r"frame ([\d,]+)", said.inner_text()).group(1).replace(",", ""))
        assert later <= stopped_at < 9000
        # The new run said so only once the cancelled one had removed its files.
        assert list(private.iterdir()) == []
        assert History(db).sessions() == []
