"""The setup check's verdicts: rendered clips from good and bad placements, and
simulated poses for each item (issue 14 item 3).

The rendered clips' landmarks are cached (tests/validation/rendered/README.md),
so no pose model runs here. The thresholds were set on the `tune` clips; the
`test` clips below are held out, and pass with the same numbers.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from formcheck.engine.noise_floor import NoiseFloor
from formcheck.frame import PoseFrame
from formcheck.lmfile import read_landmarks
from formcheck.picture import Picture
from formcheck.setup_check import FIX, READY, WAIT, SetupItem, check_setup
from formcheck.setup_watch import (
    READY_WORDS,
    STILL_WORDS,
    SetupPrompts,
    SetupWatch,
    review_setup,
)
from formcheck.simulate import simulate
from formcheck.specs import find_spec
from formcheck.specs.kinds import VIEW_ADVICE

RENDERED = Path(__file__).resolve().parents[1] / "validation" / "rendered"
SPEC = find_spec("heel_slide")
BRIGHT = Picture(brightness=0.4, noise=2.0, samples=5)
SECONDS = 3.0  # the first seconds of a clip, as Review reads them


def rendered(name: str) -> tuple[list[PoseFrame], list[bool]]:
    """A rendered clip's first `SECONDS` of cached poses, and its true rest frames."""
    truth = json.loads((RENDERED / f"{name}.truth.json").read_text())
    _, frames = read_landmarks(RENDERED / f"{name}.landmarks.jsonl")
    frames = [f for f in frames if f.t <= SECONDS]
    resting = [not any(r["start"] <= f.t <= r["end"] for r in truth["reps"]) for f in frames]
    return frames, resting


def states(report) -> dict[str, str]:
    return {**{i.key: i.state for i in report.items}, **{c.code: c.state for c in report.checks}}


SIDE = ["rs05_side_chair_left", "rs06_side_chair_left", "rs07_side_chair_right",
        "rs08_side_chair_right", "rs09_side_chair_left", "rs00_side_floor_left"]  # fmt: skip


@pytest.mark.parametrize("name", SIDE)
def test_from_the_side_the_knee_is_judged_and_the_drift_checks_are_sent_beyond_the_feet(name):
    frames, resting = rendered(name)
    report = check_setup(frames, SPEC, "auto", BRIGHT, resting=resting)
    got = states(report)
    assert report.view == "side"
    assert (got["body"], got["joints"], got["distance"], got["light"]) == (READY,) * 4
    assert got["partial_range"] == READY  # the knee's range is measured within 10° from here
    assert got["view"] == FIX  # the heel's track and the pelvis need the camera beyond the feet
    for code in ("heel_off_line", "pelvis_shift", "pelvis_rotation"):
        verdict = next(c for c in report.checks if c.code == code)
        assert (verdict.state, verdict.move_to) == (FIX, "end_on")
        assert verdict.how.startswith("place the camera beyond your feet")
        assert verdict.how == VIEW_ADVICE["end_on"]


# Low cameras beyond the feet: the pose model loses the person, reads the view at random
# or as a side view, and misreads the knee. None of them may be called ready for the knee.
LOW_END_ON = [
    f"rs{n}_end_on_{place}"
    for n, place in [("10", "floor_left"), ("11", "floor_left"), ("12", "floor_right"),
                     ("13", "floor_right"), ("14", "floor_left"), ("15", "chair_left"),
                     ("16", "chair_left"), ("17", "chair_right"), ("18", "chair_right"),
                     ("19", "table_left"), ("20", "table_left"), ("22", "table_right")]
]  # fmt: skip


@pytest.mark.parametrize("name", LOW_END_ON)
def test_a_low_camera_beyond_the_feet_is_not_ready_and_the_knee_is_not_judged(name):
    frames, resting = rendered(name)
    report = check_setup(frames, SPEC, "auto", BRIGHT, resting=resting)
    got = states(report)
    assert not report.ready
    assert got["partial_range"] == FIX
    knee = next(c for c in report.checks if c.code == "partial_range")
    assert knee.move_to == "side"
    # What to fix: the person is lost, or small in the picture, or the view is unclear.
    assert FIX in (got["body"], got["distance"], got["view"])


