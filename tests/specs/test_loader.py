"""The spec loader: valid specs load into frozen data; malformed ones fail with a pinned trail."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from formcheck.errors import SpecError
from formcheck.specs import (
    SPECS_ENV,
    Spec,
    build_spec,
    find_spec,
    load_spec,
    load_specs,
    spec_names,
    with_overrides,
)

ROOT = Path(__file__).resolve().parents[2]
HEEL = ROOT / "exercise_specs" / "heel_slide.toml"

MINIMAL = """\
name = "demo"
display_name = "Demo"
purpose = "A test exercise."
setup = ["Lie down."]
cues = ["Move."]
sides = "either"

[camera]
view = "side"
placement = "To one side."

[metrics.knee]
kind = "joint_angle"
points = ["{side}_hip", "{side}_knee", "{side}_ankle"]

[metrics.shift]
kind = "displacement"
points = ["mid_hip"]

[phase]
metric = "knee"
direction = "increase"
enter = 120
exit = 105
full = 160

[[checks]]
code = "hip_shift"
kind = "stillness"
label = "hip movement"
metric = "shift"
limit = 3.0
unit = "cm"
cue = "Keep still."

[[checks]]
code = "short"
kind = "range"
label = "knee range"
metric = "knee"
stat = "max"
must = "at_least"
limit = 160
unit = "deg"
cue = "Go further."
"""


def write(tmp_path: Path, text: str, name: str = "demo") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_spec_loads_into_frozen_data(tmp_path):
    spec = load_spec(write(tmp_path, MINIMAL))
    assert isinstance(spec, Spec)
    assert spec.phase.enter == 120.0 and spec.phase.min_duration == 0.5
    assert [c.code for c in spec.checks] == ["hip_shift", "short"]
    assert spec.check("hip_shift").views == ("side", "end_on", "overhead", "oblique")
    assert spec.metric("shift").unit == "cm"
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "other"  # type: ignore[misc]


def test_heel_slide_spec_has_the_issue_flags():
    spec = load_spec(HEEL)
    assert {c.code for c in spec.checks} == {
        "heel_off_line",
        "pelvis_shift",
        "pelvis_lift",
        "pelvis_rotation",
        "partial_range",
    }
    assert spec.sides == "either" and spec.default_side == "auto"
    assert "side" not in spec.check("heel_off_line").views
    assert "side" in spec.check("pelvis_lift").views
    assert spec.phase.metric == "knee"


# Each malformed spec: (replace this, with that) in MINIMAL, and the exact message.
MALFORMED = [
    pytest.param(
        ("limit = 3.0", 'limit = "five"'),
        'demo.toml: exercise demo: checks[0].limit: expected a number, got "five"',
        id="wrong-type",
    ),
    pytest.param(
        ('cues = ["Move."]', 'cues = ["Move."]\ncolour = "red"'),
        "demo.toml: exercise demo: colour: unknown key; expected one of: name, display_name, "
        "purpose, setup, cues, camera, target, judgeable, reason, sides, posture, default_side, "
        "visibility, metrics, phase, hold, checks",
        id="unknown-key",
    ),
    pytest.param(
        ('"{side}_knee", "{side}_ankle"', '"{side}_kne", "{side}_ankle"'),
        'demo.toml: exercise demo: metrics.knee.points[1]: unknown landmark "{side}_kne" '
        '(did you mean "{side}_knee"?)',
        id="unknown-landmark",
    ),
    pytest.param(
        ("exit = 105", "exit = 130"),
        "demo.toml: exercise demo: phase.exit: expected less than enter (120) for an "
        "increasing phase, got 130",
        id="hysteresis-cannot-count",
    ),
    pytest.param(
        ("full = 160", "full = 200"),
        "demo.toml: exercise demo: phase.full: expected from 120 to 180 (between enter and "
        "the metric's largest value) for an increasing phase, got 200",
        id="full-range-outside-phase",
    ),
    pytest.param(
        ("limit = 3.0", "limit = -1.0"),
        "demo.toml: exercise demo: checks[0].limit: expected more than 0 up to 50 cm, got -1",
        id="negative-limit",
    ),
    pytest.param(
        ('unit = "cm"', 'unit = "mm"'),
        'demo.toml: exercise demo: checks[0].unit: expected "cm" (what this stillness check '
        'measures), got "mm"',
        id="unit-mismatch",
    ),
    pytest.param(
        ('metric = "shift"', 'metric = "shfit"'),
        'demo.toml: exercise demo: checks[0].metric: unknown metric "shfit"; expected one '
        "of: knee, shift",
        id="unknown-metric",
    ),
    pytest.param(
        ('kind = "stillness"', 'kind = "wobble"'),
        'demo.toml: exercise demo: checks[0].kind: expected one of "path_straightness", '
        '"stillness", "range", "symmetry", got "wobble"',
        id="unknown-check-kind",
    ),
    pytest.param(
        ('code = "short"', 'code = "hip_shift"'),
        'demo.toml: exercise demo: checks[1].code: expected a unique code, got "hip_shift" again',
        id="duplicate-code",
    ),
    pytest.param(
        ('[camera]\nview = "side"', '[camera]\nview = "ceiling"'),
        'demo.toml: exercise demo: camera.view: expected one of "side", "end_on", "overhead", '
        '"oblique", got "ceiling"',
        id="unknown-view",
    ),
    pytest.param(
        ('name = "demo"', 'name = "other"'),
        'demo.toml: exercise other: name: expected "demo" (the file\'s name), got "other"',
        id="name-not-file",
    ),
    pytest.param(
        ('name = "demo"\n', ""),
        'demo.toml: missing required key "name"',
        id="no-name-no-exercise-in-trail",
    ),
    pytest.param(
        ("[phase]", "[phase\n"),
        "demo.toml: not valid TOML: ",
        id="not-toml",
    ),
]


@pytest.mark.parametrize(("edit", "message"), MALFORMED)
def test_malformed_specs_fail_with_a_trail_to_the_key(tmp_path, edit, message):
    old, new = edit
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    if message.endswith(": "):  # the TOML parser's own wording follows; pin our part
        assert str(caught.value).startswith(message)
    else:
        assert str(caught.value) == message


def test_unjudgeable_spec_needs_a_reason_and_no_measurements():
    raw = {
        "name": "heel_press",
        "display_name": "Heel press",
        "purpose": "p",
        "setup": ["s"],
        "cues": ["c"],
        "camera": {"view": "side", "placement": "x"},
        "judgeable": False,
    }
    with pytest.raises(SpecError, match=r'missing required key "reason" \(judgeable = false\)'):
        build_spec(raw, "heel_press.toml")
    spec = build_spec({**raw, "reason": "Nothing moves."}, "heel_press.toml")
    assert not spec.judgeable and spec.reason == "Nothing moves."
    with pytest.raises(SpecError, match="phase: expected nothing to measure"):
        build_spec({**raw, "reason": "r", "phase": {}}, "heel_press.toml")


def test_overrides_replace_limits_and_validate_them():
    spec = load_spec(HEEL)
    mine = with_overrides(spec, {"heel_off_line": 6.0})
    assert mine.check("heel_off_line").limit == 6.0
    assert spec.check("heel_off_line").limit != 6.0  # the original is untouched
    with pytest.raises(SpecError) as caught:
        with_overrides(spec, {"pelvis_shift": -2})
    assert str(caught.value) == (
        "heel_slide.toml: exercise heel_slide: overrides.pelvis_shift: "
        "expected more than 0 up to 50 cm, got -2"
    )
    with pytest.raises(SpecError, match=r"overrides\.wobble: unknown check; expected one of: "):
        with_overrides(spec, {"wobble": 1.0})
    with pytest.raises(SpecError, match=r'overrides.partial_range: expected a number, got "x"'):
        with_overrides(spec, {"partial_range": "x"})


def test_load_specs_defaults_to_the_repo_folder_and_honours_the_env(tmp_path, monkeypatch):
    assert "heel_slide" in load_specs()
    write(tmp_path, MINIMAL)
    monkeypatch.setenv(SPECS_ENV, str(tmp_path))
    assert list(load_specs()) == ["demo"]
    assert spec_names() == ["demo"]


def test_find_spec_lists_the_known_exercises_when_unknown(tmp_path):
    write(tmp_path, MINIMAL)
    with pytest.raises(SpecError) as caught:
        find_spec("demi", tmp_path)
    assert str(caught.value) == 'unknown exercise "demi"; known: demo'
    assert find_spec("demo", tmp_path).name == "demo"


def test_missing_folder_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="no such folder of exercise specs"):
        load_specs(tmp_path / "nope")
