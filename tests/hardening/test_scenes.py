"""Hard scenes through real MediaPipe: half out of frame, dark, grainy, two people.

Each scene is made from the rendered side-view heel slide (three full reps of
the left leg, exact truth) by one change a real user's clip could have: the
picture cropped through the shins, darkened, swamped in sensor noise, or
shared with a second person. The promise is the same every time: the reps
are counted right, or marked uncertain, or the user is told why they can't
be; never a wrong rep or flag. Slow: the pose model runs on every clip.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from formcheck.cli import main
from formcheck.video import VideoReader, VideoWriter

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"
CLIP = SAMPLES / "heel_slide_left_side.mp4"  # 3 full reps of the left leg, filmed from the side
OTHER = SAMPLES / "heel_slide_right_side_male.mp4"  # another person, on another mat
THREE_LEFT = [("left", "full")] * 3


def scene(path: Path, change: Callable[[float, np.ndarray], np.ndarray]) -> Path:
    """The sample clip with ``change(t, rgb)`` applied to every frame, as H.264."""
    with VideoReader(CLIP) as reader:
        fps = reader.info.fps
        frames = [(f.t, change(f.t, f.rgb)) for f in reader]
    height, width = frames[0][1].shape[:2]
    with VideoWriter(path, fps, width, height) as writer:
        for t, rgb in frames:
            writer.write(np.ascontiguousarray(rgb), t=t)
    return path


def analyse(clip: Path, tmp_path: Path) -> dict:
    """``formcheck analyze CLIP --exercise heel_slide --json``, as a user runs it."""
    out = tmp_path / "result.json"
    assert main(["analyze", str(clip), "--exercise", "heel_slide", "--json", str(out)]) == 0
    return json.loads(out.read_text())


def reps(result: dict) -> list[tuple[str, str]]:
    return [(r["side"], r["status"]) for r in result["rep_table"]]


def test_a_leg_straightening_out_of_the_picture_gives_uncertain_reps_not_wrong_ones(tmp_path):
    # Cropped so the feet are in the picture at rest and out of it with the knee
    # straight: MediaPipe still places them (and calls them visible); formcheck must
    # not judge what it could not see. Since issue 13 a rep whose knee was seen past
    # the spec's full before the feet left the picture is full (it was); one never
    # seen there is uncertain; none may be called partial or flagged short.
    result = analyse(scene(tmp_path / "cropped.mp4", lambda t, rgb: rgb[:, 170:640]), tmp_path)
    statuses = reps(result)
    assert len(statuses) == 3
    assert all(side == "left" and status in ("full", "uncertain") for side, status in statuses)
    assert result["partial_reps"] == 0
    assert result["flags"] == []
    assert result["frames_with_pose"] == result["frames"]


def test_a_dim_room_is_still_counted_and_the_user_is_told_it_is_dark(tmp_path):
    rng = np.random.default_rng(1)

    def dim(t, rgb):
        return np.clip(rgb * 0.15 + rng.normal(0, 2.0, rgb.shape), 0, 255).astype(np.uint8)

    result = analyse(scene(tmp_path / "dim.mp4", dim), tmp_path)
    assert reps(result) == THREE_LEFT and result["flags"] == []
    dark = "the picture is very dark (brightness 4 %)"
    assert any(w.startswith(dark) for w in result["warnings"])


def test_a_room_too_dark_for_anyone_to_be_found_says_so(tmp_path, capsys):
    clip = scene(tmp_path / "dark.mp4", lambda t, rgb: (rgb * 0.05).astype(np.uint8))
    assert main(["analyze", str(clip), "--exercise", "heel_slide"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"formcheck: error: {clip}: no person was found in any frame; ")
    assert "the picture is very dark (brightness 1 %): light the room" in line


@pytest.mark.xfail(
    strict=True,
    reason="known regression (issue 13): with brisk reps allowed, the resting leg's "
    "0.5 s mirror of rep 3 ends before the working leg's rep is under way, so it is "
    "not withdrawn as a mirror and counts as one right partial rep",
)
def test_a_grainy_picture_does_not_turn_the_resting_leg_into_reps(tmp_path):
    # At this noise MediaPipe mistook the resting right leg for the working one, and two
    # partial right "reps" were counted before the engine learnt to tell a mirror.
    rng = np.random.default_rng(0)

    def grainy(t, rgb):
        return np.clip(rgb + rng.normal(0, 30.0, rgb.shape), 0, 255).astype(np.uint8)

    result = analyse(scene(tmp_path / "grainy.mp4", grainy), tmp_path)
    assert reps(result) == THREE_LEFT and result["flags"] == []
    assert any(w.startswith("the picture is very grainy (noise ") for w in result["warnings"])


@pytest.fixture(scope="module")
def other_person() -> np.ndarray:
    """A man lying still on another mat: the strip of picture he fills."""
    with VideoReader(OTHER) as reader:
        return next(iter(reader)).rgb[120:360].copy()


def two_people(other: np.ndarray, away: tuple[float, float] | None = None):
    """The exerciser's strip of picture above the other person's; during ``away``
    her strip is empty (she has left)."""

    def change(t, rgb):
        mine = rgb[120:360].copy()
        if away and away[0] <= t < away[1]:
            mine[:] = 90
        return np.vstack([mine, other])

    return change


def test_with_someone_else_in_view_the_exerciser_is_followed_and_it_is_said(
    tmp_path, other_person
):
    result = analyse(scene(tmp_path / "two.mp4", two_people(other_person)), tmp_path)
    assert reps(result) == THREE_LEFT
    assert result["gaps"] == []
    assert any(
        w.startswith(
            "2 people were in view: formcheck followed the person at the top of the picture"
        )
        for w in result["warnings"]
    )


def test_when_the_exerciser_leaves_formcheck_waits_for_her_instead_of_switching(
    tmp_path, other_person
):
    # MediaPipe's tracker alone jumped to the other person and stayed: 1 rep, no gap.
    clip = scene(tmp_path / "away.mp4", two_people(other_person, away=(4.6, 6.6)))
    result = analyse(clip, tmp_path)
    assert reps(result) == THREE_LEFT
    ((start, end),) = [(g["start"], g["end"]) for g in result["gaps"]]
    assert (start, end) == (pytest.approx(4.6, abs=0.15), pytest.approx(6.6, abs=0.15))
    assert any(w.startswith("2 people were in view") for w in result["warnings"])
