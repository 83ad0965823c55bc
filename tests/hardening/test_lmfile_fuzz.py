"""Fuzz the landmark reader: whatever the bytes, only LandmarkFileError escapes."""

import json
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formcheck.errors import LandmarkFileError
from formcheck.lmfile import LandmarkHeader, LandmarkWriter, read_landmarks

HEADER = json.dumps(LandmarkHeader(fps=30.0, width=640, height=480).to_dict())
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.just("x"),
    st.none(),
    st.booleans(),
)
rows = st.lists(st.lists(numbers, min_size=0, max_size=5), min_size=0, max_size=35)
frame_objects = st.fixed_dictionaries(
    {"t": st.one_of(numbers, st.floats(0, 100))},
    optional={
        "pose": st.one_of(st.none(), rows),
        "world": st.one_of(st.none(), rows),
        "extra": numbers,
    },
)


def _read_all(path):
    header, frames = read_landmarks(path)
    return header, list(frames)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(frame_objects.map(lambda d: json.dumps(d, allow_nan=True)), st.text(max_size=40)),
        max_size=6,
    )
)
def test_random_frame_lines_raise_only_landmark_errors(tmp_path, lines):
    path = tmp_path / "fuzz.jsonl"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    try:
        _, frames = _read_all(path)
    except LandmarkFileError as exc:
        assert str(exc).startswith(f"{path}: line ")
        return
    last = -math.inf
    for frame in frames:  # whatever was accepted is well-formed
        assert frame.t >= last
        last = frame.t
        if frame.image is not None:
            assert frame.image.shape == (33, 4) and np.isfinite(frame.image).all()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_random_bytes_raise_only_landmark_errors(tmp_path, data):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    try:
        _read_all(path)
    except LandmarkFileError as exc:
        assert str(exc).startswith(f"{path}: ")


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.floats(-1e6, 1e6, allow_nan=False, width=64), min_size=33 * 4, max_size=33 * 4
    ),
    t=st.floats(0, 1e5),
)
def test_any_finite_frame_round_trips_exactly(tmp_path, values, t):
    from formcheck.frame import PoseFrame

    image = np.array(values).reshape(33, 4)
    path = tmp_path / "rt.jsonl"
    with LandmarkWriter(path, LandmarkHeader(fps=30.0, width=640, height=480)) as writer:
        writer.write(PoseFrame(t=t, width=640, height=480, image=image))
    (frame,) = _read_all(path)[1]
    assert frame.t == t
    np.testing.assert_array_equal(frame.image, image)
