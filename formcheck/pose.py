"""The pose adapter: the one module that talks to MediaPipe.

It runs MediaPipe's Tasks ``PoseLandmarker`` in VIDEO mode (so the tracker
carries the person from frame to frame) for clips and live frames alike, and
turns each result into a `PoseFrame`.

Models are ``.task`` bundles. ``lite`` and ``full`` ship inside the package
(built offline by ``scripts/build_pose_models.py``); ``heavy`` is an opt-in
build; any path to a ``.task`` file (e.g. an official download) also works.
"""

from __future__ import annotations

import math
import os
import zipfile
from pathlib import Path

import numpy as np

from formcheck.errors import ModelError
from formcheck.frame import PoseFrame
from formcheck.people import Follower, count_people
from formcheck.picture import sharpness

MODEL_NAMES = ("lite", "full", "heavy")
DEFAULT_MODEL = "full"
ORIENTATIONS = ("auto", "0", "90", "270")
DEFAULT_ORIENTATION = "auto"
_MODELS_DIR = Path(__file__).parent / "models"
_BUNDLE_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def resolve_model(model: str | os.PathLike[str]) -> Path:
    """Return the ``.task`` file for a model name (lite, full, heavy) or path.

    >>> resolve_model("full").name
    'pose_landmarker_full.task'
    """
    text = os.fspath(model)
    if text in MODEL_NAMES:
        path = _MODELS_DIR / f"pose_landmarker_{text}.task"
        if not path.exists():
            hint = (
                "build it with: python scripts/build_pose_models.py --variants heavy"
                if text == "heavy"
                else "reinstall formcheck, or rebuild with: python scripts/build_pose_models.py"
            )
            raise ModelError(f"model {text!r} is not installed ({path}); {hint}")
        return path
    path = Path(text)
    if path.suffix != ".task" and not path.exists():
        raise ModelError(
            f"unknown model {text!r}: expected one of {', '.join(MODEL_NAMES)} "
            "or the path to a .task file"
        )
    if not path.is_file():
        raise ModelError(f"model file {text!r}: no such file")
    try:
        with zipfile.ZipFile(path) as bundle:
            missing = _BUNDLE_MEMBERS - set(bundle.namelist())
    except zipfile.BadZipFile:
        raise ModelError(f"model file {text!r}: not a .task bundle (not a zip archive)") from None
    if missing:
        missing_text = ", ".join(sorted(missing))
        raise ModelError(
            f"model file {text!r}: not a pose landmarker bundle (missing {missing_text})"
        )
    return path


def model_label(model: str | os.PathLike[str]) -> str:
    """A short name for a model, for landmark-file headers and reports."""
    text = os.fspath(model)
    return text if text in MODEL_NAMES else Path(text).name


# Rotating an upright image by `k` quarter turns counter-clockwise (np.rot90)
# moves normalised point (x, y) to the position below; `_unrotate` undoes it.
def _unrotate(xy: np.ndarray, quarter_turns: int) -> np.ndarray:
    x, y = xy[..., 0], xy[..., 1]
    if quarter_turns % 4 == 1:  # image rotated 90° counter-clockwise: (x, y) -> (y, 1 - x)
        return np.stack([1.0 - y, x], axis=-1)
    if quarter_turns % 4 == 3:  # rotated 90° clockwise: (x, y) -> (1 - y, x)
        return np.stack([y, 1.0 - x], axis=-1)
    return xy


def _unrotate_world(xyz: np.ndarray, quarter_turns: int) -> np.ndarray:
    # World axes follow the image axes (x right, y down), so undo the same turn
    # about the camera's z axis; metric lengths are unchanged.
    out = xyz.copy()
    if quarter_turns % 4 == 1:
        out[:, 0], out[:, 1] = -xyz[:, 1], xyz[:, 0]
    elif quarter_turns % 4 == 3:
        out[:, 0], out[:, 1] = xyz[:, 1], -xyz[:, 0]
    return out


#: The visibility given to a landmark outside the picture.
OUTSIDE_VISIBILITY = 0.05


def _outside_is_unseen(landmarks: np.ndarray) -> None:
    """Cap the visibility of landmarks outside the picture at `OUTSIDE_VISIBILITY`, in place.

    MediaPipe still places a limb that has left the frame, by guesswork, and
    reports it as visible (0.7-0.9 measured on a clip cropped through the
    shin), so a leg straightening out of view read as a full rep. A point
    outside the image was not seen: it must count as hidden, as the
    simulator has always modelled it (`formcheck.simulate.views.visibility`).

    >>> lm = np.array([[0.5, 0.5, 0.0, 0.9], [-0.1, 0.5, 0.0, 0.9], [0.5, 1.2, 0.0, 0.8]])
    >>> _outside_is_unseen(lm); lm[:, 3].tolist()
    [0.9, 0.05, 0.05]
    """
    xy = landmarks[:, :2]
    outside = ((xy < 0.0) | (xy > 1.0)).any(axis=1)
    landmarks[outside, 3] = np.minimum(landmarks[outside, 3], OUTSIDE_VISIBILITY)


