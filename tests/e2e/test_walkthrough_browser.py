"""Issue 15 in a real browser: what AppTest can't see (requests, stale elements).

Run alone with ``python -m pytest tests/e2e/test_walkthrough_browser.py -m slow``.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from formcheck.bench.fake_camera import clip_to_y4m
from formcheck.bench.live_browser import CHROMIUM_ARGS
from formcheck.cues import rep_words
from formcheck.history import History
from formcheck.specs import find_spec
from formcheck.ui.common import samples_dir
from tests.e2e.conftest import CHROMIUM, keep_screenshot, running_app
from tests.e2e.test_browser import WEBRTC, metric

pytestmark = pytest.mark.slow


def test_no_request_leaves_the_machine(app_server, page, artifacts):
    url, _ = app_server
    host = urlsplit(url).netloc
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{url}/")
    expect(metric(page, "Reps")).to_be_visible(timeout=120_000)  # the worked example
    # A short walk: another page, its widgets, and back.
    page.get_by_role("link", name="Exercises").click()
    expect(page.get_by_role("heading", name="Exercises")).to_be_visible()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    page.get_by_role("link", name="Review").click()
    expect(metric(page, "Reps")).to_be_visible()
    page.wait_for_timeout(1500)  # late fetches: icons, fonts
    outside = sorted(
        {
            u
            for u in requests
            if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != host
        }
    )
    if outside:
        keep_screenshot(page, "requests-outside", artifacts)
    assert outside == [], f"requests to other hosts: {outside}"
    assert any(urlsplit(u).netloc == host for u in requests)  # the recorder did record


class UploadRaces:
    """Delivers the page's two reruns for a replaced upload to the app together.

    Choosing a file in a single-file uploader that holds one sends two reruns: one
    for the old file's removal (the upload is empty) and, once the new file is
    sent, one with it. When the removal's run ends first, as it does here (a small
    file over localhost), its end clears every element left from the runs before,
    the old error too, and a lingering error can't be seen. When the new file is
    there first, as on a busy machine, the removal's run is cut short and nothing
    is cleared: an error left outside the progress panel stayed up through the
    whole analysis. ``hold`` arranges the second case, every time.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self.armed = False
        self.held: list[bytes] = []
        self.sent_together = 0

    def route(self, ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda message: self._to_app(server, message))

    def hold(self) -> None:
        """Hold the next removal's rerun until the rerun with the new file is sent."""
        self.armed = True

    def _upload(self, message):
        """The files in ``message``'s uploader, if it is a rerun, else None."""
        if not isinstance(message, bytes):
            return None
        msg = BackMsg()
        with contextlib.suppress(Exception):  # not every message is a BackMsg we know
            msg.ParseFromString(message)
        if msg.WhichOneof("type") != "rerun_script":
            return None
        for widget in msg.rerun_script.widget_states.widgets:
            if widget.id.endswith(self.key):
                return list(widget.file_uploader_state_value.uploaded_file_info)
        return None

    def _to_app(self, server, message) -> None:
        files = self._upload(message) if self.armed else None
        if files is not None and not files and not self.held:
            self.held.append(message)  # the removal's rerun
            return
        if files and self.held:
            for early in self.held:
                server.send(early)
            self.held.clear()
            self.armed = False
            self.sent_together += 1
        server.send(message)


def test_a_rejected_upload_error_clears_when_a_new_file_is_chosen(
    app_server, page, camera, tmp_path, artifacts
):
    url, _ = app_server
    _, clip, _ = camera
    notes = tmp_path / "notes.mp4"
    notes.write_text("these are my notes, not a video\n" * 20)
    races = UploadRaces("review.upload")
    page.route_web_socket(re.compile(r"/_stcore/stream$"), races.route)
    page.goto(f"{url}/")
    expect(metric(page, "Reps")).to_be_visible(timeout=120_000)
    page.get_by_text("My own clip", exact=True).click()
    upload = page.locator('input[type="file"]')
    upload.set_input_files(str(notes))
    error = page.get_by_text("notes.mp4: not a video file that can be read")
    expect(error).to_be_visible()
    races.hold()
    upload.set_input_files(str(clip))  # a new file, while the old error is on the page
    analysing = page.get_by_text(re.compile(rf"^Analysing {re.escape(clip.name)}"))
    expect(analysing).to_be_visible()
    assert races.sent_together == 1  # the run for the removal did not clear the page
    # Gone within a second of the new clip's progress, while that clip is still being
    # analysed (several seconds here): not only once its results are drawn.
    expect(error).to_have_count(0, timeout=1_000)
    assert analysing.is_visible(), "the analysis ended before the error was checked"
    keep_screenshot(page, "review-new-upload-after-error", artifacts)
    expect(page.get_by_role("button", name="Save to history")).to_be_visible(timeout=120_000)
    expect(error).to_have_count(0)


