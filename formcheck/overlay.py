"""Drawing the skeleton on a frame (OpenCV). Never mutates the image it is given."""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.frame import PoseFrame
from formcheck.landmarks import LEG, SKELETON, index

#: RGB colours shared by every drawing in formcheck.
COLOURS = {
    "bone": (235, 235, 235),
    "joint": (40, 170, 255),
    "working": (255, 200, 0),
    "ok": (60, 200, 90),
    "warning": (255, 170, 0),
    "error": (235, 60, 60),
    "text": (255, 255, 255),
    "shadow": (0, 0, 0),
}

_EDGES = np.array([(index(a), index(b)) for a, b in SKELETON])
_LEG_INDICES = {side: {index(name) for name in names} for side, names in LEG.items()}
_BODY_POINTS = np.unique(_EDGES)
MIN_VISIBILITY = 0.3


def line_width(image: np.ndarray) -> int:
    """A line thickness that reads well at any resolution (2 px at 640x480)."""
    return max(1, round(min(image.shape[:2]) / 240))


def draw_skeleton(
    rgb: np.ndarray, frame: PoseFrame, highlight_side: str | None = None
) -> np.ndarray:
    """Return a copy of ``rgb`` with the body skeleton drawn on it.

    Bones of the leg named by ``highlight_side`` (``"left"``/``"right"``) are
    drawn in the working-leg colour; points below ``MIN_VISIBILITY`` are skipped.

    >>> import numpy as np
    >>> img = np.zeros((48, 64, 3), np.uint8)
    >>> out = draw_skeleton(img, PoseFrame.empty(t=0, width=64, height=48))
    >>> out is img, int(out.sum())
    (False, 0)
    """
    out = rgb.copy()
    if not frame.has_pose:
        return out
    # Clip wild coordinates (a landmark file may hold anything) so OpenCV never overflows.
    px = np.clip(frame.pixels(), -1e4, 1e4)
    visible = frame.visibility >= MIN_VISIBILITY
    width = line_width(out)
    highlight = _LEG_INDICES.get(highlight_side or "", set())
    for a, b in _EDGES:
        if not (visible[a] and visible[b]):
            continue
        colour = COLOURS["working"] if a in highlight and b in highlight else COLOURS["bone"]
        thick = width * 2 if colour is COLOURS["working"] else width
        cv2.line(out, _pt(px[a]), _pt(px[b]), colour, thick, cv2.LINE_AA)
    for i in _BODY_POINTS:
        if visible[i]:
            cv2.circle(out, _pt(px[i]), width + 1, COLOURS["joint"], -1, cv2.LINE_AA)
    return out


def _pt(xy: np.ndarray) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))


def draw_label(
    image: np.ndarray, text: str, origin: tuple[int, int], colour=COLOURS["text"], scale=0.6
) -> None:
    """Draw shadowed text in place (callers pass their own copy)."""
    width = max(1, line_width(image) - 1)
    cv2.putText(
        image,
        text,
        origin,
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        COLOURS["shadow"],
        width + 2,
        cv2.LINE_AA,
    )
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, width, cv2.LINE_AA)