#: The most people tracked at once (each one costs a pose model run per frame).
MAX_PEOPLE = 4
#: Seconds between two counts of the people in the picture. A count is a second
#: pose model run (about 2.5 % of a clip's cost at 3 s; measured in docs/hardening.md).
PEOPLE_EVERY = 3.0
#: Tracking is started again when the picture has grown this many times sharper than it
#: was where the tracking found the person. MediaPipe's VIDEO mode tracks each pose from
#: the last one, and a first lock on a soft picture can hold a wrong one: a browser's
#: camera stream starts soft (sharpness 178, then 308-354 from the first second on), and
#: Live misread a lying person's legs for up to 30 s, counting 4-7 reps of 9. Every
#: bundled sample and rendered clip stays within 1.24 times its own least sharp frame.
SHARPER = 1.5
#: Seconds between two looks at the picture's sharpness, and for how long after the
#: tracking found the person it is looked at: a soft start is the case, and a room's light
#: changing later (sharpness grows with contrast) must not restart tracking mid-set.
SHARPNESS_EVERY = 1.0
SHARPNESS_FOR = 10.0


class PoseEstimator:
    """Finds one person's pose in a stream of frames, and keeps to that person.

    Use it as a context manager so MediaPipe's graphs are closed when you are done::

        with PoseEstimator("full") as estimator:
            frame = estimator.process(rgb, t=0.0)

    Every `PEOPLE_EVERY` seconds it also counts the people in the picture
    (``people`` keeps the most seen at once). Once there are two or more, it
    tracks them all (up to `MAX_PEOPLE`) and returns the pose where the
    followed person was (`formcheck.people.Follower`), or no pose while that
    person is away, never someone else's (`following` says where they are).
    For `SHARPNESS_FOR` seconds after it finds the person it looks at the
    picture's sharpness, and starts the tracking again if the picture became
    `SHARPER` (a soft start held a wrong pose; ``restarts`` counts them).

    Args:
        model: ``lite``, ``full``, ``heavy`` or a path to a ``.task`` file.
        orientation: quarter turns applied before inference, as degrees
            counter-clockwise: ``"0"``, ``"90"``, ``"270"``; ``"auto"`` is
            ``"0"`` (see docs/orientation.md for the measurement behind that).
            Landmarks are always returned in the upright frame's coordinates.
        min_detection_confidence, min_tracking_confidence: MediaPipe's gates.
        people_every: seconds between counts of the people in view (None: never
            count; one person is assumed).
    """

    def __init__(
        self,
        model: str | os.PathLike[str] = DEFAULT_MODEL,
        orientation: str = DEFAULT_ORIENTATION,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        people_every: float | None = PEOPLE_EVERY,
    ) -> None:
        if str(orientation) not in ORIENTATIONS:
            raise ModelError(
                f"orientation: expected one of {', '.join(ORIENTATIONS)}, got {orientation!r}"
            )
        if people_every is not None and not people_every > 0:
            raise ValueError(f"people_every: expected seconds > 0 or None, got {people_every!r}")
        self.model_path = resolve_model(model)
        self.model = model_label(model)
        self.orientation = str(orientation)
        self._turns = 0 if self.orientation == "auto" else int(self.orientation) // 90
        self._last_ms = -1
        self._gates = (min_detection_confidence, min_tracking_confidence)
        self._people_every = people_every
        self._next_count = -1.0
        self.follower = Follower()
        self.people = 0  # the most people seen at once (0 until first counted)
        self.crowd_since: float | None = None  # when a second person was first seen
        self._counter = None  # IMAGE mode, looking for one more person than were seen
        self._counter_size = 0
        self._crowd = None  # VIDEO mode, as many poses as people: made once a crowd is seen
        # Where the tracking found the person: (time, frame shape, sharpness), or None.
        self._lock: tuple[float, tuple[int, ...], float] | None = None
        self._next_look = -1.0
        self.restarts = 0  # times the tracking was started again on a sharper picture
        self._landmarker = self._create("video", 1)
        if people_every is not None:  # loaded now, with the model, not on the first frame
            self._counter, self._counter_size = self._create("image", 2), 2

    def _create(self, mode: str, poses: int):
        # Imported here, not at module import: importing MediaPipe costs
        # about a second and pulls in a large native library.
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import pose_landmarker as pl
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
            VisionTaskRunningMode,
        )

        detection, tracking = self._gates
        options = pl.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=VisionTaskRunningMode.VIDEO
            if mode == "video"
            else VisionTaskRunningMode.IMAGE,
            num_poses=poses,
            min_pose_detection_confidence=detection,
            min_pose_presence_confidence=detection,
            min_tracking_confidence=tracking,
        )
        try:
            return pl.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(
                f"model {self.model_path}: MediaPipe could not load it ({exc})"
            ) from None

    def process(self, rgb: np.ndarray, t: float) -> PoseFrame:
        """Estimate the pose in one ``(height, width, 3)`` uint8 RGB frame shown at ``t`` seconds.

        Timestamps must increase; equal or earlier ones are nudged forward by
        a millisecond, as MediaPipe's VIDEO mode requires.
        """
        import mediapipe as mp

        if self._landmarker is None:
            raise RuntimeError("PoseEstimator is closed")
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"rgb: expected (height, width, 3) uint8, got {rgb.shape} {rgb.dtype}")
        height, width = rgb.shape[:2]
        ms = max(round(t * 1000.0), self._last_ms + 1)
        self._last_ms = ms
        source = np.ascontiguousarray(np.rot90(rgb, k=self._turns)) if self._turns else rgb
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(source))
        if self._people_every is not None and t >= self._next_count:
            self._next_count = t + self._people_every
            self._count_people(image, t)
        if self._lock is not None and t >= self._next_look:
            self._look(rgb, t)
        result = (self._crowd or self._landmarker).detect_for_video(image, ms)
        poses = [self._landmarks(points) for points in result.pose_landmarks]
        if not poses:
            self._lock = None  # found again later, it is a new lock
        elif self._lock is None:
            self._lock = (t, rgb.shape, sharpness(rgb))
            self._next_look = t + SHARPNESS_EVERY
        chosen = self.follower.choose(poses)
        if chosen is None:
            return PoseFrame.empty(t=t, width=width, height=height)
        landmarks = poses[chosen]
        world = None
        if len(result.pose_world_landmarks) > chosen:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[chosen]])
            if self._turns:
                world = _unrotate_world(world, self._turns)
        _outside_is_unseen(landmarks)
        return PoseFrame(t=t, width=width, height=height, image=landmarks, world=world)

    def _look(self, rgb: np.ndarray, t: float) -> None:
        """Start the tracking again if the picture is now `SHARPER` than where it found the
        person, within `SHARPNESS_FOR` of that; a new frame size is a new lock."""
        since, shape, locked = self._lock
        self._next_look = t + SHARPNESS_EVERY
        if rgb.shape != shape:  # the stream changed resolution: sharpness isn't comparable
            self._lock = (t, rgb.shape, sharpness(rgb))
        elif t - since > SHARPNESS_FOR:
            self._next_look = math.inf  # until the person is found again
        elif sharpness(rgb) > SHARPER * locked:
            self._restart_tracking()  # this frame is detected afresh

    def _restart_tracking(self) -> None:
        """A new VIDEO-mode graph for the one in use (about 0.1 s), so the next frame is
        detected afresh. Made before the old one is closed: if it can't be, nothing changed."""
        crowd = self._crowd is not None
        fresh = self._create("video", self.people if crowd else 1)
        old = self._crowd if crowd else self._landmarker
        if crowd:
            self._crowd = fresh
        else:
            self._landmarker = fresh
        old.close()
        self.restarts += 1
        self._lock = None

    def following(self) -> str:
        """Where the followed person is (``"at the top of the picture"``) once others
        have been seen; an empty string while only one person has been."""
        return self.follower.where() if self.people >= 2 else ""

    def _landmarks(self, points) -> np.ndarray:
        """One pose's ``(33, 4)`` landmarks, in the upright frame's coordinates."""
        landmarks = np.array(
            [(p.x, p.y, p.z, p.visibility if p.visibility is not None else 0.0) for p in points],
            dtype=np.float64,
        )
        if self._turns:
            landmarks[:, :2] = _unrotate(landmarks[:, :2], self._turns)
        return landmarks

    def _count_people(self, image, t: float) -> None:
        """Count the people in view; from the second one on, track them all.

        The count looks for one more person than are tracked, so a third is
        noticed too, and the crowd tracker grows to the most seen at once.
        """
        looked_for = min(MAX_PEOPLE, max(2, self.people + 1))
        if self._counter is None or self._counter_size != looked_for:
            if self._counter is not None:
                self._counter.close()
            self._counter = self._create("image", looked_for)
            self._counter_size = looked_for
        poses = [self._landmarks(points) for points in self._counter.detect(image).pose_landmarks]
        found = count_people(poses)
        if found > self.people:
            self.people = found
            if found >= 2:
                # Only as many poses as people: each one tracked costs a model run a frame.
                if self._crowd is not None:
                    self._crowd.close()
                self._crowd = self._create("video", found)
                self.crowd_since = t if self.crowd_since is None else self.crowd_since
                self.follower.strict = True

    def close(self) -> None:
        """Release MediaPipe's graphs; safe to call twice."""
        for name in ("_landmarker", "_counter", "_crowd"):
            landmarker = getattr(self, name)
            if landmarker is not None:
                landmarker.close()
                setattr(self, name, None)

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def people_in_view(estimator: object) -> tuple[int, str]:
    """``(the most people seen at once, where the followed one is)`` of an estimator.

    ``(0, "")`` for a stand-in (tests, replays) that counts nobody; the place is
    ``""`` until a second person has been seen (`PoseEstimator.following`).
    """
    people = getattr(estimator, "people", 0)
    return people, estimator.following() if people > 1 else ""
