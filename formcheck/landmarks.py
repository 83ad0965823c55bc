"""The 33 BlazePose landmarks: names, indices and the skeleton's edges.

Everything in formcheck refers to landmarks by these names (in specs, in
tests, in drawings), so the one table lives here.

>>> index("left_heel")
29
>>> NAMES[29]
'left_heel'
"""

from __future__ import annotations

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

COUNT = len(NAMES)
_INDEX = {name: i for i, name in enumerate(NAMES)}

#: Edges drawn as the skeleton (the body only: the face is left out on purpose,
#: it carries no information for floor exercises and clutters the overlay).
SKELETON: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_hip", "right_hip"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
)

#: The landmarks of each leg, hip to toe, used to highlight the working leg.
LEG: dict[str, tuple[str, ...]] = {
    side: tuple(f"{side}_{part}" for part in ("hip", "knee", "ankle", "heel", "foot_index"))
    for side in ("left", "right")
}


def index(name: str) -> int:
    """Return the index of landmark ``name``; raise ``KeyError`` listing valid names.

    >>> index("nose")
    0
    """
    try:
        return _INDEX[name]
    except KeyError:
        raise KeyError(f"unknown landmark {name!r}; expected one of: {', '.join(NAMES)}") from None


def is_name(name: object) -> bool:
    """True when ``name`` is one of the 33 landmark names."""
    return isinstance(name, str) and name in _INDEX
