"""Camera advice that matches the placement study (docs/placement.md, issue 14).

The study writes what each placement can judge to
``tests/validation/placement/verdicts.toml``. A spec that names the placement
its advice rests on (``[camera] study``) must name one the study found able
to judge its drift checks, and say by name the ones it can't (no placement
judged them all); the heel slide's must judge the heel's line, and its text
must say where a camera on the floor can't judge drift.
"""

import tomllib

import pytest

from formcheck.bench.placement import FAULT_OF, STUDY_DIR, VERDICTS
from formcheck.specs import load_specs


def _verdicts() -> dict:
    return tomllib.loads(VERDICTS.read_text())


def _views() -> dict[str, str]:
    """Study placement -> the camera view it was rendered from."""
    clips = tomllib.loads((STUDY_DIR / "manifest.toml").read_text())["clip"]
    return {c["bin"]: c["view"] for c in clips}


def _studied() -> list:
    return [s for s in load_specs().values() if s.guidance.camera_study]


def test_the_heel_slide_rests_its_camera_advice_on_the_study():
    assert load_specs()["heel_slide"].guidance.camera_study


@pytest.mark.parametrize("spec", _studied(), ids=lambda s: s.name)
def test_the_recommended_placement_judges_what_it_claims_and_the_text_names_the_rest(spec):
    place = spec.guidance.camera_study
    verdicts = _verdicts()
    assert place in verdicts, f"{spec.name}: {place!r} is not a study placement {sorted(verdicts)}"
    assert _views()[place] == spec.guidance.camera_view, (
        f"{spec.name}: [camera] view {spec.guidance.camera_view!r}, but {place} is "
        f"{_views()[place]!r}"
    )
    run_there = [
        c for c in spec.checks if c.code in FAULT_OF and spec.guidance.camera_view in c.views
    ]
    judged = [c.code for c in run_there if verdicts[place][c.code]["judges"]]
    assert judged, f"{spec.name}: the study found {place} unable to judge any drift check"
    # what the placement can't judge, the advice must say by name
    text = spec.guidance.camera_placement.lower()
    unnamed = [c.label for c in run_there if c.code not in judged and c.label not in text]
    assert not unnamed, f"{spec.name}: {place} can't judge {unnamed}; the text must say so"


def test_the_heel_slides_placement_judges_the_heels_line():
    spec = load_specs()["heel_slide"]
    assert _verdicts()[spec.guidance.camera_study]["heel_off_line"]["judges"]


def test_the_heel_slide_says_where_a_camera_on_the_floor_cant_judge_drift():
    verdicts = _verdicts()
    text = load_specs()["heel_slide"].guidance.camera_placement.lower()
    floor = [p for p in verdicts if p.startswith("end_on_floor")]
    assert floor, "the study has no floor placement beyond the feet"
    if not any(v["judges"] for p in floor for v in verdicts[p].values()):
        assert "floor" in text and "can't" in text, text


def test_every_study_placement_has_a_verdict_for_every_drift_check():
    verdicts = _verdicts()
    assert set(verdicts) == set(_views())
    for place, checks in verdicts.items():
        assert set(checks) == set(FAULT_OF), place
        for code, v in checks.items():
            assert isinstance(v["judges"], bool), f"{place}.{code}"
