import numpy as np
import pytest

from formcheck.frame import PoseFrame
from formcheck.landmarks import COUNT, NAMES, SKELETON, index, is_name


def test_landmark_table_matches_blazepose():
    assert COUNT == 33
    assert index("left_hip") == 23 and index("right_foot_index") == 32
    assert all(is_name(a) and is_name(b) for a, b in SKELETON)
    assert len(set(NAMES)) == 33


def test_unknown_landmark_lists_the_valid_names():
    with pytest.raises(KeyError, match="unknown landmark 'left_sit_bone'; expected one of: nose"):
        index("left_sit_bone")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image": np.zeros((32, 4))}, r"image: expected shape \(33, 4\), got \(32, 4\)"),
        (
            {"image": np.zeros((33, 4)), "world": np.zeros((33, 2))},
            r"world: expected shape \(33, 3\)",
        ),
        ({"width": 0}, "width: expected a positive integer, got 0"),
        ({"t": float("nan")}, "t: expected a finite number of seconds, got nan"),
        ({"world": np.zeros((33, 3))}, "world: expected None when image is None"),
    ],
)
def test_invalid_frames_say_expected_versus_actual(kwargs, message):
    args = {"t": 0.0, "width": 640, "height": 480} | kwargs
    with pytest.raises(ValueError, match=message):
        PoseFrame(**args)


def test_frame_arrays_are_private_read_only_copies():
    image = np.zeros((33, 4))
    frame = PoseFrame(t=0, width=640, height=480, image=image)
    image[0, 0] = 9.0
    assert frame.image[0, 0] == 0.0
    with pytest.raises(ValueError):
        frame.image[0, 0] = 1.0


def test_non_finite_points_count_as_invisible():
    image = np.ones((33, 4))
    image[5, 0] = np.nan
    frame = PoseFrame(t=0, width=640, height=480, image=image)
    assert frame.visibility[5] == 0.0 and frame.visibility[6] == 1.0
    assert frame.pixels()[6].tolist() == [640.0, 480.0]