@pytest.mark.parametrize(
    "name", ["rs10_end_on_floor_left", "rs19_end_on_table_left", "rs20_end_on_table_left"]
)
def test_a_camera_beyond_the_feet_read_as_a_side_view_is_doubted(name):
    # The engine's view from the foreshortening ratio says "side"; a lying body seen from
    # the side is long in the picture, these are not: the knee would be misread.
    frames, resting = rendered(name)
    report = check_setup(frames, SPEC, resting=resting)
    assert report.view == "side"
    assert report.item("view").state == FIX
    # Unclear, or (where the knee read as no heel slide bends it) misread.
    doubted = ("The camera's view of you is unclear", "The camera misreads you")
    assert report.item("view").message.startswith(doubted)
    assert all(c.state == FIX for c in report.checks)


@pytest.mark.parametrize("name", ["rs11_end_on_floor_left", "rs13_end_on_floor_right"])
def test_a_camera_that_misreads_the_knee_says_so_and_how_to_move(name):
    # The real model read these knees (truly 95-175 degrees) under 40 in most frames: no
    # knee bends that far in a heel slide (the spec's plausible range).
    frames, resting = rendered(name)
    report = check_setup(frames, SPEC, "auto", BRIGHT, resting=resting)
    view = report.item("view")
    assert view.state == FIX
    assert view.message.startswith("The camera misreads you: your knee reads at angles")
    assert view.fix == "film from the side, or raise the camera so it looks down along your body"
    assert {c.message for c in report.checks} == {"Not while the camera misreads you"}


def test_a_knee_read_right_is_never_said_to_be_misread():
    for name in [*SIDE, "rs24_end_on_tripod_left", "rs26_end_on_tripod_right"]:
        frames, resting = rendered(name)
        report = check_setup(frames, SPEC, "auto", BRIGHT, resting=resting)
        assert "misreads" not in report.item("view").message, name


@pytest.mark.parametrize("name", ["rs24_end_on_tripod_left", "rs26_end_on_tripod_right"])
def test_a_tripod_beyond_the_feet_sees_all_of_you_but_not_the_knee_s_range(name):
    frames, resting = rendered(name)
    report = check_setup(frames, SPEC, "auto", BRIGHT, resting=resting)
    got = states(report)
    assert (got["body"], got["joints"], got["distance"]) == (READY,) * 3
    assert got["partial_range"] == FIX and got["pelvis_rotation"] == FIX
    # Heel drift and pelvis movement wait for 2 s of lying still (these clips have none).
    assert got["heel_off_line"] == got["pelvis_shift"] == got["still"] == WAIT


@functools.cache
def lying_still(view: str = "end_on") -> tuple[PoseFrame, ...]:
    """3 s of simulated poses lying still (frames are immutable: shared between tests)."""
    sim = simulate("heel_slide", reps=1, view=view, lead_in=3.0, seed=2)
    return tuple(f for f in sim.frames if f.t <= 3.0)


def test_a_good_placement_lying_still_is_ready_for_every_check_its_view_judges():
    report = check_setup(lying_still(), SPEC, "auto", BRIGHT)
    assert report.ready, [i for i in report.items if i.state != READY]
    got = states(report)
    assert got["heel_off_line"] == got["pelvis_shift"] == got["pelvis_rotation"] == READY
    heel = next(c for c in report.checks if c.code == "heel_off_line")
    assert heel.floor is not None and heel.floor.known and heel.floor.value < 4.0 / 1.5
    # The lift is only seen from the side, and the knee's range not from here.
    assert got["pelvis_lift"] == got["partial_range"] == FIX


