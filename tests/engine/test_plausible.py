"""Readings no body can give: a driving angle misread by the pose model is said, not counted on
in silence (formcheck.engine.plausible).

The landmark files are the real pose model's output on rendered heel slides from the
tuning split (tests/validation/rendered*): beyond the feet at floor level a knee that truly
moved between 95 and 175 degrees read 1-48; from the side the same renderer's knee is read
right.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.engine import analyze
from formcheck.engine.plausible import LEAST_READINGS, MISREAD_SHARE, Plausibility
from formcheck.errors import SpecError
from formcheck.lmfile import read_landmarks
from formcheck.specs import find_spec, load_spec

ROOT = Path(__file__).resolve().parents[2]
VALIDATION = ROOT / "tests" / "validation"
#: Misread: the knee read under 40 degrees in most frames (counted 0, 3 and 1 reps of 2, 2
#: and 3).
MISREAD = (
    "rendered_s14/rs12_end_on_floor_left",
    "rendered_s14/rs15_end_on_floor_right",
    "rendered/rs22_end_on_table_right",
)
#: Read right: from the side, from a corner and from a tripod beyond the feet.
READ_RIGHT = (
    "rendered_s14/rs00_side_floor_left",
    "rendered_s15/rs126_oblique_tripod_left",
    "rendered_s15/rs113_end_on_tripod_left",
)


def _frames(name: str) -> list:
    _, frames = read_landmarks(VALIDATION / f"{name}.landmarks.jsonl")
    return list(frames)


def _misread(result) -> list[str]:
    return [w for w in result.warnings if "misreading" in w]


@pytest.mark.parametrize("name", MISREAD)
def test_a_misread_knee_is_said_and_its_range_withheld(name):
    result = analyze(_frames(name), find_spec("heel_slide"), "auto")
    (warning,) = _misread(result)
    assert warning.startswith("the knee read outside 40-180° in ")
    assert "film from the side" in warning
    assert result.rom_withheld_reason == warning
    assert result.rom_uncertainty_deg is None
    assert all(row["rom_min"] is None for row in result.rep_table_rows())


@pytest.mark.parametrize("name", READ_RIGHT)
def test_a_knee_read_right_gives_no_such_warning(name):
    result = analyze(_frames(name), find_spec("heel_slide"), "auto")
    assert _misread(result) == []
    assert result.reps > 0


def test_live_snapshots_say_it_too():
    from formcheck.engine import Engine

    engine = Engine(find_spec("heel_slide"), "auto")
    said = []
    for frame in _frames(MISREAD[0]):
        engine.update(frame)
        said.append(bool(_misread(engine.snapshot())))
    assert said[-1] and not said[0]


def test_the_cli_prints_it(capsys):
    path = VALIDATION / f"{MISREAD[1]}.landmarks.jsonl"
    assert main(["analyze", str(path), "--exercise", "heel_slide", "--json", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert any("misreading" in w for w in out["warnings"])
    assert "misreading" in out["rom_withheld_reason"]


def test_a_spec_without_a_plausible_range_is_never_warned():
    spec = find_spec("heel_slide")
    knee = spec.metric("knee")
    args = tuple((k, v) for k, v in knee.args if k != "plausible")
    bare = _with_metric(spec, knee, args)
    result = analyze(_frames(MISREAD[0]), bare, "auto")
    assert _misread(result) == []


def _with_metric(spec, metric, args):
    import dataclasses

    metrics = tuple(dataclasses.replace(m, args=args) if m is metric else m for m in spec.metrics)
    return dataclasses.replace(spec, metrics=metrics)


# --- the tally ------------------------------------------------------------------------


def _tally(values: dict[str, list[float]]) -> Plausibility:
    p = Plausibility((40.0, 180.0), tuple(values))
    for side, xs in values.items():
        for x in xs:
            p.add(side, x)
    return p


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # a fifth of the readings out: misread
        ({"left": [20.0] * 20 + [120.0] * 80}, ("left", 0.2)),
        # just under a fifth: not
        ({"left": [20.0] * 19 + [120.0] * 81}, None),
        # a person kneeling a few frames as they get down: not
        ({"left": [30.0] * 5 + [100.0] * 95}, None),
        # too few readings to judge
        ({"left": [10.0] * (LEAST_READINGS - 1)}, None),
        # the worse side is the one said
        ({"left": [10.0] * 30 + [90.0] * 70, "right": [10.0] * 60 + [90.0] * 40}, ("right", 0.6)),
        # unseen frames count for nothing
        ({"left": [math.nan] * 100 + [10.0] * 10 + [90.0] * 30}, ("left", 0.25)),
    ],
)
def test_misread_share(values, expected):
    got = _tally(values).misread()
    if expected is None:
        assert got is None
    else:
        assert got[0] == expected[0]
        assert got[1] == pytest.approx(expected[1])
    assert MISREAD_SHARE == 0.2


def test_a_plausible_range_must_be_low_to_high_within_an_angle(tmp_path):
    text = (ROOT / "exercise_specs" / "heel_slide.toml").read_text()
    for bad in ("[40.0, 200.0]", "[90.0, 40.0]", "[40.0, 40.0]", "40.0"):
        path = tmp_path / "heel_slide.toml"
        path.write_text(text.replace("plausible = [40.0, 180.0]", f"plausible = {bad}"))
        with pytest.raises(SpecError, match=r"heel_slide.*metrics\.knee\.plausible: expected"):
            load_spec(path)
