"""Every parameter of a rendered clip: the CLI options and the validated config.

No bpy here, so the parsing can be checked with the system Python.

>>> parse_rep_values(["2:6", "1,3:-4"], "--veer", reps=3)
{2: 6.0, 1: -4.0, 3: -4.0}
>>> parse_rep_values(["all:0.5"], "--partial", reps=2)
{1: 0.5, 2: 0.5}
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re

BODIES = (
    "female_average",
    "male_heavy",
    "female_slim",
    "female_long_shins",
    "male_short_thighs",
)
EXERCISES = ("heel_slide", "glute_bridge")
VIEWS = ("side", "end_on", "oblique")
ROOMS = ("living", "studio", "clinic")
LIGHTINGS = ("soft", "warm", "side", "dim")
NOISE = {"soft": 0.0, "warm": 0.0, "side": 0.0, "dim": 4.0}  # keep in step with scene.LIGHTING
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class ParamError(ValueError):
    """A parameter that cannot be rendered; the CLI prints it on one line."""


def parse_rep_values(items: list[str], option: str, reps: int) -> dict[int, float]:
    """'REPS:VALUE' items -> {rep: value}; REPS is '2', '1,3' or 'all'."""
    out: dict[int, float] = {}
    for item in items:
        if ":" not in item:
            raise ParamError(f"{option}: expected REPS:VALUE such as 2:6, got {item!r}")
        which, value = item.split(":", 1)
        try:
            v = float(value)
        except ValueError:
            raise ParamError(f"{option}: value must be a number, got {value!r}") from None
        if which.strip() == "all":
            idx = list(range(1, reps + 1))
        else:
            try:
                idx = [int(x) for x in which.split(",")]
            except ValueError:
                raise ParamError(
                    f"{option}: reps must be like 2 or 1,3 or all, got {which!r}"
                ) from None
        for i in idx:
            if not 1 <= i <= reps:
                raise ParamError(f"{option}: rep {i} is outside 1..{reps}")
            out[i] = v
    return out


def _colour(value: str) -> str:
    if not _HEX.match(value):
        raise argparse.ArgumentTypeError(f"expected a colour like #2a7ab0, got {value!r}")
    return value.lower()


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("exercise and motion")
    g.add_argument("--exercise", choices=EXERCISES, default="heel_slide")
    g.add_argument(
        "--leg",
        choices=("left", "right"),
        default="left",
        help="the working leg (heel slide); for the bridge it picks the camera side",
    )
    g.add_argument("--reps", type=int, default=3, help="number of reps")
    g.add_argument(
        "--lead-in",
        type=float,
        default=1.0,
        help="seconds lying still before rep 1; a long lead-in is a late start",
    )
    g.add_argument("--out-s", type=float, default=1.6, help="seconds to slide out / lift up")
    g.add_argument("--hold-s", type=float, default=0.4, help="seconds held at the far point")
    g.add_argument("--back-s", type=float, default=1.5, help="seconds to slide back / lower")
    g.add_argument("--rest-s", type=float, default=0.7, help="seconds of rest between reps")
    g.add_argument(
        "--pause",
        action="append",
        default=[],
        metavar="REPS:SECONDS",
        help="extra rest after these reps (repeatable)",
    )
    g.add_argument("--tail", type=float, default=0.8, help="seconds still after the last rep")
    g.add_argument(
        "--jitter",
        type=float,
        default=0.05,
        help="random tempo variation per rep, as a fraction (seeded)",
    )
    g.add_argument(
        "--partial",
        action="append",
        default=[],
        metavar="REPS:FRACTION",
        help="these reps reach only FRACTION (0.1-0.95) of the heel's full travel",
    )

    g = p.add_argument_group("faults (heel slide)")
    g.add_argument(
        "--veer",
        action="append",
        default=[],
        metavar="REPS:CM",
        help="sideways heel veer at the far point, cm; + away from the midline "
        "(out), - towards it (in); grows with the slide and returns",
    )
    g.add_argument(
        "--pelvis-shift",
        action="append",
        default=[],
        metavar="REPS:CM",
        help="pelvis-only sideways shift, cm, + towards the working leg; torso stays",
    )
    g.add_argument(
        "--pelvis-roll",
        action="append",
        default=[],
        metavar="REPS:DEG",
        help="pelvis-only roll about the body's long axis, degrees, + lifts the "
        "working leg's side; torso stays",
    )
    g.add_argument(
        "--pelvis-lift",
        action="append",
        default=[],
        metavar="REPS:CM",
        help="pelvis-only lift straight up off the mat, cm (0-10); torso stays",
    )

    g = p.add_argument_group("interruptions")
    g.add_argument(
        "--cover",
        action="append",
        default=[],
        metavar="START:SECONDS",
        help="the lens is covered (a dark cloth right in front of the camera) "
        "from START for SECONDS: the person is out of view; truth marks it",
    )

    g = p.add_argument_group("person")
    g.add_argument("--body", choices=BODIES, default="female_average")
    g.add_argument("--skin", type=_colour, default="#c68c6a")
    g.add_argument("--shirt", type=_colour, default="#2a7ab0", help="T-shirt colour")
    g.add_argument("--shorts", type=_colour, default="#262626")
    g.add_argument("--socks", type=_colour, default="#f0f0f0")
    g.add_argument("--hair-colour", type=_colour, default="#3b2a1e")
    g.add_argument(
        "--hair",
        choices=("short", "long"),
        default="short",
        help="how much of the head the hair covers",
    )
    g.add_argument("--eyes", type=_colour, default="#4a3020", help="iris colour")

    g = p.add_argument_group("room, camera, light")
    g.add_argument(
        "--room",
        choices=ROOMS,
        default="living",
        help="floor and wall colours (with a cabinet and a cushion)",
    )
    g.add_argument("--mat-colour", type=_colour, help="override the room's mat colour")
    g.add_argument(
        "--view",
        choices=VIEWS,
        default="side",
        help="side: 2.6 m from the body, 0.55 m high; end_on: beyond the feet, "
        "1.6 m high, looking down the body; oblique: 45 deg between, 1.15 m high",
    )
    g.add_argument(
        "--camera-side",
        choices=("auto", "left", "right"),
        default="auto",
        help="which of the person's sides the side/oblique camera is on; "
        "auto = the working leg's side",
    )
    g.add_argument(
        "--cam-height",
        type=float,
        help="camera height above the floor, m (0.1-1.8); default: the view's",
    )
    g.add_argument(
        "--cam-distance",
        type=float,
        help="horizontal distance from the view's aim point on the body, m (0.8-5); "
        "default: the view's (side 2.6, end_on 1.95, oblique 2.53)",
    )
    g.add_argument(
        "--cam-lateral",
        type=float,
        default=0.0,
        help="move the camera sideways (to its right, +) by this many m, still aimed at the body",
    )
    g.add_argument("--cam-yaw", type=float, default=0.0, help="turn off aim, deg (about world Z)")
    g.add_argument(
        "--cam-pitch", type=float, default=0.0, help="tilt off aim, deg (+ up, about camera X)"
    )
    g.add_argument("--cam-roll", type=float, default=0.0, help="roll about the view axis, deg")
    g.add_argument("--focal", type=float, help="lens focal length, mm (36 mm sensor width; 14-85)")
    g.add_argument(
        "--lighting",
        choices=LIGHTINGS,
        default="soft",
        help="soft, warm, side (raking light) or dim (-1.7 EV plus sensor noise)",
    )

    g = p.add_argument_group("video")
    g.add_argument("--fps", type=int, default=15, help="frames per second (15-30)")
    g.add_argument("--width", type=int, default=640)
    g.add_argument("--height", type=int, default=480)
    g.add_argument(
        "--engine",
        choices=("workbench", "cycles"),
        default="workbench",
        help="workbench: ~1-2 s/frame; cycles: ~4-6 s/frame (EEVEE is not offered)",
    )
    g.add_argument(
        "--detail",
        choices=("full", "lean"),
        default="full",
        help="lean: no render-time subdivision of the body, no cavity shading and no "
        "shadows; looks nearly the same and costs about a fifth of the CPU per "
        "Workbench frame (0.27 against 1.5 s)",
    )
    g.add_argument("--samples", type=int, default=8, help="Cycles samples (denoised)")
    g.add_argument("--crf", type=int, default=26, help="H.264 quality (lower = bigger)")
    g.add_argument("--seed", type=int, default=0, help="seeds tempo jitter and sensor noise")


@dataclasses.dataclass(frozen=True)
class ClipConfig:
    """A validated clip description; ``as_dict`` goes into the truth file."""

    exercise: str
    leg: str
    reps: int
    lead_in: float
    out_s: float
    hold_s: float
    back_s: float
    rest_s: float
    pause: dict[int, float]
    tail: float
    jitter: float
    partial: dict[int, float]
    veer: dict[int, float]
    pelvis_shift: dict[int, float]
    pelvis_roll: dict[int, float]
    pelvis_lift: dict[int, float]
    cover: tuple[tuple[float, float], ...]
    body: str
    colours: dict[str, str]
    hair: str
    room: str
    mat_colour: str | None
    view: str
    camera_side: str
    cam_height: float | None
    cam_distance: float | None
    cam_lateral: float
    cam_yaw: float
    cam_pitch: float
    cam_roll: float
    focal: float | None
    lighting: str
    fps: int
    width: int
    height: int
    engine: str
    detail: str
    samples: int
    crf: int
    seed: int

    def __post_init__(self) -> None:
        checks = [
            (1 <= self.reps <= 20, f"--reps: expected 1..20, got {self.reps}"),
            (15 <= self.fps <= 30, f"--fps: expected 15..30, got {self.fps}"),
            (self.lead_in >= 0 and self.tail >= 0, "--lead-in and --tail must be >= 0"),
            (min(self.out_s, self.back_s) >= 0.4, "--out-s and --back-s must be >= 0.4 s"),
            (min(self.hold_s, self.rest_s) >= 0, "--hold-s and --rest-s must be >= 0"),
            (0 <= self.jitter <= 0.3, f"--jitter: expected 0..0.3, got {self.jitter}"),
            (self.width % 2 == 0 and self.height % 2 == 0, "--width/--height must be even"),
            (160 <= self.width <= 1920 and 120 <= self.height <= 1080, "size out of range"),
            (
                all(0.1 <= v <= 0.95 for v in self.partial.values()),
                f"--partial: fractions must be 0.1..0.95, got {sorted(self.partial.values())}",
            ),
            (all(abs(v) <= 20 for v in self.veer.values()), "--veer: at most 20 cm"),
            (
                all(abs(v) <= 10 for v in self.pelvis_shift.values()),
                "--pelvis-shift: at most 10 cm",
            ),
            (all(abs(v) <= 20 for v in self.pelvis_roll.values()), "--pelvis-roll: at most 20 deg"),
            (
                all(0 <= v <= 10 for v in self.pelvis_lift.values()),
                "--pelvis-lift: 0..10 cm (up only: the mat is below)",
            ),
            (all(d > 0 and s >= 0 for s, d in self.cover), "--cover: START >= 0, SECONDS > 0"),
            (18 <= self.crf <= 40, f"--crf: expected 18..40, got {self.crf}"),
            (
                self.cam_height is None or 0.05 <= self.cam_height <= 2.2,
                f"--cam-height: expected 0.05..2.2 m, got {self.cam_height}",
            ),
            (
                self.cam_distance is None or 0.8 <= self.cam_distance <= 5.0,
                f"--cam-distance: expected 0.8..5 m, got {self.cam_distance}",
            ),
            (
                abs(self.cam_lateral) <= 1.5,
                f"--cam-lateral: expected -1.5..1.5 m, got {self.cam_lateral}",
            ),
            (
                max(abs(self.cam_yaw), abs(self.cam_pitch), abs(self.cam_roll)) <= 15,
                "--cam-yaw/--cam-pitch/--cam-roll: expected -15..15 deg, got "
                f"{self.cam_yaw}/{self.cam_pitch}/{self.cam_roll}",
            ),
            (
                self.focal is None or 14 <= self.focal <= 85,
                f"--focal: expected 14..85 mm, got {self.focal}",
            ),
        ]
        for ok, msg in checks:
            if not ok:
                raise ParamError(msg)
        pelvis = self.pelvis_shift or self.pelvis_roll or self.pelvis_lift
        if self.exercise == "glute_bridge" and (self.veer or pelvis):
            raise ParamError("--veer and --pelvis-shift/-roll/-lift apply to heel_slide only")

    @classmethod
    def from_args(cls, a: argparse.Namespace) -> ClipConfig:
        covers = []
        for item in a.cover:
            try:
                s, d = (float(x) for x in item.split(":"))
            except ValueError:
                raise ParamError(
                    f"--cover: expected START:SECONDS such as 4.5:1.0, got {item!r}"
                ) from None
            covers.append((s, d))
        return cls(
            exercise=a.exercise,
            leg=a.leg,
            reps=a.reps,
            lead_in=a.lead_in,
            out_s=a.out_s,
            hold_s=a.hold_s,
            back_s=a.back_s,
            rest_s=a.rest_s,
            pause=parse_rep_values(a.pause, "--pause", a.reps),
            tail=a.tail,
            jitter=a.jitter,
            partial=parse_rep_values(a.partial, "--partial", a.reps),
            veer=parse_rep_values(a.veer, "--veer", a.reps),
            pelvis_shift=parse_rep_values(a.pelvis_shift, "--pelvis-shift", a.reps),
            pelvis_roll=parse_rep_values(a.pelvis_roll, "--pelvis-roll", a.reps),
            pelvis_lift=parse_rep_values(a.pelvis_lift, "--pelvis-lift", a.reps),
            cover=tuple(covers),
            body=a.body,
            colours={
                "skin": a.skin,
                "shirt": a.shirt,
                "shorts": a.shorts,
                "socks": a.socks,
                "hair": a.hair_colour,
                "eyes": a.eyes,
            },
            hair=a.hair,
            room=a.room,
            mat_colour=a.mat_colour,
            view=a.view,
            camera_side=a.camera_side,
            cam_height=a.cam_height,
            cam_distance=a.cam_distance,
            cam_lateral=a.cam_lateral,
            cam_yaw=a.cam_yaw,
            cam_pitch=a.cam_pitch,
            cam_roll=a.cam_roll,
            focal=a.focal,
            lighting=a.lighting,
            fps=a.fps,
            width=a.width,
            height=a.height,
            engine=a.engine,
            detail=a.detail,
            samples=a.samples,
            crf=a.crf,
            seed=a.seed,
        )

    def camera_on(self) -> str:
        return self.leg if self.camera_side == "auto" else self.camera_side

    def placement(self):
        """The camera (camera.Placement) this config asks for."""
        import camera  # the local module, beside this one

        return camera.placement(
            self.view,
            1.0 if self.camera_on() == "left" else -1.0,
            self.cam_height,
            self.cam_distance,
            self.cam_lateral,
            self.cam_yaw,
            self.cam_pitch,
            self.cam_roll,
            self.focal,
        )

    def noise_sigma(self) -> float:
        return NOISE[self.lighting]

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for k in ("pause", "partial", "veer", "pelvis_shift", "pelvis_roll", "pelvis_lift"):
            d[k] = {str(i): v for i, v in sorted(d[k].items())}
        d["cover"] = [{"start": s, "seconds": sec} for s, sec in self.cover]
        return d


def clip_to_argv(clip: dict) -> list[str]:
    """A clipset TOML table -> argv for the parser (lists repeat the option).

    >>> clip_to_argv({"name": "x", "leg": "right", "veer": ["2:6"], "reps": 3})
    ['--leg', 'right', '--veer', '2:6', '--reps', '3']
    """
    argv: list[str] = []
    for key, value in clip.items():
        if key in ("name", "note"):
            continue
        opt = "--" + key.replace("_", "-")
        for v in value if isinstance(value, list) else [value]:
            argv += [opt, str(v)]
    return argv


def dump_truth(truth: dict) -> str:
    """JSON with one frame per line: readable diffs, modest size."""
    frames = truth.pop("frames")
    head = json.dumps(truth, indent=1)
    body = ",\n".join("  " + json.dumps(f, separators=(",", ":")) for f in frames)
    truth["frames"] = frames
    return head[:-2] + ',\n "frames": [\n' + body + "\n ]\n}\n"
