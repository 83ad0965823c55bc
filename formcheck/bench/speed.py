"""Speed: the inference bound, clip review, fast review, the engine alone and the live path."""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.engine import Engine
from formcheck.pose import PoseEstimator, resolve_model
from formcheck.review import review_clip
from formcheck.specs import Spec
from formcheck.video import VideoReader


@dataclass(frozen=True)
class Decoded:
    """A clip decoded into memory once, so inference is timed without decoding."""

    times: tuple[float, ...]
    frames: tuple[np.ndarray, ...]
    fps: float

    @classmethod
    def load(cls, path: Path) -> Decoded:
        with VideoReader(path) as reader:
            pairs = [(f.t, f.rgb) for f in reader]
            fps = reader.info.fps
        return cls(tuple(t for t, _ in pairs), tuple(rgb for _, rgb in pairs), fps)


def bare_inference(decoded: Decoded, model: str) -> tuple[float, np.ndarray]:
    """MediaPipe's PoseLandmarker alone, VIDEO mode, frames already in memory.

    Returns (fps, per-frame latencies in ms). The landmarker is created before
    the clock starts, as the app and review keep theirs loaded.
    """
    import mediapipe as mp
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import pose_landmarker as pl
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
        VisionTaskRunningMode,
    )

    options = pl.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(resolve_model(model))),
        running_mode=VisionTaskRunningMode.VIDEO,
        num_poses=1,
    )
    latencies = []
    with pl.PoseLandmarker.create_from_options(options) as landmarker:
        start = time.perf_counter()
        for i, rgb in enumerate(decoded.frames):
            began = time.perf_counter()
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            landmarker.detect_for_video(image, round(decoded.times[i] * 1000) + i)
            latencies.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - start
    return len(decoded.frames) / elapsed, np.array(latencies) * 1000


def clip_review(
    clip: Path, spec: Spec, model: str, *, annotate: bool, stride: int = 1
) -> tuple[float, object]:
    """End-to-end review throughput in source frames per second, and the result.

    The estimator is loaded before the clock starts (as the app caches it).
    """
    with tempfile.TemporaryDirectory() as tmp:
        estimator = PoseEstimator(model)
        try:
            start = time.perf_counter()
            review = review_clip(
                clip,
                spec,
                model=model,
                stride=stride,
                estimator=estimator,
                annotate_to=Path(tmp) / "out.mp4" if annotate else None,
            )
            elapsed = time.perf_counter() - start
        finally:
            estimator.close()
    return review.stats.frames / elapsed, review.result


def engine_alone(frames, spec: Spec, side: str = "auto") -> float:
    """Microseconds per frame for `Engine.update` over a landmark sequence."""
    engine = Engine(spec, side)
    start = time.perf_counter()
    for frame in frames:
        engine.update(frame)
    elapsed = time.perf_counter() - start
    return elapsed / len(frames) * 1e6


def live_latency(decoded: Decoded, spec: Spec, model: str) -> np.ndarray:
    """Per-frame latency (ms) through the app's live callback, `LiveProcessor.process`."""
    from formcheck.live import LiveProcessor

    latencies = []
    with LiveProcessor(spec, "auto", model=model, estimator=PoseEstimator(model)) as live:
        for t, rgb in zip(decoded.times, decoded.frames, strict=True):
            began = time.perf_counter()
            live.process(rgb, t)
            latencies.append(time.perf_counter() - began)
    return np.array(latencies) * 1000


def live_at_30fps(decoded: Decoded, spec: Spec, model: str, repeat: int = 1) -> tuple[float, int]:
    """Frames arrive every 1/30 s on one thread; a worker always takes the newest.

    This is how the webcam stream behaves: a frame that arrives while the
    previous one is still being analysed replaces the waiting one (dropped).
    Returns (frames analysed per second, full reps counted).
    """
    from formcheck.live import LiveProcessor

    frames = [rgb for _ in range(repeat) for rgb in decoded.frames]
    slot: list[tuple[float, np.ndarray] | None] = [None]
    lock, ready, done = threading.Lock(), threading.Event(), threading.Event()
    processed = 0

    live = LiveProcessor(spec, "auto", model=model, estimator=PoseEstimator(model))

    def worker() -> None:
        nonlocal processed
        while not (done.is_set() and slot[0] is None):
            if not ready.wait(timeout=0.1):
                continue
            with lock:
                item, slot[0] = slot[0], None
                ready.clear()
            if item is not None:
                live.process(item[1], item[0])
                processed += 1

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    start = time.perf_counter()
    for i, rgb in enumerate(frames):
        due = start + i / 30.0
        time.sleep(max(0.0, due - time.perf_counter()))
        with lock:
            slot[0] = (i / 30.0, rgb)
            ready.set()
    done.set()
    thread.join()
    elapsed = time.perf_counter() - start
    reps = live.engine.result().reps
    live.close()
    return processed / elapsed, reps
