"""The shared clip-review loop: streaming, stride, outputs, cancel."""

from pathlib import Path

import pytest

from formcheck.lmfile import read_landmarks
from formcheck.review import Cancelled, review_clip
from formcheck.specs import load_spec

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "sample_videos" / "glute_bridge_side.mp4"


@pytest.fixture(scope="module")
def spec():
    return load_spec(ROOT / "exercise_specs" / "heel_slide.toml")


@pytest.mark.slow
def test_review_streams_every_frame_and_writes_landmarks(tmp_path, spec):
    seen = []
    review = review_clip(
        SAMPLE,
        spec,
        model="lite",
        landmarks_to=tmp_path / "lm.jsonl",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert review.stats.frames == review.stats.frames_analysed == 91
    assert review.result.frames == 91 and review.result.frames_with_pose >= 90
    assert seen[-1] == (91, 91) and len(seen) == 91
    header, frames = read_landmarks(review.landmarks)
    assert header.source == "glute_bridge_side.mp4" and len(list(frames)) == 91
    assert review.warnings == ()


@pytest.mark.slow
def test_stride_analyses_every_other_frame(spec):
    review = review_clip(SAMPLE, spec, model="lite", stride=2)
    assert review.stats.frames == 91
    assert review.stats.frames_analysed == 46
    assert review.result.frames == 46


@pytest.mark.slow
def test_cancel_stops_and_leaves_no_partial_files(tmp_path, spec):
    calls = iter(range(1000))
    with pytest.raises(Cancelled, match="review cancelled"):
        review_clip(
            SAMPLE,
            spec,
            model="lite",
            landmarks_to=tmp_path / "lm.jsonl",
            cancelled=lambda: next(calls) >= 10,
        )
    assert not (tmp_path / "lm.jsonl").exists()


def test_bad_stride(spec):
    with pytest.raises(ValueError, match="stride: expected an integer >= 1, got 0"):
        review_clip(SAMPLE, spec, stride=0)


@pytest.mark.slow
def test_annotated_review_keeps_every_frame_even_when_strided(tmp_path, spec):
    from formcheck.video import VideoReader

    review = review_clip(SAMPLE, spec, model="lite", stride=3, annotate_to=tmp_path / "a.mp4")
    with VideoReader(review.annotated) as reader:
        assert reader.info.codec == "h264"
        assert sum(1 for _ in reader) == 91


@pytest.mark.slow
@pytest.mark.parametrize("stride", [1, 2])
def test_annotated_review_keeps_variable_frame_timing(tmp_path, spec, stride):
    # Regression: the annotated video spaced frames evenly, so a variable-rate
    # phone clip came out with the wrong timing and duration.
    from formcheck.video import VideoReader
    from tests.factories import write_clip

    times = [0.0, 0.030, 0.050, 0.200, 0.233, 0.500, 0.900, 0.950]
    clip = write_clip(tmp_path / "vfr.mp4", frames=len(times), size=(160, 120), times=times)
    review = review_clip(clip, spec, model="lite", stride=stride, annotate_to=tmp_path / "a.mp4")
    with VideoReader(review.annotated) as reader:
        written = [f.t for f in reader]
    assert written == pytest.approx(times, abs=2e-3)