def test_resetting_limits_shows_the_exercise_value_in_the_box(app_server, page):
    # AppTest draws every run afresh; a browser keeps a box's value across runs,
    # which is how the old limit stayed on screen after the reset.
    url, db = app_server
    History(db).set_overrides("heel_slide", {"heel_off_line": 6.0})
    page.goto(f"{url}/exercises")
    box = page.get_by_role("spinbutton", name=re.compile("^sideways heel drift", re.I))
    expect(box).to_have_value("6.00")
    page.get_by_role("button", name="Back to the exercise's limits").click()
    expect(page.get_by_text("Back to the exercise's own limits.")).to_be_visible()
    expect(box).to_have_value("4.00")
    assert History(db).overrides("heel_slide") == {}


def test_two_downloads_back_to_back_both_arrive(app_server, page, tmp_path):
    # A download click used to rerun the page, and the rerun replaced every deferred
    # button's file: a second click right after asked for a file already dropped
    # (`MediaFileStorageError: Deferred file … not found`) and nothing arrived.
    url, _ = app_server
    page.goto(f"{url}/")
    mp4 = page.get_by_role("button", name="Annotated video (MP4)")
    expect(mp4).to_be_visible(timeout=120_000)  # the worked example
    arrived = []
    page.on("download", lambda d: arrived.append(d))
    page.get_by_role("button", name="Full result (JSON)").click()
    mp4.click()  # no pause: the next click follows at once
    page.get_by_role("button", name="Landmark file (JSONL)").click()
    deadline = 90_000
    while len(arrived) < 3 and deadline > 0:
        page.wait_for_timeout(500)
        deadline -= 500
    names = sorted(d.suggested_filename.rsplit(".", 2)[-2] for d in arrived)
    assert names == ["annotated", "landmarks", "result"], [d.suggested_filename for d in arrived]
    files = {d.suggested_filename.rsplit(".", 2)[-2]: d.path().read_bytes() for d in arrived}
    assert "rep_table" in json.loads(files["result"])
    assert files["annotated"][4:8] == b"ftyp"
    # The very bytes the page's own video plays.
    src = page.locator("video").first.get_attribute("src")
    assert files["annotated"] == page.request.get(urljoin(url + "/", src)).body()
    first = files["landmarks"].splitlines()[0]
    assert json.loads(first)


#: The count of full reps the page shows.
SHOWN_REPS = """Number([...document.querySelectorAll('[data-testid="stMetric"]')]
  .find((m) => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === "Reps")
  ?.querySelector('[data-testid="stMetricValue"]').innerText ?? 0)"""
#: Records what the page asks the browser to say, instead of saying it (every frame gets it;
#: the speech component speaks through its parent, the page).
RECORD_SPEECH = """
(() => {
  window.__spoken = [];
  const fake = {
    speaking: false, pending: false,
    speak: (u) => { window.__spoken.push(u.text); },
    cancel: () => { window.__spoken.push("<cancel>"); },
  };
  Object.defineProperty(window, "speechSynthesis", { value: fake, configurable: true });
})();
"""