def test_a_noise_floor_above_the_limit_means_the_check_can_t_be_judged():
    def shaky(frames, spec, side, view):  # the engine's floor, as a camera far off gives it
        return {"heel_off_line": NoiseFloor("heel_off_line", "cm", rest=5.5, samples=40)}

    report = check_setup(lying_still(), SPEC, "auto", BRIGHT, floor=shaky)
    heel = next(c for c in report.checks if c.code == "heel_off_line")
    assert (heel.state, heel.move_to) == (FIX, None)
    assert heel.message.startswith("It reads up to 5.5 cm with nothing moving")
    assert heel.how.startswith("place the camera beyond your feet") and "closer" in heel.how
    still = report.item("still")
    assert still.state == FIX
    assert (
        still.message
        == "Lying still, your sideways heel drift reads up to 5.5 cm (the limit is 4 cm)"
    )
    # A drift check the floor left out is seen from here, its steadiness not known yet.
    shift = next(c for c in report.checks if c.code == "pelvis_shift")
    assert (shift.state, shift.message) == (WAIT, "Seen from here; lie still to measure how steady")


@pytest.mark.parametrize(
    ("picture", "state", "message"),
    [
        (None, WAIT, "Not measured yet"),
        (Picture(0.02, 1.0, 5), FIX, "The picture is very dark (brightness 2 %)"),
        (Picture(0.4, 20.0, 5), FIX, "The picture is very grainy (noise 20 grey levels)"),
        (BRIGHT, READY, "Bright enough (brightness 40 %)"),
    ],
)
def test_light(picture, state, message):
    item = check_setup(lying_still(), SPEC, "auto", picture).item("light")
    assert (item.state, item.message) == (state, message)


def test_feet_out_of_the_picture_are_named_with_the_edge():
    frames = []
    for f in lying_still(view="side"):
        image = f.image.copy()
        image[:, 0] += 0.35  # the body slides right: the feet leave the picture
        frames.append(PoseFrame(t=f.t, width=f.width, height=f.height, image=image))
    item = check_setup(frames, SPEC).item("body")
    assert item.state == FIX
    assert item.message == "Part of you is cut off at the right of the picture"


def test_someone_far_away_is_told_to_bring_the_camera_closer():
    frames = []
    for f in lying_still(view="side"):
        image = f.image.copy()
        image[:, :2] = 0.5 + (image[:, :2] - 0.5) * 0.3  # a third the size
        frames.append(PoseFrame(t=f.t, width=f.width, height=f.height, image=image))
    item = check_setup(frames, SPEC).item("distance")
    assert item.state == FIX and item.fix.startswith("bring the camera closer")


def test_nobody_in_view_for_a_second_is_to_fix_and_a_moment_is_not_known_yet():
    empty = [PoseFrame.empty(t=i / 10, width=640, height=480) for i in range(15)]
    assert check_setup(empty[:3], SPEC).item("body").state == WAIT
    item = check_setup(empty, SPEC).item("body")
    assert (item.state, item.message) == (FIX, "Nobody found")
    assert all(c.state == WAIT for c in check_setup(empty, SPEC).checks)


def test_a_hidden_working_leg_is_to_fix_and_auto_settles_for_the_leg_seen():
    frames = []
    for f in lying_still():
        image = f.image.copy()
        image[[26, 30], 3] = 0.1  # the right knee and heel hidden
        frames.append(PoseFrame(t=f.t, width=f.width, height=f.height, image=image))
    assert check_setup(frames, SPEC, "right").item("joints").state == FIX
    item = check_setup(frames, SPEC, "auto").item("joints")
    assert item.state == READY and "work the left one" in item.message


def test_an_item_to_fix_must_say_how():
    with pytest.raises(ValueError, match="fix: expected advice exactly when the state is fix"):
        SetupItem("light", FIX, "Too dark")
    with pytest.raises(ValueError, match="key: expected one of body, joints"):
        SetupItem("lens", READY, "ok")


