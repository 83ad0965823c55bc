"""One rep count everywhere: a set of full, uncertain, full and partial reps reads
2 reps, 1 partial and 1 uncertain on every surface that shows it.

"Reps" are full reps; uncertain reps (part unseen) are shown apart and never
added in, and their range of motion, whose far end was not seen, is left out
of trends. This test uses only names that existed before `RepCounts`, so on
the old code it fails on the counts themselves (the history said 3 reps).
"""

from __future__ import annotations

import csv
import json
from functools import cache

import pytest

from formcheck.cli import main
from formcheck.engine import Engine, analyze
from formcheck.history import History
from formcheck.live import continue_label
from formcheck.simulate import simulate
from formcheck.specs import find_spec
from tests.factories import write_landmarks

STATUSES = ["full", "uncertain", "full", "partial"]


@cache
def mixed_frames():
    """Four heel slides: nobody seen around rep 2's far end (so it is uncertain: a rep seen
    past full before a gap would stay full), rep 4 turning back early."""
    return simulate(
        "heel_slide",
        reps=4,
        side="left",
        view="end_on",
        gaps=((6.9, 9.0),),
        partial_reps=(4,),
        seed=6,
    ).frames


@pytest.fixture(scope="module")
def result():
    res = analyze(mixed_frames(), find_spec("heel_slide"))
    assert [r.status for r in res.rep_table] == STATUSES  # the set this test is about
    return res


def test_the_engine_result_its_json_and_the_live_snapshot_count_full_reps_only(result):
    assert (result.reps, result.partial_reps, result.uncertain_reps) == (2, 1, 1)
    engine = Engine(find_spec("heel_slide"))
    for frame in mixed_frames():
        engine.update(frame)
    snap = engine.snapshot()
    assert (snap.reps, snap.partial_reps, snap.uncertain_reps) == (2, 1, 1)
    data = json.loads(json.dumps(result.to_dict()))
    assert (data["reps"], data["partial_reps"], data["uncertain_reps"]) == (2, 1, 1)


def test_the_history_row_trend_and_continue_offer_count_as_the_engine(result, tmp_path):
    history = History(tmp_path / "history.sqlite3")
    saved = history.save_result(result.to_dict(), source="clip")
    live = history.start_session(exercise="heel_slide", side="auto", source="live")
    for rep in result.rep_table:  # a live session saves rep by rep, raw ranges included
        history.append_rep(live, rep.as_row())
    for sid in (saved, live):
        session = history.session(sid)
        assert (session.reps, session.partial_reps) == (2, 1), sid
        assert session.uncertain_reps == 1
    judged = [r for r in result.rep_table if r.status != "uncertain"]
    rom = sum(r.rom_max - r.rom_min for r in judged) / len(judged)
    for point in history.trends("heel_slide"):
        assert (point.reps, point.partial_reps, point.uncertain_reps) == (2, 1, 1)
        assert point.rom == pytest.approx(rom, abs=0.1)  # stored to 0.1; no uncertain rep
        assert point.peak == pytest.approx(sum(r.rom_max for r in judged) / 3, abs=0.1)
    label = continue_label(history.session(live))
    assert "(2 reps, 1 partial, 1 uncertain;" in label


def test_the_cli_summary_json_and_csv_count_as_the_engine(tmp_path, capsys):
    lm = write_landmarks(tmp_path / "mixed.jsonl", mixed_frames())
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    args = ["analyze", str(lm), "-e", "heel_slide", "--json", str(out_json), "--csv", str(out_csv)]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "2 reps, 1 partial, 1 uncertain (landmarks not seen)"
    data = json.loads(out_json.read_text())
    assert (data["reps"], data["partial_reps"], data["uncertain_reps"]) == (2, 1, 1)
    with out_csv.open(newline="") as f:
        assert [row["status"] for row in csv.DictReader(f)] == STATUSES
