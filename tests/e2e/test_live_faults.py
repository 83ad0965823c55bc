"""Live sessions through faults, in a real browser: a killed app, a reload, a lost camera.

Each test drives the Live page with Chromium's fake camera (a rendered heel
slide clip) and checks what the history holds afterwards. They wait on what
the page shows, never on fixed sleeps. Run alone with
``python -m pytest tests/e2e/test_live_faults.py -m slow``; a failing test's
page is kept as a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3

import pytest
from playwright.sync_api import expect

from formcheck.history import History
from tests.e2e.conftest import running_app

pytestmark = pytest.mark.slow

WEBRTC = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
SAVED = re.compile(r"Saved to the history as you go: (\d+) completed reps in session (\d+)")
#: Keeps every camera stream the page opens, so a test can end its tracks as an
#: unplugged camera would. Init scripts run in every frame, the webrtc iframe too.
KEEP_STREAMS = """
(() => {
  const devices = navigator.mediaDevices;
  if (!devices || !devices.getUserMedia) return;
  const open = devices.getUserMedia.bind(devices);
  window.__formcheckStreams = [];
  devices.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    window.__formcheckStreams.push(stream);
    return stream;
  };
})();
"""
UNPLUG = """() => {
  let stopped = 0;
  for (const stream of window.__formcheckStreams || []) {
    for (const track of stream.getTracks()) { track.stop(); stopped += 1; }
  }
  return stopped;
}"""
#: True once the panel says more than ``n`` reps are saved.
SAVED_MORE_THAN = r"""(n) => {
  const m = document.body.innerText.match(/Saved to the history as you go: (\d+) completed reps/);
  return m !== null && Number(m[1]) > n;
}"""


@pytest.fixture(scope="module")
def fault_app(tmp_path_factory, artifacts):
    """The app with a history of its own: these tests continue sessions, and must not
    find the other browser tests' sessions (or leave theirs for them)."""
    db = tmp_path_factory.mktemp("faults") / "history.sqlite3"
    with running_app(db, artifacts / "streamlit-faults.log") as (url, _):
        yield url, db


def fresh(db) -> History:
    """The module's history with no sessions: each test starts from nothing."""
    history = History(db)
    for session in history.sessions():
        history.delete_session(session.id)
    return history


def start_camera(page) -> None:
    page.frame_locator(WEBRTC).get_by_role("button", name="Start camera").click()


def wait_saved(page, more_than: int) -> tuple[int, int]:
    """Wait until the panel shows more than ``more_than`` saved reps; return (reps, session)."""
    page.wait_for_function(SAVED_MORE_THAN, arg=more_than, timeout=120_000)
    found = SAVED.search(page.get_by_text(SAVED).inner_text())
    return int(found.group(1)), int(found.group(2))


def assert_each_side_numbered_in_order(reps: list) -> None:
    """Each side's reps are numbered 1..n. The history numbers a session's reps per side
    (`History.append_rep`): with the side left to the engine, a rep it saw on the
    other leg (the far leg's knee misread as the stream starts, say) is that side's
    rep 1, not the next number of the working leg's."""
    for side in {r.side for r in reps}:
        numbers = [r.rep for r in reps if r.side == side]
        assert numbers == list(range(1, len(numbers) + 1)), side


def assert_one_session_numbered_in_order(history: History, before: list) -> int:
    """The history holds one live session, each side's reps numbered 1..n, ``before``
    among them unchanged, and more of them."""
    (session,) = history.sessions()
    reps = history.reps(session.id)
    assert_each_side_numbered_in_order(reps)
    assert [r for r in reps if r in before] == before
    assert len(reps) > len(before)
    assert session.reps + session.partial_reps == len(reps)
    return session.id


def test_a_killed_app_keeps_every_saved_rep_and_shows_them_after_a_restart(
    page, tmp_path, artifacts
):
    db = tmp_path / "history.sqlite3"
    with running_app(db, artifacts / "streamlit-killed.log") as (url, process):
        page.goto(f"{url}/live")
        start_camera(page)
        shown, sid = wait_saved(page, more_than=1)
        os.kill(process.pid, signal.SIGKILL)  # no shutdown code runs: as a crash or power cut
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    history = History(db)
    (session,) = history.sessions()
    # Every rep the page said was saved is there (one more may have completed meanwhile).
    saved = len(history.reps(session.id))
    assert (session.id, session.status, session.source) == (sid, "running", "live")
    assert saved >= shown and session.reps + session.partial_reps == saved
    assert_each_side_numbered_in_order(history.reps(sid))
    with running_app(db, artifacts / "streamlit-restarted.log") as (url, _):
        page.goto(f"{url}/history")
        # The counts as the app words them: "2 reps", or "1 rep, 1 partial" when the far
        # leg's knee, misread as the stream started, made a short rep of its own.
        counts = re.escape(session.counts.describe())
        label = re.compile(rf"#{sid} · .* · Heel slide · live · {counts} · ")
        expect(page.get_by_role("combobox", name="Session")).to_have_value(label, timeout=60_000)
        grid = page.locator('[data-testid="stDataFrame"]').nth(1)  # the session's reps
        expect(grid.locator("[aria-rowcount]").first).to_have_attribute(
            "aria-rowcount", str(saved + 1)
        )
        # And the set can go on where it stopped.
        page.goto(f"{url}/live")
        offer = page.get_by_role("checkbox", name=re.compile(rf"Continue session {sid} \("))
        expect(offer).to_be_checked()


def test_a_reloaded_tab_continues_the_same_session(fault_app, page):
    url, db = fault_app
    history = fresh(db)
    page.goto(f"{url}/live")
    start_camera(page)
    _, sid = wait_saved(page, more_than=0)
    before = history.reps(sid)
    page.reload()
    offer = page.get_by_role("checkbox", name=re.compile(rf"Continue session {sid} \("))
    expect(offer).to_be_checked()
    start_camera(page)
    expect(page.get_by_text(re.compile(r"from before, continued"))).to_be_visible()
    earlier = len(history.reps(sid))  # the old stream may have saved one more before it died
    wait_saved(page, more_than=earlier)
    assert assert_one_session_numbered_in_order(history, before) == sid
    assert history.session(sid).runs == 2


def test_a_lost_camera_is_noticed_and_starting_again_continues_the_session(fault_app, page):
    url, db = fault_app
    history = fresh(db)
    page.context.add_init_script(KEEP_STREAMS)
    page.goto(f"{url}/live")
    start_camera(page)
    _, sid = wait_saved(page, more_than=0)
    stopped = sum(frame.evaluate(UNPLUG) for frame in page.frames)
    assert stopped >= 1  # the camera's video track, in the webrtc iframe
    expect(page.get_by_text(re.compile(r"No video from the camera for \d+ s"))).to_be_visible()
    before = history.reps(sid)
    page.frame_locator(WEBRTC).get_by_role("button", name="Stop").click()
    offer = page.get_by_role("checkbox", name=re.compile(rf"Continue session {sid} \("))
    expect(offer).to_be_checked()
    start_camera(page)
    wait_saved(page, more_than=len(before))
    assert assert_one_session_numbered_in_order(history, before) == sid
    assert history.session(sid).runs == 2
