"""Measure MediaPipe's landmark error on rendered clips against their truth files.

Runs with the system Python that has mediapipe and PyAV (not bpy)::

    python tools/scenes/calibrate.py sample_videos/heel_slide_*.mp4 --markdown /tmp/cal.md

Per clip it reports: detection rate on frames where the person is in view,
false detections while the lens is covered, pixel error of hips, knees, ankles
and heels (median and p90), left/right label swaps, 2-D knee-angle error of the
working leg, the image mid-hip's jitter (on clips without pelvis faults), and,
for heel-veer reps, measured against true sideways heel shift. The landmark
positions are read with formcheck's pose adapter when it imports, otherwise with
MediaPipe's PoseLandmarker directly (VIDEO mode, same options).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MP_INDEX = {  # MediaPipe pose landmark indices
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_foot_index": 31,
    "right_foot_index": 32,
}
JOINTS = ("hip", "knee", "ankle", "heel")


class _DirectEstimator:
    """MediaPipe's PoseLandmarker in VIDEO mode, for when formcheck.pose is absent."""

    def __init__(self, model_path: Path) -> None:
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import pose_landmarker as pl
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
            VisionTaskRunningMode,
        )

        opts = pl.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=VisionTaskRunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=0.5,
            min_pose_presence_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        self._lm = pl.PoseLandmarker.create_from_options(opts)

    def process(self, rgb: np.ndarray, t: float) -> np.ndarray | None:
        import mediapipe as mp

        res = self._lm.detect_for_video(
            mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)),
            round(t * 1000),
        )
        if not res.pose_landmarks:
            return None
        return np.array([(p.x, p.y) for p in res.pose_landmarks[0]])

    def close(self) -> None:
        self._lm.close()


class _AdapterEstimator:
    def __init__(self, model: str) -> None:
        from formcheck.pose import PoseEstimator

        self._est = PoseEstimator(model)

    def process(self, rgb: np.ndarray, t: float) -> np.ndarray | None:
        frame = self._est.process(rgb, t)
        return None if frame.image is None else np.array(frame.image[:, :2])

    def close(self) -> None:
        self._est.close()


def make_estimator(model: str):
    sys.path.insert(0, str(ROOT))
    try:
        est = _AdapterEstimator(model)
        return est, "formcheck.pose.PoseEstimator"
    except ImportError:
        path = Path(model)
        if not path.exists():
            path = ROOT / "formcheck" / "models" / f"pose_landmarker_{model}.task"
        return _DirectEstimator(path), f"mediapipe PoseLandmarker ({path.name})"


def decode(path: Path):
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        for f in c.decode(s):
            yield float(f.pts * s.time_base), f.to_ndarray(format="rgb24")


def _angle(a, b, c) -> float:
    u, v = np.asarray(a) - b, np.asarray(c) - b
    cosv = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosv))))


def _pct(x, q) -> float:
    return float(np.percentile(x, q)) if len(x) else float("nan")


def pinhole(cam: dict, width: int, height: int):
    """A numpy projector matching the truth camera (Blender: -Z forward, world Z up)."""
    loc = np.array(cam["location"], float)
    fwd = np.array(cam["look_at"], float) - loc
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, fwd)
    f_px = cam["focal_mm"] / cam["sensor_width_mm"] * width

    def project(p):
        d = np.asarray(p, float) - loc
        z = float(np.dot(d, fwd))
        return np.array(
            [width / 2 + f_px * np.dot(d, right) / z, height / 2 - f_px * np.dot(d, up) / z]
        )

    return project


