"""Each check kind on small synthetic poses: peaks, limits, when they fail."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.engine.checks import compile_check
from formcheck.engine.metrics import compile_metric
from formcheck.engine.signal import Pose
from formcheck.engine.view import Calibration
from formcheck.landmarks import index
from formcheck.specs import build_spec

CAL = Calibration("end_on", 2.0, 2.0, True, {"hip_width": 20.0, "torso": 50.0}, 10.0, 150.0)

RAW = {
    "name": "t",
    "display_name": "T",
    "purpose": "p",
    "setup": ["s"],
    "cues": ["c"],
    "camera": {"view": "end_on", "placement": "x"},
    "sides": "either",
    "metrics": {
        "knee": {"kind": "joint_angle", "points": ["{side}_hip", "{side}_knee", "{side}_ankle"]},
        "shift": {"kind": "displacement", "points": ["mid_hip"]},
        "roll": {"kind": "displacement", "points": ["left_hip", "right_hip"], "space": "world"},
    },
    "phase": {"metric": "knee", "direction": "increase", "enter": 120, "exit": 105, "full": 160},
    "checks": [
        {
            "code": "line",
            "kind": "path_straightness",
            "label": "l",
            "point": "{side}_heel",
            "space": "world",
            "limit": 3.0,
            "unit": "cm",
            "cue": "c",
        },
        {
            "code": "shift",
            "kind": "stillness",
            "label": "s",
            "metric": "shift",
            "limit": 2.0,
            "unit": "cm",
            "cue": "c",
        },
        {
            "code": "roll",
            "kind": "stillness",
            "label": "r",
            "metric": "roll",
            "limit": 5.0,
            "unit": "deg",
            "cue": "c",
        },
        {
            "code": "short",
            "kind": "range",
            "label": "r",
            "metric": "knee",
            "stat": "max",
            "must": "at_least",
            "limit": 160.0,
            "unit": "deg",
            "cue": "c",
        },
        {
            "code": "even",
            "kind": "symmetry",
            "label": "e",
            "metric": "knee",
            "stat": "max",
            "limit": 10.0,
            "unit": "deg",
            "cue": "c",
            "view_limits": {"side": 20.0},
        },
    ],
}
SPEC = build_spec(RAW)


def body() -> tuple[np.ndarray, np.ndarray]:
    """A lying body seen from above: pixels (2 px/cm) and world (m), head toward -y."""
    world = np.zeros((33, 3))
    for side, x in (("left", 0.1), ("right", -0.1)):
        world[index(f"{side}_hip")] = (x, 0.0, 0.0)
        world[index(f"{side}_shoulder")] = (1.5 * x, -0.5, 0.0)
        world[index(f"{side}_knee")] = (x, 0.3, -0.2)
        world[index(f"{side}_ankle")] = (x, 0.5, 0.0)
        world[index(f"{side}_heel")] = (x, 0.52, 0.0)
    return world[:, :2] * 200.0 + 300.0, world


def pose(px: np.ndarray, world: np.ndarray, t: float = 0.0) -> Pose:
    return Pose(t=t, px=px, world=world, seen=np.ones(33, bool))


def run(code: str, moved: Pose, view: str = "end_on"):
    check = compile_check(SPEC, SPEC.check(code), "left", view)
    ref = pose(*body())
    check.begin(ref, CAL)
    check.frame(ref, ref, CAL)
    check.frame(moved, ref, CAL)
    return check


def test_path_straightness_measures_sideways_not_along():
    px, world = body()
    world[index("left_heel")] += (0.0, 0.2, 0.0)  # 20 cm along the body: on the line
    assert run("line", pose(px, world)).verdict() == pytest.approx((0.0, False), abs=1e-9)
    world[index("left_heel")] += (0.035, 0.0, 0.0)  # 3.5 cm outward
    check = run("line", pose(px, world))
    assert check.verdict() == (pytest.approx(3.5), True)
    assert check.xy[0] == pytest.approx(3.5)  # positive: away from the midline


def test_stillness_of_a_point_is_judged_in_the_image():
    px, world = body()
    px[index("left_hip")] += (3.0, 0.0)
    px[index("right_hip")] += (3.0, 0.0)  # 3 px = 1.5 cm at 2 px/cm
    assert run("shift", pose(px, world)).verdict() == (pytest.approx(1.5), False)
    px[index("left_hip")] += (3.0, 0.0)
    px[index("right_hip")] += (3.0, 0.0)
    assert run("shift", pose(px, world)).verdict() == (pytest.approx(3.0), True)


def test_stillness_of_a_line_is_its_rotation():
    px, world = body()
    world[index("left_hip")] = (0.1, 0.0, -0.014)  # left hip up: 4 deg of roll
    peak, failed = run("roll", pose(px, world)).verdict()
    assert peak == pytest.approx(4.0, abs=0.05) and failed is False
    world[index("left_hip")] = (0.1, 0.0, -0.0246)  # 7 deg
    assert run("roll", pose(px, world)).verdict() == (pytest.approx(7.0, abs=0.05), True)


def test_range_is_judged_on_the_reps_extreme():
    px, world = body()
    check = run("short", pose(px, world))
    assert check.immediate is False
    peak, failed = check.verdict()
    assert failed and peak < 160


def test_symmetry_compares_the_sides_and_uses_per_view_limits():
    px, world = body()
    world[index("left_ankle")] = (0.1, 0.6, -0.05)  # left knee straighter than the right
    check = run("even", pose(px, world))
    peak, failed = check.verdict()
    assert peak > 10 and failed
    assert run("even", pose(px, world), view="side").limit == 20.0


RAIL = build_spec(
    {
        **RAW,
        "checks": [
            {
                "code": "rail",
                "kind": "path_straightness",
                "label": "r",
                "point": "{side}_heel",
                "along": "sit_bone",
                "space": "image",
                "limit": 3.0,
                "unit": "cm",
                "cue": "c",
            }
        ],
    }
)


def slide_after_rests(check, hip_misread_px: float) -> float:
    """Rest (hip read ``hip_misread_px`` sideways), then the heel slides 50 cm straight
    along its true track; the check's peak distance across its line (cm)."""
    px, world = body()
    ref_px = px.copy()
    ref_px[index("left_hip")] += (hip_misread_px, 0.0)
    ref = pose(ref_px, world)
    check.begin(ref, CAL)
    moved = px.copy()
    moved[index("left_heel")] += (0.0, 100.0)  # 50 cm at 2 px/cm, straight along the body
    check.frame(pose(moved, world), ref, CAL)
    return check.verdict()[0]


