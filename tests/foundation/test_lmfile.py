import json

import numpy as np
import pytest

from formcheck.errors import LandmarkFileError
from formcheck.frame import PoseFrame
from formcheck.lmfile import LandmarkHeader, read_landmarks
from tests.factories import make_frame, write_landmarks

HEADER = LandmarkHeader(fps=30.0, width=640, height=480, source="clip.mp4", model="full")


def test_header_line_is_the_documented_format(tmp_path):
    path = tmp_path / "lm.jsonl"
    write_landmarks(path, [], HEADER)
    assert json.loads(path.read_text().splitlines()[0]) == {
        "format": "formcheck-landmarks",
        "version": 1,
        "fps": 30.0,
        "width": 640,
        "height": 480,
        "source": "clip.mp4",
        "model": "full",
    }


def test_round_trip_is_exact(tmp_path):
    frames = [
        make_frame(0.0, seed=1),
        PoseFrame.empty(t=1 / 30, width=640, height=480),
        make_frame(2 / 30, seed=2, world=False),
    ]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_landmarks(first, frames, HEADER)
    header, read = read_landmarks(first)
    read = list(read)
    assert header == HEADER
    assert [f.t for f in read] == [f.t for f in frames]
    assert read[1].image is None and read[2].world is None
    np.testing.assert_array_equal(read[0].image, frames[0].image)  # bit-exact, not approximate
    np.testing.assert_array_equal(read[0].world, frames[0].world)
    write_landmarks(second, read, HEADER)
    assert second.read_bytes() == first.read_bytes()


def test_world_may_be_absent(tmp_path):
    path = tmp_path / "lm.jsonl"
    pose = [[0.5, 0.5, 0.0, 0.9]] * 33
    path.write_text(
        json.dumps(HEADER.to_dict()) + "\n" + json.dumps({"t": 0.0, "pose": pose}) + "\n"
    )
    (frame,) = read_landmarks(path)[1]
    assert frame.has_pose and frame.world is None


GOOD_POSE = [[0.5, 0.5, 0.0, 0.9]] * 33


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], r"line 1: empty file, expected a header"),
        (
            ['{"format": "other", "version": 1}'],
            r'line 1: header: format: expected "formcheck-landmarks", got \'other\'',
        ),
        (
            ['{"format": "formcheck-landmarks", "version": 2, "fps": 30, "width": 1, "height": 1}'],
            r"line 1: header: version: expected 1, got 2",
        ),
        (
            ['{"format": "formcheck-landmarks", "version": 1, "fps": 0, "width": 1, "height": 1}'],
            r"line 1: header: fps: expected a positive number, got 0",
        ),
        (
            ["HEADER", '{"t": 0.0, "pose": [[0.5, 0.5, 0.0]]}'],
            r"line 2: pose: expected 33 rows of 4 numbers, got 1 rows",
        ),
        (["HEADER", "GOOD", '{"t": 0.1, "pose": [[0.5, 0.5, 0.0, 0.9]]'], r"line 3: not JSON"),
        (["HEADER", '{"t": 0.0, "pose": POSE_NAN}'], r"line 2: not JSON \(NaN is not allowed"),
        (["HEADER", '{"t": 0.0, "pose": POSE_INF}'], r"line 2: not JSON \(Infinity is not allowed"),
        (
            ["HEADER", '{"t": 0.5, "pose": null}', '{"t": 0.2, "pose": null}'],
            r"line 3: t: timestamps must not go backwards \(got 0.2 after 0.5\)",
        ),
        (["HEADER", '{"t": 0.0, "pose": null, "extra": 1}'], r"line 2: unknown key 'extra'"),
        (
            ["HEADER", '{"t": "zero", "pose": null}'],
            r"line 2: t: expected seconds >= 0, got 'zero'",
        ),
        (["HEADER", '{"t": 0.0}'], r"line 2: pose: missing"),
        (
            ["HEADER", '{"t": 0.0, "pose": null, "world": [[0, 0]]}'],
            r"line 2: world: expected 33 rows",
        ),
    ],
)
def test_malformed_files_name_the_line(tmp_path, lines, message):
    replacements = {
        "HEADER": json.dumps(HEADER.to_dict()),
        "GOOD": json.dumps({"t": 0.0, "pose": GOOD_POSE}),
        "POSE_NAN": json.dumps([[0.5, 0.5, 0.0, 0.9]] * 32 + [[0.5, 0.5, 0.0, float("nan")]]),
        "POSE_INF": json.dumps([[0.5, 0.5, 0.0, 0.9]] * 32 + [[0.5, float("inf"), 0.0, 0.9]]),
    }
    text = "\n".join(lines)
    for key, value in replacements.items():
        text = text.replace(key, value)
    path = tmp_path / "lm.jsonl"
    path.write_text(text + ("\n" if lines else ""))
    with pytest.raises(LandmarkFileError, match=rf"^{path}: {message}"):
        list(read_landmarks(path)[1])


def test_truncated_file_names_the_cut_line(tmp_path):
    path = tmp_path / "lm.jsonl"
    write_landmarks(path, [make_frame(i / 30, seed=i) for i in range(5)], HEADER)
    text = path.read_text()
    path.write_text(text[: len(text) - 200])  # cut in the middle of the last frame
    _, frames = read_landmarks(path)
    with pytest.raises(LandmarkFileError, match=rf"{path}: line 6: "):
        list(frames)


def test_missing_file(tmp_path):
    with pytest.raises(LandmarkFileError, match="no such file"):
        read_landmarks(tmp_path / "nope.jsonl")


def test_writer_refuses_nan(tmp_path):
    image = np.full((33, 4), 0.5)
    image[3, 0] = np.nan
    with pytest.raises(LandmarkFileError, match=r"frame at t=0.0: landmarks contain NaN"):
        write_landmarks(
            tmp_path / "lm.jsonl", [PoseFrame(t=0, width=640, height=480, image=image)], HEADER
        )