def measure(clip: Path, estimator) -> dict:
    truth = json.loads(clip.with_name(clip.stem + ".truth.json").read_text())
    w, h, leg = truth["width"], truth["height"], truth["leg"]
    frames = truth["frames"]
    meas: list[np.ndarray | None] = []
    for (t, rgb), _f in zip(decode(clip), frames, strict=False):
        lm = estimator.process(rgb, t)
        meas.append(None if lm is None else lm * [w, h])
    visible = [i for i, f in enumerate(frames[: len(meas)]) if f["visible"]]
    covered = [i for i, f in enumerate(frames[: len(meas)]) if not f["visible"]]
    found = [i for i in visible if meas[i] is not None]
    out: dict = {
        "clip": clip.name,
        "view": truth["view"],
        "body": truth["body"]["name"],
        "exercise": truth["exercise"],
        "lighting": truth["params"]["lighting"],
        "frames": len(meas),
        "detect_rate": len(found) / max(len(visible), 1),
        "false_detect_covered": sum(meas[i] is not None for i in covered),
        "covered_frames": len(covered),
    }
    # pixel error per joint (both sides pooled), and left/right swaps
    errs: dict[str, list[float]] = {j: [] for j in JOINTS}
    swaps = 0
    for i in found:
        px, m = frames[i]["pixel"], meas[i]
        straight = sum(
            np.linalg.norm(m[MP_INDEX[f"{s}_{j}"]] - px[f"{s}_{j}"])
            for s in ("left", "right")
            for j in JOINTS
        )
        crossed = sum(
            np.linalg.norm(m[MP_INDEX[f"{o}_{j}"]] - px[f"{s}_{j}"])
            for s, o in (("left", "right"), ("right", "left"))
            for j in JOINTS
        )
        swaps += crossed < straight
        for j in JOINTS:
            for s in ("left", "right"):
                errs[j].append(float(np.linalg.norm(m[MP_INDEX[f"{s}_{j}"]] - px[f"{s}_{j}"])))
    work = {j: [] for j in JOINTS}
    for i in found:
        for j in JOINTS:
            work[j].append(
                float(
                    np.linalg.norm(
                        meas[i][MP_INDEX[f"{leg}_{j}"]] - frames[i]["pixel"][f"{leg}_{j}"]
                    )
                )
            )
    out["px_err"] = {j: (_pct(errs[j], 50), _pct(errs[j], 90)) for j in JOINTS}
    out["px_err_working_leg"] = {j: (_pct(work[j], 50), _pct(work[j], 90)) for j in JOINTS}
    out["lr_swap_rate"] = swaps / max(len(found), 1)
    # 2-D knee angle of the working leg
    kerr = []
    for i in found:
        px, m = frames[i]["pixel"], meas[i]
        true_a = _angle(px[f"{leg}_hip"], np.array(px[f"{leg}_knee"]), px[f"{leg}_ankle"])
        idx = [MP_INDEX[f"{leg}_{j}"] for j in ("hip", "knee", "ankle")]
        kerr.append(abs(_angle(m[idx[0]], m[idx[1]], m[idx[2]]) - true_a))
    out["knee_angle_err"] = (_pct(kerr, 50), _pct(kerr, 90))
    # raw per-frame errors, pooled per view by summarise()
    out["raw"] = {
        "both": errs,
        "working": work,
        "knee_angle": kerr,
        "visible": len(visible),
        "found": len(found),
    }
    # image mid-hip jitter: only meaningful when the pelvis is not moved on purpose
    p = truth["params"]
    if truth["exercise"] == "heel_slide" and not p["pelvis_shift"] and not p["pelvis_roll"]:
        mid = np.array([(meas[i][23] + meas[i][24]) / 2 for i in found])
        true_mid = np.array(
            [
                (np.array(frames[i]["pixel"]["left_hip"]) + frames[i]["pixel"]["right_hip"]) / 2
                for i in found
            ]
        )
        dev = mid - np.median(mid, axis=0)
        out["midhip_jitter_px"] = {
            "std_u": float(dev[:, 0].std()),
            "std_v": float(dev[:, 1].std()),
            "p95_abs": float(np.percentile(np.linalg.norm(dev, axis=1), 95)),
            "true_motion_px": float(np.ptp(np.linalg.norm(true_mid - true_mid[0], axis=1))),
        }
    # sideways heel shift (u in px) per rep vs truth, from the rep's start frame
    proj = pinhole(truth["camera"], w, h)
    heel_i = MP_INDEX[f"{leg}_heel"]
    reps = []
    for rep in truth["reps"]:
        idx = [i for i in found if rep["start"] - 0.2 <= frames[i]["t"] <= rep["end"]]
        if not idx:
            continue
        base = [i for i in idx if frames[i]["t"] <= rep["start"]] or idx[:1]
        b_meas = np.mean([meas[i][heel_i][0] for i in base])
        b_true = np.mean([frames[i]["pixel"][f"{leg}_heel"][0] for i in base])
        mshift = [meas[i][heel_i][0] - b_meas for i in idx]
        tshift = [frames[i]["pixel"][f"{leg}_heel"][0] - b_true for i in idx]
        k = int(np.argmax(np.abs(tshift)))
        world_heel = frames[idx[k]]["world"][f"{leg}_heel"]
        px_per_cm = float(np.linalg.norm(proj(np.add(world_heel, [0.01, 0, 0])) - proj(world_heel)))
        veer = next((f for f in rep["faults"] if f["code"] == "heel_veer"), None)
        reps.append(
            {
                "rep": rep["index"],
                "veer_cm": (veer["peak_cm"] * (1 if veer["direction"] == "out" else -1))
                if veer
                else 0.0,
                "true_peak_px": float(tshift[k]),
                "meas_at_true_peak_px": float(mshift[k]),
                "meas_peak_px": float(mshift[int(np.argmax(np.abs(mshift)))]),
                "lateral_err_sd_px": float(np.std(np.subtract(mshift, tshift))),
                "px_per_cm": px_per_cm,
            }
        )
    out["heel_shift"] = reps
    # pelvis per rep: image mid-hip shift (px) and hip-line tilt change (deg), from rep start
    pelvis = []
    for rep in truth["reps"]:
        idx = [i for i in found if rep["start"] - 0.2 <= frames[i]["t"] <= rep["end"]]
        if not idx:
            continue
        base = [i for i in idx if frames[i]["t"] <= rep["start"]] or idx[:1]

        def mid_tilt(pl, pr):
            d = np.subtract(pl, pr)
            return (np.add(pl, pr) / 2, math.degrees(math.atan2(d[1], d[0])))

        tru = [
            mid_tilt(frames[i]["pixel"]["left_hip"], frames[i]["pixel"]["right_hip"]) for i in idx
        ]
        mea = [mid_tilt(meas[i][23], meas[i][24]) for i in idx]
        nb = len(base)
        t0m, t0a = np.mean([m for m, _ in tru[:nb]], axis=0), np.mean([a for _, a in tru[:nb]])
        m0m, m0a = np.mean([m for m, _ in mea[:nb]], axis=0), np.mean([a for _, a in mea[:nb]])
        t_shift = [float(m[0] - t0m[0]) for m, _ in tru]  # sideways in the image (u)
        m_shift = [float(m[0] - m0m[0]) for m, _ in mea]
        t_tilt = [a - t0a for _, a in tru]
        m_tilt = [a - m0a for _, a in mea]
        fault = ", ".join(
            f"{f['code']} {f.get('peak_cm', f.get('peak_deg'))}"
            for f in rep["faults"]
            if f["code"].startswith("pelvis")
        )
        pelvis.append(
            {
                "rep": rep["index"],
                "fault": fault or "-",
                "true_shift_px": max(t_shift, key=abs),
                "meas_shift_px": max(m_shift, key=abs),
                "true_tilt_deg": max(t_tilt, key=abs),
                "meas_tilt_deg": max(m_tilt, key=abs),
            }
        )
    out["pelvis"] = pelvis
    return out