def test_the_sit_bone_line_is_pooled_over_rests_so_one_misread_rest_tilts_it_less():
    # The hip misread 4 px sideways at rest tilts a 104 px sit-bone line by 2.2 deg:
    # 1.9 cm across the line once the heel has slid 50 cm, on a perfectly straight slide.
    alone = compile_check(RAIL, RAIL.check("rail"), "left", "end_on")
    assert slide_after_rests(alone, 4.0) == pytest.approx(1.9, abs=0.1)
    # After two true rests, the same misread rest moves the line a third as much.
    pooled = compile_check(RAIL, RAIL.check("rail"), "left", "end_on")
    assert slide_after_rests(pooled, 0.0) == pytest.approx(0.0, abs=1e-9)
    assert slide_after_rests(pooled, 0.0) == pytest.approx(0.0, abs=1e-9)
    assert slide_after_rests(pooled, 4.0) == pytest.approx(1.9 / 3, abs=0.1)
    # A rest far off the pooled line is a new position: the pool starts again from it.
    moved_on = compile_check(RAIL, RAIL.check("rail"), "left", "end_on")
    slide_after_rests(moved_on, 0.0)
    assert slide_after_rests(moved_on, 30.0) == pytest.approx(
        slide_after_rests(compile_check(RAIL, RAIL.check("rail"), "left", "end_on"), 30.0)
    )


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        # From the side and from a corner the image shows the bend: pixels (rendered
        # corner views: world angles read a straight knee 22-29 degrees short).
        ("side", 90.0),
        ("oblique", 90.0),
        # Beyond the feet or overhead the leg can be edge-on to the image: world.
        ("end_on", 180.0),
        ("overhead", 180.0),
    ],
)
def test_an_auto_angle_reads_pixels_where_the_view_shows_the_bend(view, expected):
    raw = {**RAW, "metrics": {**RAW["metrics"]}}
    raw["metrics"]["knee"] = {**RAW["metrics"]["knee"], "space": "auto"}
    knee = compile_metric(build_spec(raw).metric("knee"), "left")
    px, world = np.zeros((33, 2)), np.zeros((33, 3))
    hip, knee_i, ankle = index("left_hip"), index("left_knee"), index("left_ankle")
    px[hip], px[knee_i], px[ankle] = (0.0, 0.0), (100.0, 0.0), (100.0, 100.0)  # bent square
    world[hip], world[knee_i], world[ankle] = (0, 0, 0), (0.4, 0, 0), (0.8, 0, 0)  # straight
    pose = Pose(t=0.0, px=px, world=world, seen=np.ones(33, bool))
    cal = Calibration(view, 1.0, 2.0, True, {"hip_width": 20.0, "torso": 50.0}, 10.0, 150.0)
    assert knee.evaluate(pose, None, cal) == pytest.approx(expected)
