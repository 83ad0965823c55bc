"""What the page calls checks and how it rounds them (issue 15, item 3): Streamlit-free."""

from __future__ import annotations

import re

import pytest

from formcheck.engine import analyze
from formcheck.simulate import simulate
from formcheck.specs import find_spec
from formcheck.ui import charts, labels


@pytest.fixture(scope="module")
def veering():
    spec = find_spec("heel_slide")
    sim = simulate("heel_slide", reps=3, side="left", view="end_on", veer_cm=9.0, veer_reps=(2,))
    return analyze(sim.frames, spec), spec


def test_the_rep_table_uses_labels_with_units_and_rounds_angles_and_centimetres(veering):
    result, spec = veering
    hidden = [code for code, _ in result.checks_disabled]
    rows = labels.rep_rows(result.rep_table, spec, hidden=hidden)
    assert list(rows[0]) == [
        "Rep",
        "Side",
        "Status",
        "Start (s)",
        "Duration (s)",
        "Knee: from (°)",
        "Knee: to (°)",
        "Peak sideways heel drift (cm)",
        "Peak pelvis movement (cm)",
        "Peak pelvis rotation (°)",
        "Flags",
    ]  # no pelvis lift or knee straightening: only the side judges them, so no peak here
    assert rows[1]["Flags"] == "sideways heel drift"
    for row in rows:
        assert row["Knee: to (°)"] == int(row["Knee: to (°)"])  # whole degrees
        drift = row["Peak sideways heel drift (cm)"]
        assert drift is None or round(drift, 1) == drift
    # The download keeps the codes and the full precision.
    assert "peak_heel_off_line" in result.rep_table_rows()[0]


def test_the_flags_table_names_the_check_and_gives_value_and_limit_with_units(veering):
    result, spec = veering
    (row,) = [r for r in labels.flag_rows(result.flags, spec) if r["Rep"] == 2]
    assert row["Check"] == "sideways heel drift"
    assert row["Limit"] == "4.0 cm"
    assert re.fullmatch(r"\d+\.\d cm", row["Value"]), row["Value"]  # e.g. "9.3 cm"


def test_the_dashed_full_range_line_on_the_knee_plot_is_labelled(veering):
    # Beyond the feet (the veering clip) the spec's 135 is not judged: no line at it.
    end_on, spec = veering
    chart = charts.metric_chart(end_on, spec).to_dict()
    assert not [layer for layer in chart["layer"] if layer["mark"]["type"] in ("text", "rule")]
    sim = simulate("heel_slide", reps=2, side="left", view="side", seed=4)
    result = analyze(sim.frames, spec)
    chart = charts.metric_chart(result, spec).to_dict()
    texts = [layer for layer in chart["layer"] if layer["mark"]["type"] == "text"]
    (text,) = texts
    (row,) = chart["datasets"][text["data"]["name"]]
    assert row["label"] == "full range: 135°"
    line = next(layer for layer in chart["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["y"]["title"] == "Knee (°)"


def test_the_rep_table_leaves_out_checks_this_view_never_judged():
    # From the side only the lift (and the range) can be judged: the drift checks have no
    # peak on any rep, and used to show as a column of "None". The page passes the checks
    # the view turned off (tests/ui/test_review_page.py checks it does).
    spec = find_spec("heel_slide")
    sim = simulate("heel_slide", reps=2, side="left", view="side", seed=4)
    result = analyze(sim.frames, spec)
    hidden = [code for code, _ in result.checks_disabled]
    rows = labels.rep_rows(result.rep_table, spec, hidden=hidden)
    peaks = [key for key in rows[0] if key.startswith("Peak ")]
    assert peaks == ["Peak pelvis lift (cm)", "Peak knee straightening (°)"]
    assert all(row[key] is not None for row in rows for key in peaks)
