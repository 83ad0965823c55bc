"""Draw the engine's live state on a frame: path, ideal line and band, counter, phase, cues.

An adapter (OpenCV) over `overlay.draw_skeleton`; like it, it never mutates
the image it is given. The same drawing serves ``formcheck analyze
--annotate`` and the live view.

>>> import numpy as np
>>> from formcheck.frame import PoseFrame
>>> img = np.zeros((48, 64, 3), np.uint8)
>>> out = draw_state(img, PoseFrame.empty(t=0, width=64, height=48), None, "Heel slide")
>>> out is img, out.shape
(False, (48, 64, 3))
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formcheck.engine import Snapshot
from formcheck.frame import PoseFrame
from formcheck.overlay import COLOURS, draw_label, draw_skeleton, line_width

#: How strongly the tolerance band tints the frame.
BAND_ALPHA = 0.25


def _pt(xy: tuple[float, float]) -> tuple[int, int]:
    x, y = (max(-1e4, min(1e4, v)) for v in xy)  # OpenCV overflows on wild values
    return round(x), round(y)


def draw_path(image: np.ndarray, snap: Snapshot) -> None:
    """Draw the ideal line, its tolerance band and the tracked path, in place."""
    width = line_width(image)
    if snap.ideal_line_px is not None:
        (x0, y0), (x1, y1) = snap.ideal_line_px
        length = math.hypot(x1 - x0, y1 - y0)
        if length > 1e-6 and snap.band_px > 0:
            nx, ny = (y0 - y1) / length * snap.band_px, (x1 - x0) / length * snap.band_px
            band = np.array(
                [
                    _pt((x0 + nx, y0 + ny)),
                    _pt((x1 + nx, y1 + ny)),
                    _pt((x1 - nx, y1 - ny)),
                    _pt((x0 - nx, y0 - ny)),
                ],
                np.int32,
            )
            tint = image.copy()
            cv2.fillPoly(tint, [band], COLOURS["ok"], cv2.LINE_AA)
            cv2.addWeighted(tint, BAND_ALPHA, image, 1 - BAND_ALPHA, 0, dst=image)
        cv2.line(image, _pt((x0, y0)), _pt((x1, y1)), COLOURS["ok"], width, cv2.LINE_AA)
    if len(snap.path_px) >= 2:
        colour = COLOURS["warning"] if snap.cue else COLOURS["working"]
        pts = np.array([_pt(p) for p in snap.path_px], np.int32)
        cv2.polylines(image, [pts], False, colour, width, cv2.LINE_AA)


def _counter(snap: Snapshot) -> str:
    text = f"reps {snap.reps}"
    if snap.partial_reps:
        text += f"  partial {snap.partial_reps}"
    if snap.uncertain_reps:
        text += f"  unsure {snap.uncertain_reps}"
    if snap.holds or snap.hold_seconds:
        text += f"  holds {snap.holds}"
    return text


def _status(snap: Snapshot) -> str:
    if snap.phase == "settling":
        return "finding the body"
    parts = [snap.phase]
    if snap.phase == "holding":
        parts = [f"holding {snap.hold_seconds:.1f} s"]
    if snap.side in ("left", "right"):
        parts.append(f"{snap.side} side")
    if snap.value == snap.value:
        parts.append(f"{snap.value:.0f} {snap.unit}" if snap.unit == "deg" else f"{snap.value:.2f}")
    return "  ".join(parts)


def draw_state(
    rgb: np.ndarray, frame: PoseFrame, snap: Snapshot | None, title: str = ""
) -> np.ndarray:
    """A copy of ``rgb`` with the skeleton (working leg highlighted) and the engine's state.

    ``snap`` may be None (nothing to show yet). A flag's cue is shown in a
    banner coloured by its severity while the snapshot holds it.
    """
    side = snap.side if snap is not None and snap.side in ("left", "right") else None
    out = draw_skeleton(rgb, frame, highlight_side=side)
    if snap is None:
        return out
    draw_path(out, snap)
    h = out.shape[0]
    scale = max(0.4, h / 800)
    step = round(28 * scale / 0.6)
    y = step
    if title:
        draw_label(out, title, (10, y), scale=scale)
        y += step
    draw_label(out, _counter(snap), (10, y), scale=scale)
    draw_label(out, _status(snap), (10, y + step), scale=scale)
    if snap.cue:
        colour = COLOURS.get(snap.cue_severity or "warning", COLOURS["warning"])
        cv2.rectangle(out, (0, h - 2 * step), (out.shape[1], h), COLOURS["shadow"], -1)
        draw_label(out, snap.cue, (10, h - step // 2 - 2), colour=colour, scale=scale)
    return out
