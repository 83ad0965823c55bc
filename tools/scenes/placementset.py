"""The placement study's clips: fixed camera placements, one clean clip and one faulted each.

Writes a manifest (TOML, the same format as ``randomset.py``'s, rendered by
``randomset.py render``) for ``tests/validation/placement/``::

    python tools/scenes/placementset.py --out tests/validation/placement/manifest.toml
    nice -n 10 ~/.venvs/formcheck-scenes/bin/python tools/scenes/randomset.py render \\
        --manifest tests/validation/placement/manifest.toml --out-dir tests/validation/placement

Unlike the randomized set, everything but the camera is held fixed (body, clothes,
room, light, tempo), so two placements differ only in where the camera is. Each
placement has a ``clean`` clip (3 reps, no faults) and a ``faults`` clip (5 reps:
rep 1 clean, then one fault a rep at about 1.5 times the spec's limit: heel veer,
pelvis shift, pelvis lift, pelvis roll). The clean reps give each drift metric's
noise floor at that placement, the faulted reps its response to a known fault.

Needs numpy only (system Python is fine). The lens is a phone's (26 mm as a
full-frame equivalent), widened only if the whole body, bent and straight, is
not inside the frame (``randomset.fits``); the body is as small in the frame as a
phone at that spot would show it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import camera  # noqa: E402  (the local modules, found through HERE)
import randomset  # noqa: E402

# name, view, camera height m, distance m from the view's aim point, (width, height),
# (yaw, pitch, roll) deg, note. end_on's aim point is 0.2 m towards the feet from the
# hips and the heels reach about 1.0 m, so distance - 0.8 is about the gap beyond the heels.
PLACEMENTS = (
    ("end_on_floor", "end_on", 0.2, 2.8, (480, 360), (0, 0, 0), "floor, 2 m beyond the feet"),
    ("side_floor", "side", 0.2, 2.4, (480, 360), (0, 0, 0), "floor, 2.4 m to the side"),
    ("end_on_chair", "end_on", 0.5, 2.8, (480, 360), (0, 0, 0), "chair, 2 m beyond the feet"),
    ("end_on_tripod", "end_on", 1.5, 2.4, (480, 360), (0, 0, 0), "tripod, 1.6 m beyond"),
    (
        "portrait_held",
        "end_on",
        1.3,
        2.0,
        (360, 640),
        (3, -4, 5),
        "phone held upright, standing 1.2 m beyond the feet, a little tilted",
    ),
    ("side_chair", "side", 0.5, 2.4, (480, 360), (0, 0, 0), "chair, 2.4 m to the side"),
    ("end_on_table", "end_on", 0.75, 2.8, (480, 360), (0, 0, 0), "table, 2 m beyond the feet"),
    ("oblique_table", "oblique", 0.75, 2.5, (480, 360), (0, 0, 0), "45 deg between, table"),
    ("end_on_floor_near", "end_on", 0.2, 1.8, (480, 360), (0, 0, 0), "floor, 1 m beyond"),
    ("end_on_floor_far", "end_on", 0.2, 3.8, (480, 360), (0, 0, 0), "floor, 3 m beyond"),
)

# The spec's limits are 4 cm heel drift, 4.5 cm shift, 4 cm lift, 8 deg roll: each
# fault is about 1.5 times its limit, so its response stands clear of the noise.
FAULT_REPS = {"veer": ["2:6.0"], "pelvis_shift": ["3:6.5"], "pelvis_lift": ["4:6.0"]}
FAULT_REPS["pelvis_roll"] = ["5:12.0"]

FIXED = {
    "leg": "left",
    "lead_in": 1.0,
    "out_s": 1.2,
    "hold_s": 0.2,
    "back_s": 1.1,
    "rest_s": 0.5,
    "tail": 0.4,
    "jitter": 0.03,
    "body": "female_average",
    "room": "living",
    "lighting": "soft",
    "camera_side": "left",
    "fps": 15,
    "detail": "lean",
    "crf": 28,
}


PHONE_LENS_MM = 26.0  # a phone's main camera, as a 36 mm-sensor equivalent


def lens_that_fits(view: str, h: float, d: float, size: tuple[int, int], ypr) -> float:
    """A phone's lens, widened in 8 % steps only if it doesn't frame the whole body."""
    focal = PHONE_LENS_MM
    while focal >= 14:
        place = camera.placement(view, 1.0, h, d, 0.0, *ypr, focal)
        if randomset.fits(place, *size):
            return round(focal, 1)
        focal *= 0.92
    raise RuntimeError(f"{view} at {h} m, {d} m: no lens frames the body")


def clips() -> list[dict]:
    """Every placement's clean and faulted clip, in render order."""
    out = []
    for k, (name, view, h, d, size, ypr, note) in enumerate(PLACEMENTS):
        focal = lens_that_fits(view, h, d, size, ypr)
        cam = {
            "view": view,
            "cam_height": h,
            "cam_distance": d,
            "cam_yaw": float(ypr[0]),
            "cam_pitch": float(ypr[1]),
            "cam_roll": float(ypr[2]),
            "focal": focal,
            "width": size[0],
            "height": size[1],
        }
        clean = {"name": f"pl_{name}_clean", "bin": name, "split": "study", "reps": 3}
        clean |= FIXED | cam | {"seed": 100 + 2 * k, "note": f"{note}; 3 clean reps"}
        faults = {"name": f"pl_{name}_faults", "bin": name, "split": "study", "reps": 5}
        faults |= FIXED | cam | FAULT_REPS
        faults |= {
            "seed": 101 + 2 * k,
            "note": f"{note}; rep 1 clean, 2 veer 6 cm out, 3 shift 6.5 cm, 4 lift 6 cm, "
            "5 roll 12 deg",
        }
        out += [clean, faults]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="placementset.py", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    drawn = clips()
    head = (
        "# The placement study's clips (tests/validation/placement/README.md).\n"
        "# Written by: python tools/scenes/placementset.py --out "
        "tests/validation/placement/manifest.toml\n"
        "# Each [[clip]] is render.py options (- written _) plus name, bin (the placement),\n"
        "# split (always study: no engine threshold is tuned on these) and note.\n"
    )
    body = "\n".join(
        "[[clip]]\n" + "".join(f"{k} = {randomset._toml_value(v)}\n" for k, v in c.items())
        for c in drawn
    )
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(head + "\n" + body)
    print(f"[placementset] wrote {len(drawn)} clips to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
