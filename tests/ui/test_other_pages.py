"""The History, Exercises and Live pages in AppTest."""

from __future__ import annotations

import csv
import io

from streamlit.testing.v1 import AppTest

from formcheck.history import DB_ENV
from formcheck.live import LiveVideo
from formcheck.specs import find_spec
from tests.factories import write_clip
from tests.ui.conftest import TIMEOUT
from tests.ui.pages import exercises_page, history_page, live_page


def result(reps=3):
    return {
        "exercise": "heel_slide",
        "side": "left",
        "view": "end_on",
        "reps": reps,
        "partial_reps": 0,
        "rep_table": [
            {
                "rep": n,
                "side": "left",
                "status": "full",
                "start": 4.0 * n,
                "end": 4.0 * n + 3,
                "duration": 3.0,
                "rom_min": 85.0,
                "rom_max": 172.0,
                "flags": ["heel_off_line"] if n == 2 else [],
            }
            for n in range(1, reps + 1)
        ],
        "flags": [
            {
                "code": "heel_off_line",
                "rep": 2,
                "t": 9.5,
                "value": 4.2,
                "limit": 3.0,
                "unit": "cm",
                "message": "Keep the heel on a straight track.",
            }
        ],
    }


def test_history_lists_a_saved_session_with_its_reps_and_trends(db, downloads):
    sid = db.save_result(result(3), source="clip", clip_name="monday.mp4")
    at = AppTest.from_function(history_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    sessions = at.dataframe[0].value
    assert sessions["reps"].tolist() == [3]
    assert sessions["exercise"].tolist() == ["Heel slide"]
    assert sessions["flags"].tolist() == ["sideways heel drift ×1"]
    reps = at.dataframe[1].value
    assert reps["flags"].tolist() == ["", "sideways heel drift", ""]
    at.selectbox(key="history.exercise").set_value("heel_slide").run()
    assert any("Trends" in h.value for h in at.subheader)
    exported = downloads(at, "Export CSV").decode()
    assert exported == db.export_csv(sid)  # the session shown, as the History exports it
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["session"], r["rep"], r["flags"]) for r in rows] == [
        (str(sid), "1", ""),
        (str(sid), "2", "heel_off_line"),
        (str(sid), "3", ""),
    ]


def db_ids(db):
    return [s.id for s in db.sessions()]  # the page's order: newest first