def test_live_says_every_rep_once_in_order(page, tmp_path, artifacts):
    # The browser was asked to say "Rep 2".."Rep 6" and "Rep 8": reps 1, 7 and 9 were lost
    # (only the newest event of a page run was spoken, and a cue pushed a rep aside).
    with running_app(tmp_path / "history.sqlite3", artifacts / "streamlit-speech.log") as (
        url,
        _,
    ):
        page.add_init_script(RECORD_SPEECH)
        page.goto(f"{url}/live")
        expect(page.get_by_role("heading", name="Live coaching")).to_be_visible()
        speak = page.get_by_role("switch", name="Speak cues")
        page.get_by_role("paragraph").filter(has_text=re.compile("^Speak cues$")).click()
        expect(speak).to_be_checked()
        page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()
        # How many reps a loaded machine counts is not this test's business: what is
        # counted must be said.
        page.wait_for_function(f"() => ({SHOWN_REPS}) >= 3", timeout=240_000)
        shown = page.evaluate(SHOWN_REPS)
        # The panel runs twice a second: give the last rep's words time to reach the page.
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(
                "(n) => window.__spoken.filter((t) => t.startsWith('Rep ')).length >= n",
                arg=shown,
                timeout=30_000,
            )
        spoken = page.evaluate("window.__spoken")  # the app stops with the stream
    numbered = [t for t in spoken if t.startswith("Rep ")]
    # More reps may have been counted since: they are numbered on.
    assert numbered == [f"Rep {i}" for i in range(1, len(numbered) + 1)], spoken
    assert len(numbered) >= shown, spoken
    assert "<cancel>" not in spoken  # nothing waits to be said: nothing is cut short


#: A heel slide filmed from beyond the feet whose third rep's heel veers in by 6 cm.
VEER_CLIP = "heel_slide_left_end_on_veer_in.mp4"
#: True once the cue has been said and a rep's words after it.
CUE_THEN_REP = """(cue) => {
  const i = window.__spoken.indexOf(cue);
  return i >= 0 && window.__spoken.slice(i + 1).some((t) => /^Rep |ial rep$|ain rep$/.test(t));
}"""


def is_rep(text: str) -> bool:
    """Whether ``text`` is a rep's words (`formcheck.cues.rep_words`)."""
    return text.startswith("Rep ") or text.endswith(" rep")


def ended(rep) -> float:
    """When ``rep`` ended, for the history's reps in the order they were counted."""
    return math.inf if rep.end is None else rep.end


def test_live_says_a_fault_s_cue_once_on_its_rep(playwright_instance, tmp_path, artifacts):
    # The clean clip's test above never hears a cue: this camera plays a rep that drifts.
    clip = samples_dir() / VEER_CLIP
    if not clip.exists():
        pytest.skip(f"{clip.name} is not bundled")
    cue = find_spec("heel_slide").check("heel_off_line").cue
    y4m, _ = clip_to_y4m(clip, tmp_path / "veer.y4m")
    db = tmp_path / "history.sqlite3"
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={y4m}"],
    )
    try:
        with running_app(db, artifacts / "streamlit-cue.log") as (url, _):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.add_init_script(RECORD_SPEECH)
            page.goto(f"{url}/live")
            expect(page.get_by_role("heading", name="Live coaching")).to_be_visible()
            page.get_by_role("paragraph").filter(has_text=re.compile("^Speak cues$")).click()
            expect(page.get_by_role("switch", name="Speak cues")).to_be_checked()
            page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()
            # The cue is said as the rep drifts, then that rep's words once it is done.
            try:
                page.wait_for_function(CUE_THEN_REP, arg=cue, timeout=240_000)
            finally:
                spoken = page.evaluate("window.__spoken")
                keep_screenshot(page, "live-fault-cue", artifacts)
            said = [t for t in spoken if is_rep(t)]
            # The reps go to the history on the saver's thread: it may be a moment behind.
            history = History(db)
            deadline = time.monotonic() + 30
            while True:
                sessions = history.sessions()
                reps = sorted(history.reps(sessions[0].id), key=ended) if sessions else []
                if len(reps) >= len(said) or time.monotonic() > deadline:
                    break
                page.wait_for_timeout(250)
    finally:
        browser.close()
    # Every rep the history holds, in the order they ended, said once (the history numbers
    # each side's reps: the far leg's misread knee, say, is that side's "Rep 1").
    assert said == [rep_words(r) for r in reps][: len(said)], (spoken, reps)
    # The cue once (a cooldown of 15 s), while its rep was under way: after the rep before
    # it, before its own words.
    assert spoken.count(cue) == 1, spoken
    flagged = [i for i, r in enumerate(reps) if "heel_off_line" in r.flags]
    assert flagged, (spoken, reps)
    before = [t for t in spoken[: spoken.index(cue)] if is_rep(t)]
    assert len(before) == flagged[0], (spoken, reps)
    assert "<cancel>" not in spoken
