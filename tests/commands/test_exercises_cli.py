"""``formcheck exercises``: the listing, one exercise in full, and bad specs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from formcheck.cli import main

SPECS = Path(__file__).resolve().parents[2] / "exercise_specs"


def test_lists_every_exercise_with_unjudgeable_ones_and_their_reason(capsys):
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(p.stem for p in SPECS.glob("*.toml"))
    (press,) = [line for line in out.splitlines() if line.startswith("heel_press")]
    assert "not judged by camera" in press and "nothing visibly moves" in press


def test_shows_one_exercise_with_checks_limits_units_and_views(capsys):
    assert main(["exercises", "heel_slide"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Heel slide (heel_slide)")
    assert (
        "heel_off_line (path_straightness, warning): sideways heel drift; limit 4 cm; "
        "judged from end_on, overhead" in out
    )
    assert (
        "partial_range (range, info): knee straightening; limit at least 135 deg; "
        "judged from side" in out
    )
    assert "Setup:" in out and "Cues:" in out and "Camera:" in out


def test_json_output(capsys):
    assert main(["exercises", "heel_slide", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    check = {c["code"]: c for c in data["checks"]}["pelvis_rotation"]
    assert (check["limit"], check["unit"], check["views"]) == (8.0, "deg", ["end_on"])
    assert main(["exercises", "--json"]) == 0
    assert {e["name"] for e in json.loads(capsys.readouterr().out)} >= {"heel_slide", "squat"}


def test_unknown_exercise_lists_the_known_ones(capsys):
    assert main(["exercises", "heel_slid"]) == 1
    err = capsys.readouterr().err
    assert err.startswith('formcheck: error: unknown exercise "heel_slid"; known: adductor_squeeze')
    assert "heel_slide" in err


def test_a_malformed_spec_gives_the_file_to_key_trail(tmp_path, capsys):
    shutil.copy(SPECS / "heel_slide.toml", tmp_path)
    path = tmp_path / "heel_slide.toml"
    path.write_text(path.read_text().replace("limit = 8.0", 'limit = "five"'))
    assert main(["exercises", "--specs", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "formcheck: error: heel_slide.toml: exercise heel_slide: checks[2].limit: "
        'expected a number, got "five"\n'
    )