VIEW_HEAD = (
    "| view | clips | frames in view | detected | working-leg hip / knee / ankle / heel px "
    "(median / p90) | both legs, same | 2-D knee angle err, working leg (median / p90 deg) |"
)
TABLE_HEAD = (
    "| clip | view | body | light | detect | hip px | knee px | ankle px | heel px "
    "| knee-angle err (deg) | L/R swaps | mid-hip jitter px (sd u/v, p95) |"
)
SHIFT_HEAD = (
    "| clip | view | rep | true veer cm | true peak px | measured at that frame px "
    "| measured peak px | sd(meas-true) px | px per cm |"
)


def _pair(values) -> str:
    return f"{_pct(values, 50):.1f} / {_pct(values, 90):.1f}"


def summarise(results: list[dict]) -> str:
    """The markdown tables of docs/calibration.md (median / p90 where paired)."""
    lines = [VIEW_HEAD, "|" + " --- |" * 7]
    for view in dict.fromkeys(r["view"] for r in results):
        rs = [r for r in results if r["view"] == view]
        vis = sum(r["raw"]["visible"] for r in rs)
        found = sum(r["raw"]["found"] for r in rs)
        work = {j: [e for r in rs for e in r["raw"]["working"][j]] for j in JOINTS}
        both = {j: [e for r in rs for e in r["raw"]["both"][j]] for j in JOINTS}
        knee = [e for r in rs for e in r["raw"]["knee_angle"]]
        cells = [view, str(len(rs)), str(vis), f"{found / max(vis, 1) * 100:.1f} %"]
        cells.append(" · ".join(_pair(work[j]) for j in JOINTS))
        cells.append(" · ".join(_pair(both[j]) for j in JOINTS))
        cells.append(_pair(knee))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Per clip (px errors pooled over both legs, median / p90):", ""]
    lines += [TABLE_HEAD, "|" + " --- |" * 12]
    for r in results:
        pe = r["px_err"]
        jit = r.get("midhip_jitter_px")
        jtxt = f"{jit['std_u']:.1f}/{jit['std_v']:.1f}, {jit['p95_abs']:.1f}" if jit else "-"
        cells = [r["clip"], r["view"], r["body"], r["lighting"], f"{r['detect_rate'] * 100:.0f} %"]
        cells += [f"{pe[j][0]:.1f} / {pe[j][1]:.1f}" for j in JOINTS]
        cells += [
            f"{r['knee_angle_err'][0]:.1f} / {r['knee_angle_err'][1]:.1f}",
            f"{r['lr_swap_rate'] * 100:.0f} %",
            jtxt,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Working heel's sideways shift per rep, image u axis (px, + is image right), from the "
        "rep's start; from the side this is the slide itself, not a veer:",
        "",
    ]
    lines += [SHIFT_HEAD, "|" + " --- |" * 9]
    for r in results:
        for h in r["heel_shift"]:
            cells = [
                r["clip"],
                r["view"],
                str(h["rep"]),
                f"{h['veer_cm']:+.0f}",
                f"{h['true_peak_px']:+.1f}",
                f"{h['meas_at_true_peak_px']:+.1f}",
                f"{h['meas_peak_px']:+.1f}",
                f"{h['lateral_err_sd_px']:.1f}",
                f"{h['px_per_cm']:.1f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Pelvis per rep (image mid-hip u shift and hip-line tilt, from the rep's start; "
        "signed peaks over the rep):",
        "",
        "| clip | view | rep | fault | true mid-hip u shift px | measured px "
        "| true hip-line tilt deg | measured deg |",
        "|" + " --- |" * 8,
    ]
    for r in results:
        for p in r["pelvis"]:
            cells = [
                r["clip"],
                r["view"],
                str(p["rep"]),
                p["fault"],
                f"{p['true_shift_px']:+.1f}",
                f"{p['meas_shift_px']:+.1f}",
                f"{p['true_tilt_deg']:+.1f}",
                f"{p['meas_tilt_deg']:+.1f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="calibrate.py", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "clips", nargs="+", type=Path, help="rendered .mp4 files with NAME.truth.json beside"
    )
    ap.add_argument("--model", default="full", help="lite, full, heavy or a .task path")
    ap.add_argument("--json", type=Path, help="write the raw figures here")
    ap.add_argument("--markdown", type=Path, help="write the tables here")
    args = ap.parse_args(argv)
    results = []
    for clip in args.clips:
        est, label = make_estimator(args.model)
        try:
            results.append(measure(clip, est))
        finally:
            est.close()
        print(f"[calibrate] {clip.name}: done ({label})", file=sys.stderr, flush=True)
    table = summarise(results)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    if args.json:
        slim = [{k: v for k, v in r.items() if k != "raw"} for r in results]
        args.json.write_text(json.dumps(slim, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
