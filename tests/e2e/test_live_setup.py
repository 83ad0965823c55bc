"""The setup check in a real browser: the fake camera films a badly placed heel slide.

Chromium's fake camera plays the first frame of the bundled side-view heel
slide, held: a person lying still, filmed from the side, where the heel's
track and the pelvis can't be judged. Before any rep, the Live page must say
what to fix (the camera view), how (beyond the feet), and draw where. Run alone
with ``python -m pytest tests/e2e/test_live_setup.py -m slow``.
"""

from __future__ import annotations

import re
from fractions import Fraction

import av
import pytest
from playwright.sync_api import expect

from formcheck.ui.common import samples_dir
from formcheck.video import VideoReader
from tests.e2e.conftest import BASE_ARGS, CHROMIUM, keep_screenshot
from tests.e2e.y4m import _write

pytestmark = pytest.mark.slow

WEBRTC = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
CLIP = "heel_slide_left_side.mp4"


def still_y4m(clip, out, seconds: float = 20.0, fps: int = 15):
    """A y4m of ``clip``'s first frame held ``seconds``: someone lying still."""
    with VideoReader(clip, max_size=480) as reader:
        first = next(iter(reader)).rgb
    height, width = first.shape[0] // 2 * 2, first.shape[1] // 2 * 2
    container = av.open(str(out), "w", format="yuv4mpegpipe")
    stream = container.add_stream("rawvideo", rate=Fraction(fps))
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    for _ in range(round(seconds * fps)):
        _write(container, stream, first[:height, :width])
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    return out


@pytest.fixture(scope="module")
def side_camera(playwright_instance, tmp_path_factory):
    """A browser whose fake camera films a person lying still, from the side."""
    clip = samples_dir() / CLIP
    if not clip.exists():
        pytest.skip(f"{CLIP} is not bundled")
    y4m = still_y4m(clip, tmp_path_factory.mktemp("setup") / "side.y4m")
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={y4m}",
            *BASE_ARGS,
        ],
    )
    yield browser
    browser.close()


def test_a_camera_at_the_side_is_told_what_to_fix_before_counting(
    app_server, side_camera, artifacts
):
    url, _ = app_server
    context = side_camera.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    try:
        page.goto(f"{url}/live")
        expect(page.get_by_role("heading", name="Live coaching")).to_be_visible()
        page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()
        expect(page.get_by_text("Before you start")).to_be_visible(timeout=90_000)
        fix = page.get_by_text("Camera view — place the camera beyond your feet")
        expect(fix).to_be_visible(timeout=60_000)
        expect(
            page.get_by_text(re.compile("^Filmed from the side: sideways heel drift"))
        ).to_be_visible()
        # The checks it can't judge from there, and a drawing of where the camera goes.
        expect(page.get_by_text("Can't be judged from here: sideways heel drift")).to_be_visible()
        expect(page.locator("svg title", has_text="the camera at the end")).to_have_count(1)
        keep_screenshot(page, "live-setup", artifacts, readme=True)
        # Lying still, nothing is counted.
        assert "Ready." not in page.inner_text("body")
    except Exception:
        keep_screenshot(page, "failed-live-setup", artifacts)
        raise
    finally:
        context.close()