def test_history_says_which_sessions_were_interrupted_continued_or_are_in_progress(db):
    import sqlite3

    rep = result(1)["rep_table"][0]
    crashed = db.start_session(exercise="heel_slide", side="auto", source="live")
    db.record_rep(crashed, rep)
    with sqlite3.connect(db.path) as conn:  # its app died long ago: no heartbeat since
        conn.execute(
            "UPDATE sessions SET updated_at = '2020-01-01T10:00:00+00:00' WHERE id = ?", (crashed,)
        )
    continued = db.start_session(exercise="heel_slide", side="auto", source="live")
    db.record_rep(continued, rep)
    db.continue_session(continued)
    db.append_rep(continued, rep)
    db.finish_session(continued, run=2)
    recording = db.start_session(exercise="heel_slide", side="auto", source="live")
    db.record_rep(recording, rep)
    at = AppTest.from_function(history_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("session")
    assert table.loc[crashed, "state"] == "interrupted"
    assert table.loc[continued, "state"] == "finished, 2 camera runs"
    assert table.loc[recording, "state"] == "in progress"
    assert table.loc[crashed, "reps"] == 1  # what it saved before the app died is all there
    picker = at.selectbox(key="history.session")
    labels = dict(zip(db_ids(db), picker.options, strict=True))
    assert labels[crashed].endswith("· 1 rep · interrupted")
    assert labels[continued].endswith("· 2 reps")
    picker.set_value(crashed).run()
    assert at.dataframe[1].value["rep"].tolist() == [1]


def test_history_deletes_a_session_only_when_confirmed(db):
    keep = db.save_result(result(2), source="live")
    gone = db.save_result(result(4), source="clip")
    at = AppTest.from_function(history_page, default_timeout=TIMEOUT).run()
    assert at.selectbox(key="history.session").value == gone  # newest first
    assert at.button(key="history.delete").disabled
    at.checkbox(key=f"history.confirm.{gone}").check().run()
    at.button(key="history.delete").click().run()
    assert not at.exception
    assert [s.id for s in db.sessions()] == [keep]
    assert at.dataframe[0].value["session"].tolist() == [keep]
    # The next session takes the freed id: its delete must be confirmed afresh.
    assert db.save_result(result(1), source="clip") == gone
    at.run()
    at.selectbox(key="history.session").set_value(gone).run()
    assert at.checkbox(key=f"history.confirm.{gone}").value is False
    assert at.button(key="history.delete").disabled


def test_history_shows_a_kept_video_offers_it_and_deletes_it_with_the_session(db, tmp_path):
    clip = write_clip(tmp_path / "annotated.mp4", frames=6).read_bytes()
    plain = db.save_result(result(2), source="clip")
    filmed = db.save_result(result(3), source="clip")
    video = db.attach_video(filmed, clip)
    at = AppTest.from_function(history_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    sessions = at.dataframe[0].value
    assert dict(zip(sessions["session"], sessions["video"], strict=True)) == {
        filmed: "kept",
        plain: "",
    }
    assert at.selectbox(key="history.session").value == filmed  # newest first
    assert len(at.get("video")) == 1
    assert "Download the video (MP4)" in [d.proto.label for d in at.get("download_button")]
    assert at.checkbox(key=f"history.confirm.{filmed}").label == (
        "Yes, delete this session and its video"
    )
    at.checkbox(key=f"history.confirm.{filmed}").check().run()
    at.button(key="history.delete").click().run()
    assert not at.exception
    assert [s.id for s in db.sessions()] == [plain]
    assert not video.exists() and list(db.videos_dir.iterdir()) == []
    assert not at.get("video")  # the plain session is shown now: no video, no download
    assert "Download the video (MP4)" not in [d.proto.label for d in at.get("download_button")]


def test_history_says_when_a_kept_video_went_missing(db):
    sid = db.save_result(result(2), source="live")
    db.attach_video(sid, b"video").unlink()
    at = AppTest.from_function(history_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.dataframe[0].value["video"].tolist() == ["missing"]
    assert "This session's video is missing" in at.warning[0].value
    assert not at.get("video")


def test_a_video_that_cannot_be_removed_keeps_the_session_and_says_why(db):
    sid = db.save_result(result(2), source="clip")
    video = db.attach_video(sid, b"video")
    video.unlink()
    video.mkdir()  # a folder where the file was: it can't be unlinked
    (video / "x").write_bytes(b"")
    at = AppTest.from_function(history_page, default_timeout=TIMEOUT).run()
    at.checkbox(key=f"history.confirm.{sid}").check().run()
    at.button(key="history.delete").click().run()
    assert not at.exception
    assert at.error[0].value.startswith(f"session {sid}: not deleted, its video ")
    assert [s.id for s in db.sessions()] == [sid]


def test_history_with_no_sessions_says_how_to_add_one(db):
    at = AppTest.from_function(history_page, default_timeout=TIMEOUT).run()
    assert "No sessions yet" in at.info[0].value


def test_exercises_shows_the_library_from_the_specs(db):
    at = AppTest.from_function(exercises_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.header[0].value == "Heel slide"
    headings = [h.value for h in at.subheader]
    assert headings[:3] == ["Setup", "Cues", "Camera placement"]
    assert "beyond your feet" in at.info[0].value
    checks = at.dataframe[0].value
    assert "Sideways heel drift" in checks["Check"].tolist()


def test_a_limit_saved_on_exercises_is_kept_and_a_bad_one_names_its_check(db):
    at = AppTest.from_function(exercises_page, default_timeout=TIMEOUT).run()
    at.number_input(key="limits.heel_slide.heel_off_line").set_value(-1.0)
    at.button[0].click().run()  # Save my limits
    assert not at.exception
    (error,) = at.error
    assert "Sideways heel drift limit must be between 0 and 50 cm" in error.value
    assert "previous limits are still in use" in error.value
    assert db.overrides("heel_slide") == {}

    at.number_input(key="limits.heel_slide.heel_off_line").set_value(4.5)
    at.button[0].click().run()
    assert not at.error
    assert db.overrides("heel_slide") == {"heel_off_line": 4.5}
    at.button[1].click().run()  # back to the exercise's limits
    assert db.overrides("heel_slide") == {}


def test_live_page_offers_the_camera_and_the_placement_hint(db):
    at = AppTest.from_function(live_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Live coaching"
    infos = [i.value for i in at.info]
    assert any("works when the app runs in a browser" in i for i in infos)
    # Once, and short: the placement's first sentence (issue 15 item 7).
    camera = [m.value for m in [*at.info, *at.markdown] if "beyond your feet" in m.value]
    assert camera == [
        "**Camera:** Raise the camera beyond your feet to about the chest height of a standing "
        "adult (a shelf or a tripod, 1.2 to 1.8 metres up), about one and a half metres past your "
        "heels, and tilt it down along your body so both hips and both heels are in view."
    ]


def test_live_page_records_video_only_when_asked(db):
    from formcheck.ui.page_live import _factory

    at = AppTest.from_function(live_page, default_timeout=TIMEOUT).run()
    record = at.toggle(key="live.record")
    assert (record.label, record.value, record.disabled) == (
        "Record this session's video",
        False,
        False,
    )
    assert "on this machine" in record.help and "never leaves" in record.help
    spec = find_spec("heel_slide")
    off = _factory(spec, "auto", "full", db)().live
    on = _factory(spec, "auto", "full", db, record=True)().live
    assert off.video is None and off.recorder is not None
    assert isinstance(on.video, LiveVideo) and on.recorder.history is db
    assert on.video.size == (640, 480)  # what the camera is asked for, not its first frame
    off.close()
    on.close()


def test_live_page_offers_no_recording_without_a_history(db, tmp_path, monkeypatch):
    broken = tmp_path / "notes.sqlite3"
    broken.write_text("not a database " * 100)
    monkeypatch.setenv(DB_ENV, str(broken))
    at = AppTest.from_function(live_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "The history can't be used" in at.error[0].value
    assert at.toggle(key="live.record").disabled


def test_live_page_reports_a_malformed_ice_setting_and_stays_usable(db, monkeypatch):
    monkeypatch.setenv("FORMCHECK_ICE_SERVERS", "[{'urls': 'stun:x'}]")
    at = AppTest.from_function(live_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "FORMCHECK_ICE_SERVERS: not JSON" in at.error[0].value
    assert at.title[0].value == "Live coaching"
