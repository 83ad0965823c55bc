"""The app in a real browser: Chromium with a fake camera playing a sample clip.

Run alone with ``python3 -m pytest tests/e2e -m slow``; screenshots land in
``test-artifacts/`` (and in ``docs/screenshots/`` with
``FORMCHECK_UPDATE_SCREENSHOTS=1``).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from formcheck.history import History
from formcheck.video import VideoReader
from tests.e2e.conftest import BASE_ARGS, CHROMIUM, keep_screenshot

pytestmark = pytest.mark.slow

WEBRTC = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'


def metric(page, label: str):
    """The value element of the ``st.metric`` called ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return box.locator('[data-testid="stMetricValue"]')


def test_live_counts_the_reps_seen_by_the_camera_and_saves_them(
    app_server, page, camera, artifacts
):
    url, db = app_server
    _, _, reps = camera
    page.goto(f"{url}/live")
    expect(page.get_by_role("heading", name="Live coaching")).to_be_visible()
    page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()
    expect(metric(page, "Reps")).to_have_text(str(reps), timeout=90_000)
    keep_screenshot(page, "live", artifacts, readme=True)
    # Saved while the stream is still running, not only when it stops.
    live = [s for s in History(db).sessions() if s.source == "live"]
    assert live and live[0].reps == reps and live[0].status == "running"
    page.frame_locator(WEBRTC).get_by_role("button", name="Stop").click()
    expect(page.get_by_text(re.compile("Camera stopped after"))).to_be_visible()


def test_a_live_session_recorded_by_choice_keeps_its_video(app_server, page, camera, artifacts):
    url, db = app_server
    page.goto(f"{url}/live")
    record = page.get_by_role("switch", name="Record this session's video")
    expect(record).not_to_be_checked()  # off unless chosen
    label = re.compile("^Record this session's video$")
    page.get_by_role("paragraph").filter(has_text=label).click()  # the toggle's own label
    expect(record).to_be_checked()
    # A session left by an earlier test is offered to carry on; this is a new one.
    carry_on = page.get_by_role("checkbox", name=re.compile("^Continue session"))
    if carry_on.count():
        # Streamlit's checkbox: its label takes the click, as the toggle's does above.
        page.get_by_role("paragraph").filter(has_text=re.compile("^Continue session")).click()
        expect(carry_on).not_to_be_checked()
    page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()
    expect(page.get_by_text("Recording: the video is kept with the session")).to_be_visible()
    expect(metric(page, "Reps")).to_have_text(re.compile(r"^[1-9]"), timeout=90_000)
    page.frame_locator(WEBRTC).get_by_role("button", name="Stop").click()
    summary = page.get_by_text(re.compile(r"Camera stopped after \d+ frames.*kept with them"))
    expect(summary).to_be_visible()
    keep_screenshot(page, "live-recorded", artifacts)
    processed = int(re.search(r"after (\d+) frames", summary.inner_text()).group(1))
    history = History(db)
    (kept,) = [s for s in history.sessions() if s.video is not None]
    assert (kept.source, kept.reps >= 1) == ("live", True)
    with VideoReader(history.video_path(kept.id)) as reader:
        assert (reader.info.codec, reader.info.width, reader.info.height) == ("h264", 640, 480)
        recorded = sum(1 for _ in reader)
        assert not reader.truncated
    # Every frame the processor returned, bar any the encoder had no time for.
    assert processed / 2 <= recorded <= processed


def test_review_analyses_an_uploaded_clip(app_server, page, camera, artifacts):
    url, _ = app_server
    _, clip, reps = camera
    page.goto(f"{url}/")
    expect(metric(page, "Reps")).to_be_visible(timeout=90_000)  # the first-run example
    # Tall enough for the video, tables and plots: Streamlit scrolls inside the page,
    # so a "full page" screenshot would stop at the viewport.
    page.set_viewport_size({"width": 1400, "height": 2200})
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    keep_screenshot(page, "review", artifacts, readme=True)
    page.get_by_text("My own clip").click()
    page.locator('input[type="file"]').set_input_files(str(clip))
    expect(page.get_by_text(re.compile(r"Analysing .*frame"))).to_be_visible()
    expect(page.get_by_role("button", name="Save to history")).to_be_visible(timeout=90_000)
    expect(metric(page, "Reps")).to_have_text(str(reps))
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible()
    # The rep table: a header row plus one row per rep (the grid says so for screen readers).
    expect(table.locator("[aria-rowcount]").first).to_have_attribute("aria-rowcount", str(reps + 1))
    expect(page.locator('[data-testid="stVideo"]')).to_be_visible()
    keep_screenshot(page, "review-upload", artifacts)


def test_a_non_video_upload_gets_a_message_and_the_page_stays_usable(
    app_server, page, tmp_path, artifacts
):
    url, _ = app_server
    notes = tmp_path / "notes.mp4"
    notes.write_text("these are my notes, not a video\n" * 20)
    page.goto(f"{url}/")
    expect(metric(page, "Reps")).to_be_visible(timeout=90_000)
    page.get_by_text("My own clip").click()
    page.locator('input[type="file"]').set_input_files(str(notes))
    expect(page.get_by_text("notes.mp4: not a video file that can be read")).to_be_visible()
    keep_screenshot(page, "review-not-a-video", artifacts)
    page.get_by_text("A bundled sample").click()
    expect(metric(page, "Reps")).to_be_visible()


def test_a_denied_camera_gets_a_message(app_server, playwright_instance, artifacts):
    url, _ = app_server
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=["--deny-permission-prompts", "--use-fake-device-for-media-stream", *BASE_ARGS],
    )
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)  # as the `page` fixture's: a loaded CPU is slow to draw
        page.goto(f"{url}/live")
        page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()
        webrtc = page.frame_locator(WEBRTC)
        expect(webrtc.get_by_text(re.compile("NotAllowedError|denied"))).to_be_visible()
        expect(page.get_by_text(re.compile("allow the camera for this site"))).to_be_visible()
        keep_screenshot(page, "live-camera-denied", artifacts)
        # The rest of the app still works.
        page.get_by_role("link", name="Exercises").click()
        expect(page.get_by_role("heading", name="Exercises")).to_be_visible()
    finally:
        browser.close()
