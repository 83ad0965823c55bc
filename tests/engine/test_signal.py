"""Signal conditioning: One Euro smoothing, outlier rejection, short-gap filling."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.engine.signal import Conditioning, LandmarkConditioner, OneEuro
from formcheck.frame import PoseFrame

FPS = 30.0


def frame(i: int, xy: np.ndarray | None = None, vis: float = 0.9) -> PoseFrame:
    """A 640x480 frame with every landmark at ``xy`` (normalised), or no pose."""
    if xy is None:
        return PoseFrame.empty(t=i / FPS, width=640, height=480)
    image = np.zeros((33, 4))
    image[:, :2] = xy
    image[:, 3] = vis
    return PoseFrame(t=i / FPS, width=640, height=480, image=image)


def test_one_euro_passes_a_constant_and_settles_on_a_step():
    f = OneEuro(min_cutoff=1.0, beta=0.0)
    out = [f.update(np.array([5.0]), i / FPS)[0] for i in range(5)]
    assert out == [5.0] * 5
    out = [f.update(np.array([6.0]), (5 + i) / FPS)[0] for i in range(60)]
    assert 5.0 < out[0] < 5.3  # smoothed: the step is not passed at once
    assert out[-1] == pytest.approx(6.0, abs=0.01)


def test_one_euro_lags_less_when_fast():
    slow, fast = OneEuro(1.0, beta=0.0), OneEuro(1.0, beta=1.0)
    for i in range(30):
        x = np.array([10.0 * i])
        a, b = slow.update(x, i / FPS), fast.update(x, i / FPS)
    assert abs(b[0] - 290.0) < abs(a[0] - 290.0)


def test_one_euro_reduces_jitter():
    rng = np.random.default_rng(0)
    f = OneEuro(min_cutoff=1.0, beta=0.0)
    raw = 100 + rng.normal(0, 1.0, 300)
    out = np.array([f.update(np.array([v]), i / FPS)[0] for i, v in enumerate(raw)])
    assert out[30:].std() < 0.5 * raw[30:].std()


def test_a_single_frame_outlier_is_ignored():
    cond = LandmarkConditioner(visibility=0.5, settings=Conditioning(min_cutoff=50.0))
    for i in range(10):
        pose = cond.update(frame(i, (0.5, 0.5)))
    pose = cond.update(frame(10, (0.95, 0.5)))  # 288 px in one frame: not a body
    assert pose.px[0, 0] == pytest.approx(320.0, abs=1.0)
    assert pose.seen.all()


def test_a_jump_that_persists_is_accepted():
    cond = LandmarkConditioner(visibility=0.5, settings=Conditioning(min_cutoff=50.0, confirm=3))
    for i in range(10):
        cond.update(frame(i, (0.5, 0.5)))
    xs = [cond.update(frame(10 + k, (0.95, 0.5))).px[0, 0] for k in range(4)]
    assert xs[0] == pytest.approx(320.0, abs=1.0)
    assert xs[-1] == pytest.approx(608.0, abs=1.0)


def test_short_gaps_are_bridged_and_long_ones_are_not():
    cond = LandmarkConditioner(visibility=0.5, settings=Conditioning(max_gap=0.25))
    for i in range(10):
        cond.update(frame(i, (0.5, 0.5)))
    bridged = [cond.update(frame(10 + k)) for k in range(10)]  # no pose for 1/3 s
    assert [p.seen.all() for p in bridged] == [True] * 7 + [False] * 3  # 7/30 s <= 0.25 s
    assert bridged[0].px[0, 0] == pytest.approx(320.0)  # held at its last value
    back = cond.update(frame(20, (0.6, 0.5)))  # after a long gap: restart, no smoothing
    assert back.seen.all() and back.px[0, 0] == pytest.approx(384.0)


def test_low_visibility_counts_as_missing():
    cond = LandmarkConditioner(visibility=0.5)
    cond.update(frame(0, (0.5, 0.5)))
    pose = None
    for k in range(1, 15):
        pose = cond.update(frame(k, (0.5, 0.5), vis=0.2))
    assert not pose.seen.any()


@pytest.mark.parametrize(
    ("first", "then", "seen"),
    [
        # Rendered rs02_side_floor_right (s15 tuning renders): the far working leg's knee
        # hovered at 0.45-0.53 visibility, so it dropped out for 1.2 s of a rep whose
        # pixels stayed true, and the clip counted nothing. Once in use it stays in use
        # (a second below the threshold is longer than any gap that is bridged).
        (0.55, [0.47, 0.45, 0.46, 0.48, 0.45] * 6, True),
        (0.55, [0.42] * 30, True),  # down to 0.8 of the threshold (0.4)...
        (0.55, [0.35] * 30, False),  # ...and no further
        # In use, then no pose for longer than a bridged gap: taken up afresh only
        # above the threshold.
        (0.55, [None] * 10 + [0.45] * 20, False),
        # Never seen above the threshold: a landmark at 0.45 is not taken up.
        (0.45, [0.45] * 30, False),
        # In use, then clearly unseen: dropped.
        (0.55, [0.2] * 30, False),
    ],
)
def test_a_landmark_in_use_stays_in_use_just_below_the_threshold(first, then, seen):
    cond = LandmarkConditioner(visibility=0.5)
    cond.update(frame(0, (0.5, 0.5), vis=first))
    poses = [
        cond.update(frame(1 + k) if v is None else frame(1 + k, (0.5, 0.5), vis=v))
        for k, v in enumerate(then)
    ]
    last = poses[-1]
    assert (last is not None and bool(last.seen.all())) == seen


def test_nothing_until_a_landmark_is_seen():
    cond = LandmarkConditioner(visibility=0.5)
    assert cond.update(frame(0)) is None
    assert cond.update(frame(1, (0.5, 0.5))) is not None


@pytest.mark.parametrize("with_world", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fused_conditioner_is_a_one_euro_filter_of_pixels_and_world_together(seed, with_world):
    """The conditioner's hot path is hand-fused for speed: it must still be exactly
    `OneEuro(speed_cols=2)` over the (33, 6) rows of pixels, image depth and world, with
    landmarks below the visibility gate held at their last value. (The image depth is
    given only without world landmarks, which are read instead.)"""
    rng = np.random.default_rng(seed)
    settings = Conditioning(min_cutoff=1.2, beta=1.5, max_jump=1e9)  # no jump rejection
    cond = LandmarkConditioner(visibility=0.5, settings=settings)
    cond.scale = 180.0  # px per body length: beta is per body length
    reference = OneEuro(settings.min_cutoff, settings.beta / 180.0, settings.d_cutoff, 2)
    image = np.column_stack([rng.uniform(0.2, 0.8, (33, 2)), rng.normal(0.0, 0.1, 33), np.ones(33)])
    world = rng.normal(0.0, 0.3, (33, 3))
    held = None
    t = 0.0
    for i in range(120):
        t += rng.uniform(0.02, 0.07)  # an uneven frame rate
        image[:, :3] += rng.normal(0.0, 0.004, (33, 3))  # walk, well inside the jump bound
        world += rng.normal(0.0, 0.01, (33, 3))
        # A few hidden on every other frame (after the first): gaps far shorter than
        # max_gap, so no landmark restarts.
        hidden = (i % 2 == 1) & (rng.random(33) < 0.2)
        image[:, 3] = np.where(hidden, 0.2, 0.9)
        given = world if with_world else None
        pose = cond.update(PoseFrame(t=t, width=640, height=480, image=image, world=given))
        # Without world landmarks the conditioner holds their columns at the last
        # filtered value; they are never read then.
        raw = np.column_stack([image[:, :3] * (640, 480, 640), world if with_world else 0 * world])
        if held is None:  # the first frame: every landmark starts where it is seen
            held = raw
            reference.update(raw, t)
            continue
        ok = image[:, 3] >= 0.5
        held = reference.update(np.where(ok[:, None], raw, held), t)
        np.testing.assert_allclose(pose.px, held[:, :2], rtol=0, atol=1e-9)
        if with_world:
            assert pose.px_depth is None
            np.testing.assert_allclose(pose.world, held[:, 3:], rtol=0, atol=1e-9)
        else:
            assert pose.world is None
            np.testing.assert_allclose(pose.px_depth, held[:, :3], rtol=0, atol=1e-9)
        assert pose.seen.all(), f"frame {i}: a hidden landmark is bridged, not lost"


def test_image_depth_is_given_only_where_the_source_has_some():
    # A 2-D pose model, or a landmark file of x and y, writes one constant z: no depth
    # there, and angles read in depth fall back to the image (`metrics._depth_space`).
    flat = LandmarkConditioner(visibility=0.5)
    for i in range(3):
        assert flat.update(frame(i, (0.5, 0.5))).px_depth is None
    deep = LandmarkConditioner(visibility=0.5)
    image = frame(0, (0.5, 0.5)).image.copy()
    image[:, 2] = np.linspace(-0.1, 0.1, 33)  # MediaPipe's z: scaled like x
    pose = deep.update(PoseFrame(t=0.0, width=640, height=480, image=image))
    np.testing.assert_allclose(pose.px_depth[:, 2], image[:, 2] * 640)
    np.testing.assert_array_equal(pose.px_depth[:, :2], pose.px)


def test_a_landmark_with_no_depth_reading_is_still_seen():
    cond = LandmarkConditioner(visibility=0.5)
    image = frame(0, (0.5, 0.5)).image.copy()
    image[:, 2] = np.linspace(-0.1, 0.1, 33)
    image[5, 2] = np.nan
    pose = cond.update(PoseFrame(t=0.0, width=640, height=480, image=image))
    assert pose.seen[5] and np.isfinite(pose.px_depth).all()
    assert pose.px[5].tolist() == [320.0, 240.0]
