"""`Engine`: pose frames in, events out, one frame at a time; `analyze` for a whole clip.

The live webcam and clip review feed the same engine. Per frame it:

1. conditions the landmarks (smoothing, outliers, short gaps: `signal`);
2. calibrates from the first usable poses, whatever the person is doing: the
   camera view (`view`) and image scale are provisional (a median over the
   poses so far) for the first ``calibrate_seconds``, then settled
   (`BaselineSet`), when the checks that view can't judge are turned off,
   saying so once (`ChecksDisabled`); counting never waits for it;
3. evaluates the driving metric of each tracked side (NaN where the
   landmarks it needs aren't seen) and advances that side's `RepTracker`;
4. times holds, and records a light per-frame series for plots.

Example::

    eng = Engine(spec, side="auto")
    for frame in frames:
        for event in eng.update(frame):
            print(event)
    print(eng.result().to_dict()["reps"])
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from formcheck.engine.checks import PathStraightness, compile_check
from formcheck.engine.cue import ShownCue
from formcheck.engine.events import BaselineSet, ChecksDisabled, FlagRaised, PersonReturned
from formcheck.engine.holds import HoldTracker
from formcheck.engine.levels import FLAT_SHORT_OF_OWN, SHORT_OF_OWN, min_excursion
from formcheck.engine.metrics import (
    Metric,
    compile_metric,
    depth_missing,
    reads_image_depth,
)
from formcheck.engine.noise_floor import CheckVerdict, RestProbe, noisy_checks, verdicts
from formcheck.engine.plausible import Plausibility, misread_text
from formcheck.engine.reps import RepCounter, RepTracker
from formcheck.engine.result import (
    AnalysisResult,
    CountedReps,
    Gap,
    HoldRecord,
    RepCounts,
    RepRecord,
    Series,
)
from formcheck.engine.rom import RomWindow, whole_rep
from formcheck.engine.signal import Conditioning, LandmarkConditioner, Pose
from formcheck.engine.view import (
    Calibration,
    calibrate,
    rom_error,
    rom_withheld,
    skewed,
    view_from_ratio,
)
from formcheck.errors import SpecError
from formcheck.frame import PoseFrame
from formcheck.specs.kinds import VIEWS, amount_text, view_advice, view_from
from formcheck.specs.model import CheckSpec, Spec


@dataclass(frozen=True)
class Snapshot(CountedReps):
    """The engine's live state, for overlays and UIs (all image positions in pixels).

    ``phase`` is ``settling`` (no usable pose yet), ``rest``, ``moving``,
    ``active`` (a rep under way) or ``holding``. ``cue`` is the latest flag's
    message until the end of the rep after the one it happened in (`ShownCue`).
    ``path_px`` is the tracked point (e.g. the heel) over the current or last
    rep, ``ideal_line_px`` the line it should follow and ``band_px`` the
    tolerance either side of it.
    ``away_seconds`` is how long nobody has been in view (0 while someone is).
    ``counts`` are the reps so far (``reps`` is ``counts.full``, see `RepCounts`).
    ``warnings`` are what the user must know now (see `AnalysisResult.warnings`).
    ``verdicts`` say, per check, whether it can be judged from here so far (the
    view and the noise floor measured while still, `formcheck.engine.noise_floor`).
    """

    t: float
    phase: str
    counts: RepCounts
    side: str | None
    view: str | None
    value: float
    unit: str
    last_rep: RepRecord | None
    cue: str | None
    cue_code: str | None
    cue_severity: str | None
    holds: int
    hold_seconds: float
    path_px: tuple[tuple[float, float], ...]
    ideal_line_px: tuple[tuple[float, float], tuple[float, float]] | None
    band_px: float
    away_seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    verdicts: tuple[CheckVerdict, ...] = ()


_NO_CHECKS: Mapping = MappingProxyType({})
#: How often (s of clip time) the checks are judged again against the noise floor so far.
JUDGE_EVERY_S = 0.5
#: How long every side must have rested before its poses measure the noise floor.
SETTLE_S = 0.3
#: A result from a clip where a person was found in fewer than this share of its frames
#: carries a warning. On the rendered tuning sets every side and corner clip found one in
#: all frames; beyond the feet, 8 clips (floor to tripod height) found one in 7-54 % of
#: their frames, and 7 of the 8 were miscounted.
POSE_SHARE = 0.6
_NO_POINT = (math.nan, math.nan)


def _reaching(line: tuple, path: tuple) -> tuple:
    """The ideal line, lengthened to reach as far along it as the tracked path went."""
    a, b = np.array(line[0]), np.array(line[1])
    length = math.dist(a, b)
    if length < 1e-9:
        return line
    d = (b - a) / length
    far = max(float((np.array(p) - a) @ d) for p in path)
    end = a + d * max(length, far)
    return line[0], (float(end[0]), float(end[1]))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class Engine:
    """Counts reps and holds and raises form flags for one exercise `Spec`.

    ``side``: ``left``, ``right``, ``both`` or ``auto`` (as the spec allows;
    for one-side-at-a-time and alternating exercises ``auto`` and ``both``
    track both sides and give each rep the side that moved). ``view`` forces
    a camera view instead of detecting it.

    Example::

        eng = Engine(load_spec("exercise_specs/heel_slide.toml"), side="auto")
        for frame in frames:
            for event in eng.update(frame):
                print(event.kind)        # baseline, rep_started, flag, rep_completed, ...
        eng.snapshot().reps, eng.result().to_dict()["rep_table"]
    """

    def __init__(
        self,
        spec: Spec,
        side: str = "auto",
        *,
        view: str | None = None,
        conditioning: Conditioning | None = None,
        calibrate_seconds: float = 1.0,
        gap_seconds: float = 1.0,
    ) -> None:
        if not spec.judgeable:
            raise SpecError(f"exercise {spec.name}: a camera can't judge it: {spec.reason}")
        if side not in spec.allowed_sides():
            raise SpecError(
                f"exercise {spec.name}: side {side!r}: expected one of "
                f"{', '.join(spec.allowed_sides())}"
            )
        if view is not None and view not in VIEWS:
            raise ValueError(f"view: expected one of {', '.join(VIEWS)}, got {view!r}")
        self.spec, self.side, self.forced_view = spec, side, view
        self.conditioning = conditioning
        self.calibrate_seconds = calibrate_seconds
        self.gap_seconds = gap_seconds
        if spec.sides == "both":
            self.tracked: tuple[str, ...] = ("both",)
        elif side in ("left", "right"):
            self.tracked = (side,)
        else:
            self.tracked = ("left", "right")
        #: The spec works one side at a time (``sides = "either"``): a side may not start
        #: a rep while another's is on, and a side that only echoes another is no rep.
        self._one_at_a_time = spec.sides == "either"
        self.reset()

    # --- state --------------------------------------------------------------------

    def reset(self) -> None:
        """Start over: counts, baseline and view are forgotten (e.g. an exercise switch)."""
        spec = self.spec
        self._cond = LandmarkConditioner(spec.visibility, self.conditioning)
        self._cal: Calibration | None = None
        self._compiled: dict = {}
        metric = spec.phase.metric if spec.phase else spec.hold.metric
        self._drivers: dict[str, Metric] = {
            s: compile_metric(spec.metric(metric), s, self._compiled) for s in self.tracked
        }
        plausible = spec.metric(metric).arg("plausible")
        self._plausible = None if plausible is None else Plausibility(plausible, self.tracked)
        self._hold_metric = None
        if spec.hold is not None:
            hold_side = self.tracked[0] if len(self.tracked) == 1 else "both"
            self._hold_metric = compile_metric(
                spec.metric(spec.hold.metric), hold_side, self._compiled
            )
        self._needs = np.unique(
            np.concatenate(
                [m.needs for m in self._drivers.values()]
                + ([self._hold_metric.needs] if self._hold_metric else [])
            )
        )
        self._trackers: dict[str, RepTracker] = {}
        # rest is the low end of the range (a spec of holds only has no phase)
        rest_low = spec.phase is None or spec.phase.direction == "increase"
        self._rom = {s: RomWindow(rest_low=rest_low) for s in self.tracked}  # whole-rep range
        self._hold = HoldTracker(spec.hold) if spec.hold else None
        # Each check's noise floor on this clip, measured while the person is still.
        self._probe = RestProbe(spec, self.tracked) if spec.phase is not None else None
        self._verdicts: tuple[CheckVerdict, ...] = ()
        self._judged: dict[str, bool] = {}  # each check's code -> judged, from _verdicts
        self._judged_key: tuple | None = None  # what _verdicts were judged on
        self._built: dict[str, list] = {}  # each side's latest checks (`_build`)
        self._judged_at = -math.inf
        self._still_since = math.inf
        self._samples: list[Calibration] = []  # one per usable pose while calibrating
        self._first_usable = math.nan
        self._settled_at = math.nan  # when the view was settled (NaN: not yet)
        self._counter = RepCounter()
        self._records: list[RepRecord] = []
        self._flags: list[FlagRaised] = []
        self._disabled: tuple[tuple[str, str], ...] = ()
        self._frames = self._with_pose = 0
        self._t = 0.0
        self._gaps: list[Gap] = []
        self._away_since: float | None = None  # nobody in view since (once seen)
        # The first frame with a person (its 1-based number; 0: nobody seen yet). With the
        # span below, for the share of frames with a person (`_warnings`): the frames from
        # the first with a person to the last, less those in absences reported as gaps.
        self._first_with_pose = 0
        self._span = 0
        self._away_frames = 0  # frames of the absence under way
        self._gap_frames = 0  # frames of the absences reported as gaps
        self._values: dict[str, float] = {}
        self._last_side: str | None = self.tracked[0] if len(self.tracked) == 1 else None
        self._cue = ShownCue()
        self._series_t: list[float] = []
        self._series_metric: dict[str, list[float]] = {s: [] for s in self.tracked}
        self._series_checks: dict[str, list[float]] = {c.code: [] for c in spec.checks}
        self._series_path: dict[str, list[tuple[float, float]]] = {
            c.code: [] for c in spec.checks if c.kind == "path_straightness"
        }

    # --- per frame ----------------------------------------------------------------

    def update(self, frame: PoseFrame) -> list:
        """Feed one frame; returns the events it caused (often none)."""
        self._frames += 1
        self._t = frame.t
        events: list = []
        if frame.has_pose:
            self._with_pose += 1
            if not self._first_with_pose:
                self._first_with_pose = self._frames
            if self._away_since is not None:
                self._returned(frame.t, events)
            self._span = self._frames - self._first_with_pose + 1 - self._gap_frames
        elif self._first_with_pose:
            if self._away_since is None:
                self._away_since, self._away_frames = frame.t, 0
            self._away_frames += 1
        pose = self._cond.update(frame)
        if pose is not None and self._settled_at != self._settled_at:
            events += self._calibrate(pose)
        if pose is None or self._cal is None:
            self._record(frame.t, None)
            return events
        cal = self._cal
        # In a one-side-at-a-time exercise a side may not start a rep while another's is on:
        # `active` is the side whose rep is on (at most one), kept up to date through the loop.
        one_at_a_time = self._one_at_a_time
        active = None
        if one_at_a_time:
            active = next((t for t in self._trackers.values() if t.state == "active"), None)
        for side, driver in self._drivers.items():
            value = driver.evaluate(pose, None, cal)
            self._values[side] = value
            if self._plausible is not None:
                self._plausible.add(side, value)
            tracker = self._trackers.get(side)
            if tracker is None:
                continue
            may_start = active is None or active is tracker
            new, record = tracker.update(pose, value, cal, may_start=may_start)
            widened = self._rom[side].feed(pose.t, value, resting=not tracker.in_rep)
            if record is not None:
                new, record = whole_rep(
                    new, record, *self._rom[side].close(record.start, record.end)
                )
            elif widened is not None:
                self._widen(side, *widened)
            if tracker.in_rep and len(self._trackers) > 1:
                # Another side moving meanwhile: a mirror of one side goes much less far
                # than that side (`_mirrored`); in a one-side-at-a-time exercise, moving
                # while the other's rep is on is not its own movement alone either.
                for other in self._trackers.values():
                    if other is not tracker and other.in_rep:
                        overlaps = one_at_a_time and other.state == "active"
                        tracker.shadowed(other, overlaps, pose.t)
            if one_at_a_time:
                if tracker.state == "active":
                    active = tracker
                elif active is tracker:
                    active = None
                elif active is not None and active.overtaken_by(tracker, value):
                    # The side under way only mirrored this one: this one's rep it is.
                    events += tracker.take_over(active, pose.t)
                    active = tracker
                    self._last_side = side
            if new:
                events += new
                self._last_side = side
            if record is not None:
                self._records.append(record)
                self._flags += tracker.last_flags
        if self._hold is not None:
            hm = self._hold_metric
            value = hm.evaluate(pose, None, cal)
            events += self._hold.update(frame.t, value)
        if self._probe is not None and self._trackers:
            self._probe.feed(pose, cal, self._still())
            if pose.t - self._judged_at >= JUDGE_EVERY_S:
                self._judge()
        for event in events:
            self._cue.feed(event)
        self._record(frame.t, pose)
        return events

    def _still(self) -> bool:
        """Every side at rest, within the enter-exit band of its rest level (the lowest
        of the last seconds), for `SETTLE_S`: the time to measure the noise. (A leg
        coming back from a rep is not still, nor is a pelvis settling after it.)"""
        phase = self.spec.phase
        band, sign = abs(phase.enter - phase.exit), -1.0 if phase.direction == "decrease" else 1.0
        for side, tracker in self._trackers.items():
            value = self._values.get(side, math.nan)
            if tracker.state != "rest" or not sign * value <= tracker.levels.rest + band:
                self._still_since = math.inf
                return False
        self._still_since = min(self._still_since, self._t)
        return self._t - self._still_since >= SETTLE_S

    def _judge(self) -> None:
        """Judge each check against the noise floor so far: a check whose floor is too
        near its limit stops failing (its peaks are still kept for the rep table)."""
        self._judged_at = self._t
        cal = self._cal
        # The verdicts change only with the view, its skew and ratio or the noise: while
        # the person moves (most of a set) nothing is measured again.
        key = (cal.view, cal.skew, cal.ratio) if cal is not None else None, self._probe.state
        if key != self._judged_key:
            self._judged_key = key
            self._verdicts = self._final_verdicts()
            self._judged = {v.code: v.judged for v in self._verdicts}
        for side, tracker in self._trackers.items():
            self._apply(tracker.checks)
            self._apply(self._built.get(side, []))  # waiting for the rep under way to end

    def _apply(self, checks: list) -> None:
        judged = self._judged
        for check in checks:
            check.judged = judged.get(check.spec.code, True)

    def _widen(self, side: str, lo: float, hi: float) -> None:
        """The side's last rep, still settling back into rest, went further: its range grows."""
        i = next(i for i in range(len(self._records) - 1, -1, -1) if self._records[i].side == side)
        self._records[i] = dataclasses.replace(self._records[i], rom_min=lo, rom_max=hi)

    def _returned(self, t: float, events: list) -> None:
        """Someone is in view again: a long enough absence is a gap, said once."""
        start, self._away_since = self._away_since, None
        if t - start >= self.gap_seconds:
            self._gaps.append(Gap(start, t))
            self._gap_frames += self._away_frames
            events.append(PersonReturned(t=t, start=start, seconds=t - start))

    def _calibrate(self, pose: Pose) -> list:
        """Calibrate from the first usable poses, whatever the person is doing.

        Every pose in which the driving metric can be measured, over the first
        ``calibrate_seconds`` of them, is calibrated on its own; the provisional
        calibration is their median (by foreshortening ratio, the view's evidence),
        so one odd frame can't pick the view, and counting runs from the first one.
        When the time is up the view is settled: `BaselineSet`, and the checks it
        can't judge are turned off (`ChecksDisabled`); the others start from the
        next rep (a rep's checks measure from its start).
        """
        cal = calibrate(pose.px, pose.world, pose.seen, image_depth=pose.px_depth is not None)
        values = [d.evaluate(pose, None, cal) for d in self._drivers.values()]
        if self._hold_metric is not None:
            values.append(self._hold_metric.evaluate(pose, None, cal))
        if all(v != v for v in values):
            return []
        samples = self._samples
        samples.append(cal)
        first = self._cal is None
        self._cal = self._median(samples)
        self._cond.scale = self._cal.body_px
        if first:
            self._first_usable = pose.t
            self._build(self._cal.view, every_view_only=True)
        if pose.t - self._first_usable < self.calibrate_seconds:
            return []
        samples.clear()
        return self._settle(pose.t)

    def _median(self, samples: list[Calibration]) -> Calibration:
        """The calibration of the median foreshortening ratio, with the median skew."""
        ratios = sorted(samples, key=lambda c: c.ratio if c.ratio == c.ratio else math.inf)
        mid = ratios[(len(ratios) - 1) // 2]
        skew = float(np.median([c.skew for c in samples]))
        view = skewed(view_from_ratio(mid.ratio), skew)
        if self.forced_view is not None:
            view = self.forced_view
        return dataclasses.replace(mid, view=view, skew=skew)

    def _build(self, view: str, every_view_only: bool = False) -> None:
        """Give each side's tracker the checks ``view`` can judge (``every_view_only``:
        only those every view can, and ranges and symmetries, judged at a rep's end,
        while the view is still provisional)."""
        spec = self.spec
        if spec.phase is None:
            return
        on = [c for c in spec.checks if self._judgeable(c, view)]
        # Where the view can't judge the spec's full, reps are judged against the
        # person's own (from beyond the feet MediaPipe's depth reads a straight knee at
        # 117-165 degrees): the target's range checks say where it can.
        targets = spec.target_checks()
        absolute = not targets or any(view in c.views for c in targets)
        flat = depth_missing(spec, spec.phase.metric, view, self._cal.has_world)
        # Read in x and y alone, the angle is the image's foreshortened one, and its
        # reading of one depth moves as the body moves: a wider margin.
        in_xy = flat and not reads_image_depth(view, self._cal.image_depth)
        margin = FLAT_SHORT_OF_OWN if in_xy else SHORT_OF_OWN
        if flat:
            # No world landmarks: the angle is read from the image (with the image
            # landmarks' rough depth where they have it), and its numbers are not the
            # spec's (`_flat`). Reps are judged against the person's own, as where the
            # view misreads the metric.
            absolute = False
        if every_view_only:
            # A range judges the rep's extreme at its end, as the tracker judges full
            # against this view (``absolute``): both follow the provisional view.
            on = [c for c in on if set(VIEWS) <= set(c.views) or c.judged_at_rep_end()]
        for side in self.tracked:
            checks = [compile_check(spec, c, side, view, self._compiled) for c in on]
            self._apply(checks)
            self._built[side] = checks
            tracker = self._trackers.get(side)
            if tracker is None:
                self._trackers[side] = RepTracker(
                    side,
                    spec.phase,
                    self._drivers[side],
                    checks,
                    self._counter,
                    codes=tuple(c.code for c in spec.checks),
                    peers=self._trackers,
                    one_at_a_time=self._one_at_a_time,
                )
            else:
                tracker.set_checks(checks)
            self._trackers[side].absolute = absolute
            self._trackers[side].short_of_own = margin

    def _judgeable(self, check: CheckSpec, view: str) -> bool:
        """``check`` is seen from ``view`` and, if it reads an angle in depth, has it."""
        has_world = self._cal.has_world
        return view in check.views and not depth_missing(self.spec, check.metric, view, has_world)

    def _settle(self, t: float) -> list:
        """The view is known: say so, and turn on the checks it can judge."""
        self._settled_at = t
        spec, view = self.spec, self._cal.view
        self._build(view)
        off = [c for c in spec.checks if not self._judgeable(c, view)]
        events: list = [BaselineSet(t=t, view=view)]
        if off:
            # Checks that want the camera in the same place share one reason; those
            # that want depth, another.
            where = view_from(view, spec.posture)
            advice = {
                c.code: view_advice(c.views[0], spec.posture) if view not in c.views else ""
                for c in off
            }
            groups: dict[str, list] = {}
            for c in off:
                groups.setdefault(advice[c.code], []).append(c)
            reasons = {
                place: f"{_join([c.label for c in cs])} can't be seen from {where}: {place}"
                if place
                else f"{_join([c.label for c in cs])} can't be judged without world "
                f"landmarks: the image's reading of the angle from {where} is not the body's"
                for place, cs in groups.items()
            }
            self._disabled = tuple((c.code, reasons[advice[c.code]]) for c in off)
            events.append(
                ChecksDisabled(
                    t=t,
                    view=view,
                    codes=tuple(c.code for c in off),
                    message="; ".join(reasons.values()),
                )
            )
        return events

    def _record(self, t: float, pose: Pose | None) -> None:
        self._series_t.append(t)
        values = self._values
        for side, series in self._series_metric.items():
            series.append(values.get(side, math.nan) if pose is not None else math.nan)
        active = self._active()
        by_code = active.by_code if active is not None and active.in_rep else _NO_CHECKS
        for code, series in self._series_checks.items():
            check = by_code.get(code)
            series.append(math.nan if check is None else check.current)
        for code, points in self._series_path.items():
            check = by_code.get(code)
            points.append(_NO_POINT if check is None else check.xy)

    def _active(self) -> RepTracker | None:
        # A side whose rep is on before one that is only moving: with a signed metric
        # (a knee wag) the resting side "moves" back from the far side as the other works.
        moving = None
        for tracker in self._trackers.values():
            if tracker.state == "active":
                return tracker
            if moving is None and tracker.in_rep:
                moving = tracker
        if moving is not None:
            return moving
        return self._trackers.get(self._last_side) if self._last_side else None

    # --- reading ------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The live state (see `Snapshot`)."""
        tracker = self._active()
        spec = self.spec
        if self._cal is None:
            phase = "settling"
        elif self._hold is not None and self._hold.holding:
            phase = "holding"
        else:
            phase = tracker.state if tracker is not None else "rest"
        side = tracker.side if tracker is not None else self._last_side
        driver = spec.metric(spec.phase.metric if spec.phase else spec.hold.metric)
        value = self._values.get(side, math.nan) if side else math.nan
        cue = self._cue.flag
        path, line, band = (), None, 0.0
        if tracker is not None:
            check = next((c for c in tracker.checks if isinstance(c, PathStraightness)), None)
            if check is not None and tracker.path_px:
                path = tuple(tracker.path_px)
                line = _reaching(check.ideal_px(), path)
                band = check.band_px()
        return Snapshot(
            t=self._t,
            phase=phase,
            counts=RepCounts.of(r.status for r in self._records),
            side=side,
            view=self._cal.view if self._cal else None,
            value=value,
            unit=driver.unit,
            last_rep=self._records[-1] if self._records else None,
            cue=cue.message if cue else None,
            cue_code=cue.code if cue else None,
            cue_severity=cue.severity if cue else None,
            holds=self._hold.counted if self._hold else 0,
            hold_seconds=self._hold.seconds(self._t) if self._hold else 0.0,
            path_px=path,
            ideal_line_px=line,
            band_px=band,
            away_seconds=self._t - self._away_since if self._away_since is not None else 0.0,
            warnings=self._warnings(),
            verdicts=self._verdicts,
        )

    def _rejudged(self) -> list[RepRecord]:
        """The rep table with each rep judged against all of its side's reps, not only
        those before it: a first rep that stopped short of the person's later full reps
        is partial too (live events could only judge it against the reps so far), and so
        is one whose turn was unseen if even the furthest it can have gone was short
        (`RepTracker.final_status`)."""
        out = []
        for r in self._records:
            tracker = self._trackers.get(r.side)
            status = r.status if tracker is None else tracker.final_status(r.rep, r.status)
            out.append(r if status == r.status else dataclasses.replace(r, status=status))
        return out

    def result(self) -> AnalysisResult:
        """The analysis so far, as a frozen `AnalysisResult` (the engine can go on)."""
        records = self._rejudged()
        verdicts_ = self._final_verdicts()
        records, flags = self._judge_again(records, verdicts_)
        worked = sorted({r.side for r in records})
        if len(worked) == 1:
            side = worked[0]
        elif worked:
            side = "both"
        else:
            side = self.tracked[0] if len(self.tracked) == 1 else self.side
        holds: list[HoldRecord] = list(self._hold.records) if self._hold else []
        if self._hold is not None and self._hold.holding:  # a hold still going at the end
            start = self._hold.start
            end = self._hold.left_at if self._hold.left_at == self._hold.left_at else self._t
            holds.append(
                HoldRecord(len(holds) + 1, start, end, end - start >= self.spec.hold.seconds)
            )
        by_side: dict[str, int] = {}
        for r in records:
            if r.status == "full":
                by_side[r.side] = by_side.get(r.side, 0) + 1
        series = Series(
            t=np.array(self._series_t),
            metric={k: np.array(v) for k, v in self._series_metric.items()},
            checks={k: np.array(v) for k, v in self._series_checks.items()},
            path={k: np.array(v).reshape(-1, 2) for k, v in self._series_path.items()},
        )
        return AnalysisResult(
            exercise=self.spec.name,
            side=side,
            view=self._cal.view if self._cal else None,
            holds=sum(h.counted for h in holds),
            hold_table=tuple(holds),
            rep_table=tuple(records),
            flags=tuple(flags),
            frames=self._frames,
            frames_with_pose=self._with_pose,
            checks_disabled=self._disabled,
            series=series,
            reps_by_side=tuple(by_side.items()),
            gaps=tuple(self._gaps) + self._open_gap(),
            **self._rom_note(),
            warnings=self._warnings(final=True),
            check_verdicts=verdicts_,
            noise_floors=tuple(self._probe.floors().values()) if self._probe else (),
        )

    def _judge_again(
        self, records: list[RepRecord], verdicts_: tuple[CheckVerdict, ...]
    ) -> tuple[list[RepRecord], list[FlagRaised]]:
        """The rep table's drift flags as the whole clip's verdicts say: none for a check
        it can't judge (a floor learnt after the flag), and, for one it can, every rep
        whose peak passed the limit (live, a rep before the first still moment was not
        judged yet). Flags of checks noise can't fake stand as raised."""
        judged = {v.code: v for v in verdicts_ if v.judged}
        noisy = {c.code: c for c in noisy_checks(self.spec)}
        flags = [f for f in self._flags if f.code not in noisy or f.code in judged]
        have = {(f.rep, f.code) for f in flags}
        out = []
        for r in records:
            codes = [c for c in r.flags if c not in noisy or c in judged]
            for code, peak in r.peaks:
                v = judged.get(code)
                if code in noisy and v is not None and peak > v.limit and code not in codes:
                    codes.append(code)
                    if (r.rep, code) not in have:
                        c = noisy[code]
                        flags.append(
                            FlagRaised(
                                code, r.rep, r.end, peak, v.limit, c.unit, c.cue, c.severity, r.side
                            )
                        )
            out.append(r if codes == list(r.flags) else dataclasses.replace(r, flags=tuple(codes)))
        flags.sort(key=lambda f: (f.rep, f.t))
        return out, flags

    def _final_verdicts(self) -> tuple[CheckVerdict, ...]:
        """Each check's verdict so far: its view, how square the camera is, and the noise
        of every still moment (on the whole clip, for the result)."""
        if self._probe is None:
            return ()
        cal = self._cal
        if cal is None:
            return verdicts(self.spec, None, self._probe.floors())
        floors = self._probe.floors()
        return verdicts(self.spec, cal.view, floors, cal.skew, cal.ratio, cal.has_world)

    def _warnings(self, final: bool = False) -> tuple[str, ...]:
        """What the user must be told rather than shown a silent zero or a count on too
        little: the driving metric never measurable (no view, no rest pose), movement
        with no rep counted, or, in the result, a person found in too few frames.

        Live (``final`` False) a rep under way is not yet a miss; in the result it is one
        that never finished (the clip ended, or the person left the view mid-rep), and a
        result of 0 reps with it must say so.
        """
        # Counted from the first frame with a person to the last, less the absences
        # reported as gaps: an empty start, a walk-in or stepping away is no misreading.
        found = self._with_pose / self._span if self._span else 1.0
        reps = self._misread() + self._rep_warnings(final)
        if final and found < POSE_SHARE:
            # Live snapshots leave it out: early on the share swings with a few frames.
            return (
                f"a person was found in only {found:.0%} of the frames, so reps may be "
                "missed or misjudged: keep the whole body in view and well lit, with the "
                "camera where the exercise's placement advises",
                *reps,
            )
        return reps

    def _misread(self) -> tuple[str, ...]:
        """The warning that the driving angle reads as no body can move, if it does
        (`formcheck.engine.plausible`). Not where the angle is read flat in the image
        (`_flat`): foreshortened, it truly reads so, and that warning says why."""
        worst = self._plausible.misread() if self._plausible is not None else None
        if worst is None or self._cal is None or self._flat():
            return ()
        where = view_from(self._cal.view, self.spec.posture)
        return (misread_text(self._driving().replace("_", " "), self._plausible, worst[1], where),)

    def _rep_warnings(self, final: bool) -> tuple[str, ...]:
        spec = self.spec
        name = spec.phase.metric if spec.phase else spec.hold.metric
        if self._cal is None:
            if not self._with_pose:
                return ()
            return (
                f"the {name.replace('_', ' ')} could never be measured (the body parts it "
                "needs were not in view), so the camera view and the rest pose couldn't be "
                "found and nothing was counted: keep the whole body in the frame",
            )
        flat = (self._flat_reason(),) if self._flat() else ()
        trackers = self._trackers.values()
        under_way = any(t.state == "active" for t in trackers)
        if spec.phase is None or self._records or (under_way and not final):
            return flat
        moved = max((t.levels.travel for t in trackers), default=0.0)
        if moved < min_excursion(spec.phase):
            return flat
        unit = spec.metric(name).unit
        dropped = sum(t.discarded for t in trackers)
        why = (
            f" ({dropped} movement{'s were' if dropped > 1 else ' was'} too short, or only "
            "mirrored the other side)"
            if dropped
            else ""
        )
        if under_way:
            why += " (one was still under way when the recording ended)"
        return (
            *flat,
            f"the {name.replace('_', ' ')} moved through {amount_text(moved, unit)} but no rep was "
            f"counted{why}: check that this is the exercise being done and that the camera "
            "sees the working side",
        )

    def _rom_note(self) -> dict[str, object]:
        """The view's known error in the rep table's ranges, or why they are withheld."""
        spec, view = self.spec, self._cal.view if self._cal else None
        if spec.phase is None:
            return {}
        kind = spec.metric(spec.phase.metric).kind
        if self._flat():
            return {"rom_uncertainty_deg": None, "rom_withheld_reason": self._flat_reason()}
        misread = self._misread()
        if misread:
            return {"rom_uncertainty_deg": None, "rom_withheld_reason": misread[0]}
        error = rom_error(view, kind)
        return {
            "rom_uncertainty_deg": error.uncertainty if error is not None else None,
            "rom_withheld_reason": rom_withheld(view, kind, spec.posture),
        }

    def _driving(self) -> str:
        """The metric reps are counted on, or the hold is timed on."""
        spec = self.spec
        return spec.phase.metric if spec.phase is not None else spec.hold.metric

    def _flat(self) -> bool:
        """True when the driving angle is one the spec reads in depth, and the landmarks
        have no world landmarks: it is read from the image (`metrics._depth_space`)."""
        cal = self._cal
        if cal is None:
            return False
        return depth_missing(self.spec, self._driving(), cal.view, cal.has_world)

    def _flat_reason(self) -> str:
        name = self._driving().replace("_", " ")
        where = view_from(self._cal.view, self.spec.posture)
        said = (
            "the range of motion is not given, and reps are judged against the person's own "
            "rather than the exercise's targets"
            if self.spec.phase is not None
            else "the hold is still timed against the exercise's numbers, which the image's "
            "angle may not meet"
        )
        if reads_image_depth(self._cal.view, self._cal.image_depth):
            return (
                f"these landmarks have no world landmarks, so the {name} angle is read from "
                f"the image with its landmarks' rough depth, seen from {where}: {said}"
            )
        return (
            f"these landmarks have no depth (no world landmarks), so the {name} angle is "
            f"read in the image, foreshortened from {where}: {said}"
        )

    def _open_gap(self) -> tuple[Gap, ...]:
        """Nobody in view since some time before the last frame: a gap to the end."""
        start = self._away_since
        if start is None or self._t - start < self.gap_seconds:
            return ()
        return (Gap(start, self._t, until_end=True),)


def analyze(
    frames: Iterable[PoseFrame], spec: Spec, side: str = "auto", **options
) -> AnalysisResult:
    """Feed every frame to a new `Engine` and return its result.

    ``options`` go to `Engine` (e.g. ``view="end_on"``).

    Example::

        result = analyze(sim.frames, load_spec("exercise_specs/heel_slide.toml"))
        result.reps
    """
    engine = Engine(spec, side, **options)
    for frame in frames:
        engine.update(frame)
    return engine.result()