def test_the_watch_keeps_the_floor_measured_at_rest_through_the_reps():
    sim = simulate("heel_slide", reps=2, view="end_on", lead_in=3.0, seed=5)
    watch = SetupWatch(SPEC)
    reports = {}
    for i, f in enumerate(sim.frames):
        moving = any(r.start <= f.t <= r.end for r in sim.truth.reps)
        watch.add(f, resting=not moving)
        if i in (89, 180):  # lying still (2.97 s); then well into the first rep (6 s)
            reports[i] = watch.report(BRIGHT)
    before, during = reports[89], reports[180]
    assert before.item("still").state == READY
    assert during.item("still") == before.item("still")  # measured at rest, kept
    heel = next(c for c in during.checks if c.code == "heel_off_line")
    assert heel.state == READY and heel.floor is not None and heel.floor.known


def test_each_prompt_is_said_once_and_ready_once():
    prompts = SetupPrompts()
    dark = check_setup(lying_still(), SPEC, "auto", Picture(0.02, 1.0, 5))
    assert prompts.feed(dark) == [
        "Light: light the room, with the light in front of you rather than behind."
    ]
    assert prompts.feed(dark) == []  # a page run later: nothing again
    ready = check_setup(lying_still(), SPEC, "auto", BRIGHT)
    assert prompts.feed(ready) == [READY_WORDS]
    assert prompts.feed(dark) == prompts.feed(ready) == []


def test_views_are_left_out_of_what_to_fix_for_a_check_no_placement_judges_with_the_rest():
    # The pelvis lift is seen only from the side: from beyond the feet it is not judged,
    # but that is no reason to call the view wrong.
    report = check_setup(lying_still(), SPEC, "auto", BRIGHT)
    assert report.item("view").state == READY
    lift = next(c for c in report.checks if c.code == "pelvis_lift")
    assert (lift.state, lift.move_to) == (FIX, "side")


def test_when_only_lying_still_is_missing_the_voice_asks_for_it_once():
    prompts = SetupPrompts()
    never_resting = [False] * len(lying_still())  # a rep under way throughout: no still stretch
    report = check_setup(lying_still(), SPEC, "auto", BRIGHT, resting=never_resting)
    assert [i.key for i in report.items if i.state != READY] == ["still"]
    assert prompts.feed(report) == [STILL_WORDS]
    assert prompts.feed(report) == []


def test_a_reviewed_clip_says_what_it_could_not_measure():
    frames, _ = rendered("rs26_end_on_tripod_right")
    _, all_frames = read_landmarks(RENDERED / "rs26_end_on_tripod_right.landmarks.jsonl")
    truth = json.loads((RENDERED / "rs26_end_on_tripod_right.truth.json").read_text())
    reps = [(r["start"], r["end"]) for r in truth["reps"]]
    report = review_setup(all_frames, SPEC, "auto", None, reps)
    assert report.item("light").message == "Not measured"
    assert report.item("still").message == "Not measured: the clip has no still moment long enough"
    heel = next(c for c in report.checks if c.code == "heel_off_line")
    assert (heel.state, heel.message) == (WAIT, "Seen from here; how steady was not measured")
    # Read from the clip's first seconds, up to the first rep (1.37 s in): the same
    # verdicts as the first 3 s give.
    assert report.item("distance") == check_setup(frames, SPEC).item("distance")


def test_a_camera_off_to_one_side_can_t_judge_the_heel_s_path():
    # The engine's own rule (noise_floor.verdict): from off the body's midline the ideal
    # line leans, so a straight heel path looks bent. rs18's chair camera is 0.11 m off
    # the midline and turned 5°; the pose model sees the body well over 10° off square.
    frames, resting = rendered("rs18_end_on_chair_right")
    heel = check_setup(frames, SPEC, resting=resting).checks[0]
    assert (heel.code, heel.state, heel.move_to) == ("heel_off_line", FIX, "end_on")
    assert "off square" in heel.message
    assert heel.how.startswith("place the camera straight beyond your feet")
