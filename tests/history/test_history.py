"""The history database: migrations, WAL, transactions, concurrency, delete, export, trends."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from formcheck.engine import RepCounts
from formcheck.history import (
    DB_ENV,
    INTERRUPTED_AFTER_SECONDS,
    MIGRATIONS,
    SCHEMA_VERSION,
    VIDEOS_SUFFIX,
    History,
    HistoryError,
    default_db_path,
    stamp_time,
)
from tests.factories import HeldLock


def rep(n, status="full", rom=(85.0, 172.0), flags=(), side="left"):
    return {
        "rep": n,
        "side": side,
        "status": status,
        "start": n * 4.0,
        "end": n * 4.0 + 3.0,
        "duration": 3.0,
        "rom_min": rom[0],
        "rom_max": rom[1],
        "flags": list(flags),
    }


def flag(n, code="heel_off_line", value=4.2):
    return {
        "code": code,
        "rep": n,
        "t": n * 4.0 + 1.5,
        "value": value,
        "limit": 3.0,
        "unit": "cm",
        "message": "Keep the heel on a straight track.",
    }


def result(reps=3, flagged=(2,)):
    table = [rep(n, flags=["heel_off_line"] if n in flagged else []) for n in range(1, reps + 1)]
    return {
        "exercise": "heel_slide",
        "side": "left",
        "view": "end_on",
        "reps": reps,
        "partial_reps": 0,
        "rep_table": table,
        "flags": [flag(n) for n in flagged],
    }


@pytest.fixture
def history(tmp_path):
    return History(tmp_path / "history.sqlite3")


def test_a_new_database_is_at_the_latest_schema_in_wal_mode(history):
    assert history.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    assert history.journal_mode() == "wal"


def test_an_old_database_is_migrated_and_keeps_its_sessions(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO sessions (started_at, updated_at, exercise, side, source, reps) "
        "VALUES ('2025-01-01T10:00:00+00:00', '2025-01-01T10:00:00+00:00', 'heel_slide', "
        "'left', 'clip', 4)"
    )
    conn.commit()
    conn.close()
    history = History(path)
    assert history.schema_version() == SCHEMA_VERSION
    assert [(s.reps, s.runs) for s in history.sessions()] == [(4, 1)]
    history.set_overrides("heel_slide", {"heel_off_line": 4.0})  # the table migration 2 added
    assert history.overrides("heel_slide") == {"heel_off_line": 4.0}


def test_a_database_from_a_newer_formcheck_is_refused_clearly(tmp_path):
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match=r"schema version \d+ is newer than this formcheck's"):
        History(path)


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("not a database " * 100)
    with pytest.raises(HistoryError, match="not a formcheck history database"):
        History(path)


def test_a_database_another_program_keeps_locked_is_busy_not_damaged(tmp_path, short_wait):
    # A rollback-journal file (as another tool may create it) held in an exclusive
    # write: it can't even be read. It used to be called "not a formcheck history".
    path = tmp_path / "held.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE theirs (x)")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO theirs VALUES (1)")
    try:
        with pytest.raises(HistoryError, match=r"held\.sqlite3: busy: another program") as err:
            History(path)
        assert "not a formcheck history" not in str(err.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert History(path).sessions() == []  # once it lets go, the same file opens


def test_a_write_that_waits_too_long_for_a_lock_is_busy_and_saves_nothing(history, short_wait):
    lock = HeldLock(history.path)
    try:
        with pytest.raises(HistoryError, match="busy: another program has kept the history"):
            history.save_result(result(), source="clip")
    finally:
        lock.release()
    assert history.sessions() == []
    assert history.save_result(result(), source="clip") >= 1  # and works once free


def test_the_database_lives_where_formcheck_db_points(tmp_path, monkeypatch):
    monkeypatch.setenv(DB_ENV, str(tmp_path / "elsewhere.sqlite3"))
    assert default_db_path() == tmp_path / "elsewhere.sqlite3"
    assert History().path == tmp_path / "elsewhere.sqlite3"
    monkeypatch.delenv(DB_ENV)
    assert default_db_path().name == "history.sqlite3"


def test_a_saved_result_lists_its_reps_and_flags(history):
    sid = history.save_result(result(), source="clip", clip_name="slides.mp4")
    (session,) = history.sessions()
    assert (session.id, session.exercise, session.side, session.source) == (
        sid,
        "heel_slide",
        "left",
        "clip",
    )
    assert (session.status, session.view, session.reps, session.partial_reps) == (
        "finished",
        "end_on",
        3,
        0,
    )
    assert session.flag_counts == {"heel_off_line": 1}
    assert session.flags_per_rep == pytest.approx(1 / 3)
    assert [r.flags for r in history.reps(sid)] == [(), ("heel_off_line",), ()]
    (stored_flag,) = history.flags(sid)
    assert (stored_flag.rep, stored_flag.value, stored_flag.limit) == (2, 4.2, 3.0)
    assert history.result(sid)["rep_table"][1]["rep"] == 2


def test_live_reps_are_saved_one_by_one_and_recording_again_replaces(history):
    sid = history.start_session(exercise="heel_slide", side="auto", source="live")
    history.record_rep(sid, rep(1))
    partial = rep(2, status="partial", flags=["partial_range"])
    history.record_rep(sid, partial, [flag(2, "partial_range")])
    history.update_session(sid, view="end_on", side="left")
    session = history.session(sid)
    assert (session.status, session.reps, session.partial_reps, session.view, session.side) == (
        "running",
        1,
        1,
        "end_on",
        "left",
    )
    history.record_rep(sid, rep(2, flags=[]))  # the same rep again, now judged full
    assert (history.session(sid).reps, history.session(sid).partial_reps) == (2, 0)
    assert history.flags(sid) == []
    history.finish_session(sid)
    assert history.session(sid).status == "finished"


def test_reps_take_new_statuses_and_the_counts_follow(history):
    # Live saves each rep as judged then; the run's end judges them all again.
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    for n in (1, 2, 3):
        history.record_rep(sid, rep(n))
    history.restatus(sid, {(1, "left"): "partial", (9, "left"): "partial"})  # 9: none
    assert [r.status for r in history.reps(sid)] == ["partial", "full", "full"]
    assert history.session(sid).counts == RepCounts(full=2, partial=1)
    with pytest.raises(ValueError, match="expected one of full, partial, uncertain, got 'x'"):
        history.restatus(sid, {(2, "left"): "x"})
    assert [r.status for r in history.reps(sid)] == ["partial", "full", "full"]


def test_uncertain_reps_are_counted_apart_from_the_full_ones(history):
    # The engine's meaning (`RepCounts`): an uncertain rep is not a rep, nor partial.
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    for n, status in enumerate(["full", "uncertain", "full", "partial"], 1):
        history.record_rep(sid, rep(n, status=status))
    session = history.session(sid)
    assert (session.reps, session.partial_reps, session.uncertain_reps) == (2, 1, 1)
    assert session.counts.total == 4
    with pytest.raises(ValueError, match="expected one of full, partial, uncertain, got 'done'"):
        history.record_rep(sid, rep(5, status="done"))
    assert len(history.reps(sid)) == 4  # the refused rep left nothing behind


def test_a_version_4_database_moves_uncertain_reps_out_of_its_rep_counts(tmp_path):
    # Until version 5 a session's ``reps`` counted its uncertain reps with the full ones.
    path = tmp_path / "v4.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(";".join(MIGRATIONS[:4]) + "; PRAGMA user_version = 4;")
    sessions = [(1, 3, 1, ["full", "uncertain", "full", "partial"]), (2, 4, 0, [])]
    for sid, reps, partial, statuses in sessions:
        conn.execute(
            "INSERT INTO sessions (id, started_at, updated_at, exercise, side, source, reps, "
            "partial_reps) VALUES (?, '2025-01-01T10:00:00+00:00', '2025-01-01T10:05:00+00:00', "
            "'heel_slide', 'left', 'live', ?, ?)",
            (sid, reps, partial),
        )
        for n, status in enumerate(statuses, 1):
            conn.execute(
                "INSERT INTO reps (session_id, rep, side, status, rom_min, rom_max) "
                "VALUES (?, ?, 'left', ?, 80, 170)",
                (sid, n, status),
            )
    conn.commit()
    conn.close()
    history = History(path)
    assert history.schema_version() == SCHEMA_VERSION == 5
    counts = {s.id: (s.reps, s.partial_reps, s.uncertain_reps) for s in history.sessions()}
    # Session 2 has no rep rows to recount: its count is kept as it was.
    assert counts == {1: (2, 1, 1), 2: (4, 0, 0)}


def test_a_failed_write_leaves_nothing_half_done(history):
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    bad_flag = {"rep": 1}  # no "code": the flag insert fails after the rep insert
    with pytest.raises(KeyError):
        history.record_rep(sid, rep(1), [bad_flag])
    assert history.reps(sid) == []
    assert history.session(sid).reps == 0


def test_delete_removes_a_session_with_its_reps_and_flags(history):
    keep = history.save_result(result(), source="clip")
    gone = history.save_result(result(), source="clip")
    assert history.delete_session(gone) is True
    assert history.delete_session(gone) is False
    assert [s.id for s in history.sessions()] == [keep]
    assert history.reps(gone) == [] and history.flags(gone) == []
    with pytest.raises(HistoryError, match=f"session {gone}: no such session"):
        history.session(gone)


def test_export_csv_has_one_row_per_rep(history):
    sid = history.save_result(result(), source="clip")
    rows = list(csv.DictReader(io.StringIO(history.export_csv(sid))))
    assert [r["rep"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["flags"] == "heel_off_line"
    assert (rows[0]["exercise"], rows[0]["rom_max"], rows[0]["duration_s"]) == (
        "heel_slide",
        "172",
        "3",
    )


def test_trends_give_reps_rom_and_flag_share_per_session(history):
    first = history.save_result(result(reps=4, flagged=(1, 2)), source="clip")
    second = history.save_result(result(reps=2, flagged=()), source="live")
    history.save_result({**result(), "exercise": "clamshell"}, source="clip")
    points = history.trends("heel_slide")
    assert [p.session_id for p in points] == [first, second]  # oldest first
    assert [p.reps for p in points] == [4, 2]
    assert points[0].rom == pytest.approx(87.0)
    assert points[0].peak == pytest.approx(172.0)
    assert points[0].flag_share == {"heel_off_line": 0.5}
    # A session with no flags is a 0 % point, so an improvement to none shows.
    assert points[1].flag_share == {"heel_off_line": 0.0}
    assert [(p.side, p.source) for p in points] == [("left", "clip"), ("left", "live")]


def test_trends_give_each_side_its_own_point(history):
    table = [rep(1), {**rep(2, flags=["heel_off_line"]), "side": "right"}, rep(3)]
    sid = history.save_result(
        {**result(reps=3), "side": "both", "rep_table": table}, source="clip", clip_name="a.mp4"
    )
    points = history.trends("heel_slide")
    assert [(p.session_id, p.side, p.reps) for p in points] == [(sid, "left", 2), (sid, "right", 1)]
    assert [p.flag_share for p in points] == [{"heel_off_line": 0.0}, {"heel_off_line": 1.0}]
    assert {p.clip_name for p in points} == {"a.mp4"}


def test_trends_leave_uncertain_reps_out_of_range_of_motion(history):
    # An uncertain rep's far end was not seen: its range would be a guess.
    table = [rep(1), rep(2, status="uncertain", rom=(85.0, 120.0)), rep(3, status="partial")]
    data = {**result(), "rep_table": table, "flags": []}
    history.save_result(data, source="clip")
    (point,) = history.trends("heel_slide")
    assert (point.reps, point.partial_reps, point.uncertain_reps) == (1, 1, 1)
    assert (point.rom, point.peak) == (pytest.approx(87.0), pytest.approx(172.0))


def test_nan_values_are_stored_as_missing(history):
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    history.record_rep(sid, {**rep(1), "rom_min": float("nan")})
    assert history.reps(sid)[0].rom_min is None


def test_overrides_round_trip_and_clear(history):
    history.set_overrides("heel_slide", {"heel_off_line": 4.0, "pelvis_shift": 2.0})
    assert history.overrides("heel_slide") == {"heel_off_line": 4.0, "pelvis_shift": 2.0}
    assert history.overrides("clamshell") == {}
    history.set_overrides("heel_slide", {})
    assert history.overrides("heel_slide") == {}


def test_a_worker_thread_writes_while_the_page_reads(history):
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    errors = []

    def worker():
        try:
            for n in range(1, 21):
                history.record_rep(sid, rep(n))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        history.sessions()
    thread.join()
    assert errors == []
    assert history.session(sid).reps == 20


def test_an_unknown_source_is_refused(history):
    with pytest.raises(ValueError, match="source: expected one of live, clip, got 'webcam'"):
        history.start_session(exercise="heel_slide", side="left", source="webcam")


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing_and_never_see_a_lock(tmp_path):
    # Two real OS processes, released together on a fresh file: both migrate it,
    # then interleave many short write transactions with reads.
    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "shared.sqlite3"
    sessions, reps = 4, 12
    command = [sys.executable, "-m", "tests.history.writer", str(path)]
    writers = [
        subprocess.Popen(
            [*command, name, str(sessions), str(reps)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for writer in writers:  # both have imported formcheck and wait for the signal
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outputs = [writer.communicate(timeout=120) for writer in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert "database is locked" not in err
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    history = History(path)
    stored = {s.id: s for s in history.sessions()}
    expected = [row for report in reports for row in report["sessions"]]
    assert len(expected) == 2 * 2 * sessions
    assert sorted(stored) == sorted(row["id"] for row in expected)  # every row, no strays
    for row in expected:
        session = stored[row["id"]]
        assert (session.reps, session.status) == (row["reps"], "finished")
        assert [r.rep for r in history.reps(row["id"])] == list(range(1, row["reps"] + 1))
        assert session.flag_counts == {"heel_off_line": row["flags"]}
    live = [s for s in stored.values() if s.source == "live"]
    assert sorted(s.settings["writer"] for s in live) == ["a"] * sessions + ["b"] * sessions
    assert history.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_new_file_opens_while_another_connection_is_writing_to_it(tmp_path):
    # Switching a file to WAL doesn't wait with the busy timeout when another
    # connection holds the write lock: it failed at once with "database is locked".
    path = tmp_path / "new.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE notes (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes VALUES (1)")
    release = threading.Timer(0.2, other.execute, ("COMMIT",))
    release.start()
    history = History(path)
    release.join()
    other.close()
    assert (history.journal_mode(), history.schema_version()) == ("wal", SCHEMA_VERSION)


def test_a_continued_session_numbers_its_new_reps_after_the_saved_ones(history):
    sid = history.start_session(exercise="heel_slide", side="auto", source="live")
    for n in (1, 2, 3):
        history.record_rep(sid, rep(n))
    history.record_rep(sid, rep(1, side="right"))
    history.finish_session(sid)
    assert history.continue_session(sid) == 2
    assert (history.session(sid).status, history.session(sid).runs) == ("running", 2)
    # The new run's engine counts from 1 again; the history numbers after the saved reps.
    assert history.append_rep(sid, rep(1, flags=["heel_off_line"]), [flag(1)]) == 4
    assert history.append_rep(sid, rep(2)) == 5
    assert history.append_rep(sid, rep(1, side="right")) == 2  # each side has its own count
    assert [(r.rep, r.side) for r in history.reps(sid)] == [
        (1, "left"),
        (1, "right"),
        (2, "left"),
        (2, "right"),
        (3, "left"),
        (4, "left"),
        (5, "left"),
    ]
    assert [(f.rep, f.side) for f in history.flags(sid)] == [(4, "left")]
    assert [r.flags for r in history.reps(sid) if r.rep == 4] == [("heel_off_line",)]
    assert history.session(sid).reps == 7


def test_two_writers_appending_to_one_session_never_take_the_same_number(history):
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    errors = []

    def run():
        try:
            for _ in range(15):
                history.append_rep(sid, rep(1))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [r.rep for r in history.reps(sid)] == list(range(1, 31))


def test_each_run_keeps_its_result_and_a_late_finish_of_an_old_run_leaves_it_running(history):
    sid = history.start_session(exercise="heel_slide", side="auto", source="live")
    history.record_rep(sid, rep(1))
    assert history.continue_session(sid) == 2  # a reloaded tab carries on before run 1 ended
    history.finish_session(sid, {"reps": 1}, run=1)  # the old stream ends late
    assert history.session(sid).status == "running"
    history.finish_session(sid, {"reps": 2}, run=2)
    history.finish_session(sid, {"reps": 2}, run=2)  # twice: the same
    assert history.session(sid).status == "finished"
    assert history.result(sid) == {"reps": 2, "run": 2, "earlier_runs": [{"reps": 1, "run": 1}]}
    assert history.continue_session(sid) == 3
    history.finish_session(sid, {"reps": 4}, run=3)
    stored = history.result(sid)
    assert (stored["reps"], [r["run"] for r in stored["earlier_runs"]]) == (4, [1, 2])


def test_a_session_that_was_finished_before_it_was_continued_keeps_that_result(history):
    sid = history.start_session(exercise="heel_slide", side="auto", source="live")
    history.finish_session(sid, {"reps": 3})
    assert history.result(sid) == {"reps": 3}  # one run: stored as it is
    history.continue_session(sid)
    history.finish_session(sid, {"reps": 1}, run=2)
    assert history.result(sid) == {"reps": 1, "run": 2, "earlier_runs": [{"reps": 3, "run": 1}]}


def test_a_deleted_session_cannot_be_continued_even_when_its_id_is_used_again(history):
    sid = history.start_session(
        exercise="heel_slide", side="auto", source="live", started_at="2025-01-01T10:00:00+00:00"
    )
    history.delete_session(sid)
    with pytest.raises(HistoryError, match=f"session {sid}: no such session"):
        history.continue_session(sid)
    again = history.start_session(exercise="heel_slide", side="auto", source="live")
    assert again == sid  # SQLite hands the freed id to the next session
    with pytest.raises(HistoryError, match=f"session {sid}: no such session"):
        history.continue_session(sid, started_at="2025-01-01T10:00:00+00:00")
    assert (history.session(again).runs, history.session(again).status) == (1, "running")


def test_the_latest_recent_live_session_of_the_exercise_and_side_is_continuable(history):
    def live(side="auto", exercise="heel_slide", reps=1):
        sid = history.start_session(exercise=exercise, side=side, source="live")
        for n in range(1, reps + 1):
            history.record_rep(sid, rep(n))
        return sid

    live(reps=2)
    latest = live(reps=3)
    live(side="left")
    live(exercise="clamshell")
    live(reps=0)  # nothing done in it: nothing to continue
    history.save_result(result(), source="clip")
    now = stamp_time(history.session(latest).updated_at)
    found = history.continuable("heel_slide", "auto", within_seconds=600, now=now)
    assert (found.id, found.reps) == (latest, 3)
    later = now + timedelta(seconds=601)
    assert history.continuable("heel_slide", "auto", within_seconds=600, now=later) is None
    assert history.continuable("heel_slide", "right", within_seconds=600, now=now) is None


def test_a_session_left_running_by_a_dead_app_shows_as_interrupted(history):
    sid = history.start_session(exercise="heel_slide", side="auto", source="live")
    history.record_rep(sid, rep(1))
    session = history.session(sid)
    updated = stamp_time(session.updated_at)
    assert session.state(updated) == "running"
    assert session.state(updated + timedelta(seconds=INTERRUPTED_AFTER_SECONDS)) == "running"
    late = updated + timedelta(seconds=INTERRUPTED_AFTER_SECONDS + 1)
    assert session.state(late) == "interrupted"
    history.update_session(sid)  # a heartbeat: still being recorded
    assert stamp_time(history.session(sid).updated_at) >= updated
    history.finish_session(sid)
    assert history.session(sid).state(late + timedelta(days=1)) == "finished"


# -- kept videos ---------------------------------------------------------------

MP4 = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 40  # content is not checked


def _names(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_an_older_version_2_database_is_migrated_and_keeps_every_session(tmp_path):
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + ";" + MIGRATIONS[1] + "; PRAGMA user_version = 2;")
    for n, (exercise, source) in enumerate([("heel_slide", "clip"), ("clamshell", "live")], 1):
        conn.execute(
            "INSERT INTO sessions (id, started_at, updated_at, exercise, side, source, status, "
            "reps) VALUES (?, ?, ?, ?, 'left', ?, 'finished', 2)",
            (n, f"2025-01-0{n}T10:00:00+00:00", f"2025-01-0{n}T10:05:00+00:00", exercise, source),
        )
        for r in (1, 2):
            conn.execute(
                "INSERT INTO reps (session_id, rep, side, status, rom_min, rom_max, flags) "
                "VALUES (?, ?, 'left', 'full', 80, 170, ?)",
                (n, r, "heel_off_line" if r == 2 else ""),
            )
        conn.execute(
            "INSERT INTO flags (session_id, rep, side, code, value, limit_value, unit) "
            "VALUES (?, 2, 'left', 'heel_off_line', 4.2, 3.0, 'cm')",
            (n,),
        )
    conn.execute(
        "INSERT INTO overrides VALUES ('heel_slide', 'heel_off_line', 4.0, '2025-01-01T10:00')"
    )
    conn.commit()
    conn.close()

    history = History(path)
    assert history.schema_version() == SCHEMA_VERSION == 5
    sessions = history.sessions()
    assert [(s.id, s.exercise, s.source, s.reps, s.runs, s.video) for s in sessions] == [
        (2, "clamshell", "live", 2, 1, None),
        (1, "heel_slide", "clip", 2, 1, None),
    ]
    assert [s.uncertain_reps for s in sessions] == [0, 0]  # the column migration 5 added
    assert [s.flag_counts for s in sessions] == [{"heel_off_line": 1}] * 2
    assert [r.flags for r in history.reps(1)] == [(), ("heel_off_line",)]
    assert history.overrides("heel_slide") == {"heel_off_line": 4.0}
    assert history.video_path(1) is None
    assert not history.videos_dir.exists()  # no folder until a video is kept
    history.attach_video(1, MP4)  # the column migration 4 added
    assert history.session(1).video == "session-1.mp4"


def test_a_kept_video_is_named_from_the_session_id_in_a_private_folder(history, tmp_path):
    sid = history.save_result(result(), source="clip", clip_name="../../evil.mp4")
    other = history.save_result(result(), source="clip")
    path = history.attach_video(sid, MP4)
    assert history.videos_dir == tmp_path / ("history.sqlite3" + VIDEOS_SUFFIX)
    assert path == history.videos_dir / f"session-{sid}.mp4"
    assert path.read_bytes() == MP4
    assert history.video_path(sid) == path
    assert history.session(sid).video == f"session-{sid}.mp4"
    assert (history.video_path(other), history.session(other).video) == (None, None)
    # From rows already read, without a query: the same answers.
    assert [history.kept_video(s) for s in history.sessions()] == [None, path]  # newest first
    assert _names(history.videos_dir) == [f"session-{sid}.mp4"]  # no temporary file left
    assert not list(tmp_path.rglob("evil*"))
    assert stat.S_IMODE(history.videos_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_video_is_copied_from_a_path_and_attaching_again_replaces_it(history, tmp_path):
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    source = tmp_path / "recording.mp4"
    source.write_bytes(MP4)
    path = history.attach_video(sid, source)
    assert path.read_bytes() == MP4 and source.read_bytes() == MP4  # copied, not moved
    history.attach_video(sid, str(source))  # a str path too
    history.attach_video(sid, b"newer")
    assert history.video_path(sid).read_bytes() == b"newer"
    assert _names(history.videos_dir) == [f"session-{sid}.mp4"]


def test_attaching_to_a_missing_session_stores_nothing(history):
    with pytest.raises(HistoryError, match=r"^session 99: no such session"):
        history.attach_video(99, MP4)
    assert _names(history.videos_dir) == []


def test_a_failed_attach_leaves_no_half_file_and_keeps_the_earlier_video(history, tmp_path):
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    history.attach_video(sid, MP4)
    with pytest.raises(HistoryError, match=rf"^session {sid}: the video couldn't be kept in "):
        history.attach_video(sid, tmp_path / "no such recording.mp4")
    assert history.video_path(sid).read_bytes() == MP4  # what the user had is kept
    assert _names(history.videos_dir) == [f"session-{sid}.mp4"]


def test_a_failed_move_into_place_leaves_no_file_and_no_reference(history):
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    blocker = history.videos_dir / f"session-{sid}.mp4"
    blocker.mkdir(parents=True)  # a folder sits where the video goes: os.replace fails
    (blocker / "keep.txt").write_text("not ours")
    with pytest.raises(HistoryError, match=rf"^session {sid}: the video couldn't be kept"):
        history.attach_video(sid, MP4)
    assert history.session(sid).video is None  # the row was rolled back
    assert history.video_path(sid) is None
    assert _names(history.videos_dir) == [f"session-{sid}.mp4"]  # only the folder: no .part
    assert (blocker / "keep.txt").read_text() == "not ours"


class CommitFails(History):
    """A history whose next write fails at the end of its transaction (e.g. disk I/O)."""

    fail = False

    @contextlib.contextmanager
    def _write(self):
        with super()._write() as conn:
            yield conn
            if self.fail:
                raise sqlite3.OperationalError("disk I/O error")


def test_a_commit_that_fails_after_the_move_leaves_no_orphan_file(tmp_path):
    history = CommitFails(tmp_path / "history.sqlite3")
    sid = history.start_session(exercise="heel_slide", side="left", source="live")
    history.fail = True
    with pytest.raises(HistoryError, match=r"disk I/O error"):
        history.attach_video(sid, MP4)
    history.fail = False
    assert history.session(sid).video is None
    assert _names(history.videos_dir) == []


def test_deleting_a_session_deletes_its_video(history):
    keep = history.save_result(result(), source="clip")
    gone = history.save_result(result(), source="clip")
    kept_video = history.attach_video(keep, MP4)
    gone_video = history.attach_video(gone, MP4)
    assert history.delete_session(gone) is True
    assert not gone_video.exists()
    assert kept_video.read_bytes() == MP4
    assert _names(history.videos_dir) == [f"session-{keep}.mp4"]


def test_a_video_that_cannot_be_removed_keeps_its_session(history):
    sid = history.save_result(result(), source="clip")
    video = history.attach_video(sid, MP4)
    video.unlink()
    video.mkdir()  # unlink() now fails (EISDIR): the session must not vanish without it
    (video / "x").write_bytes(b"")
    with pytest.raises(HistoryError, match=rf"^session {sid}: not deleted, its video .* removed"):
        history.delete_session(sid)
    assert history.session(sid).reps == 3 and len(history.reps(sid)) == 3


def test_a_video_gone_missing_is_none_and_the_session_still_deletes(history):
    sid = history.save_result(result(), source="clip")
    history.attach_video(sid, MP4).unlink()  # removed by hand
    assert history.video_path(sid) is None
    assert history.kept_video(history.session(sid)) is None
    assert history.session(sid).video == f"session-{sid}.mp4"
    assert history.delete_session(sid) is True


def test_a_row_naming_another_file_never_reads_or_deletes_it(history, tmp_path):
    victim = history.save_result(result(), source="clip")
    victim_video = history.attach_video(victim, MP4)
    edited = history.save_result(result(), source="clip")
    outside = tmp_path / "notes.txt"
    outside.write_text("mine")
    for name in (victim_video.name, "../notes.txt", str(outside)):
        with sqlite3.connect(history.path) as conn:
            conn.execute("UPDATE sessions SET video = ? WHERE id = ?", (name, edited))
        assert history.video_path(edited) is None
        assert history.kept_video(history.session(edited)) is None
    history.delete_session(edited)
    assert victim_video.read_bytes() == MP4 and outside.read_text() == "mine"


def test_two_databases_in_one_folder_keep_their_videos_apart(tmp_path):
    alice, bob = History(tmp_path / "alice.sqlite3"), History(tmp_path / "bob.sqlite3")
    a = alice.start_session(exercise="heel_slide", side="left", source="live")
    b = bob.start_session(exercise="heel_slide", side="left", source="live")
    assert a == b == 1  # the same session id in both
    alice.attach_video(a, b"alice")
    bob.attach_video(b, b"bob")
    assert alice.video_path(a).read_bytes() == b"alice"
    bob.delete_session(b)
    assert alice.video_path(a).read_bytes() == b"alice"
