"""Live at the camera's rate: Chromium's fake camera plays 30 frames a second, each frame's
number stamped in (`formcheck.bench.fake_camera`), and one whole play of the clip, once the
model has loaded, must be counted as its truth says.

The stamp tells where the camera is in the clip, so the count is read at the start and at
the end of a play, whenever the page was ready. Run alone with
``python -m pytest tests/e2e/test_live_rate.py -m slow``.
"""

from __future__ import annotations

import statistics
import time

import pytest

from formcheck.bench import live_browser
from formcheck.bench.fake_camera import clip_to_y4m
from formcheck.live import min_fps
from tests.e2e.conftest import CHROMIUM, camera_clip, running_app

pytestmark = pytest.mark.slow


@pytest.fixture
def own_app(tmp_path, artifacts):
    """The app with a history of its own: the session this test leaves must not be offered
    to the other browser tests to continue."""
    with running_app(tmp_path / "history.sqlite3", artifacts / "streamlit-rate.log") as (url, _):
        yield url


def test_live_at_30_fps_counts_a_whole_play_as_its_truth_says(
    own_app, playwright_instance, tmp_path, artifacts
):
    url = own_app
    clip, reps = camera_clip()
    fps, still = 30, 3.0
    y4m, seconds = clip_to_y4m(
        clip, tmp_path / "camera30.y4m", fps=fps, still_seconds=still, stamp=True
    )
    frames = round(seconds * fps)
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[*live_browser.CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={y4m}"],
    )
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        page.add_init_script(live_browser.PROBE)
        page.goto(f"{url}/live")
        page.frame_locator(live_browser.WEBRTC).get_by_role("button", name="Start camera").click()
        frame = live_browser._probe_frame(page)
        page.wait_for_function(live_browser.PAGE_RATE)  # the model is loaded: frames analysed
        # The next play's first half second, then its held last frame (every rep has ended).
        play = live_browser.Play(frame, page, frames, fps)
        play.wait_for(0, fps // 2)
        before = int(live_browser._metric(page, "Reps"))
        play.wait_for(frames - round(still * fps / 2), frames)
        time.sleep(0.6)  # the panel refreshes twice a second
        after = int(live_browser._metric(page, "Reps"))
        page.screenshot(path=str(artifacts / "live-30fps.png"), full_page=True)
    finally:
        browser.close()
    rate, needed = statistics.median(play.rates), min_fps("heel_slide")
    if rate < needed:  # the warning's case: this machine is too busy to count reliably
        pytest.skip(f"{rate:g} fps analysed, below the {needed:g} fps heel slides need")
    assert after - before == reps, f"{after - before} reps in a play at {rate:g} fps analysed"
