"""What an analysis produced: the per-rep table, flags, holds, and light time series.

`RepCounts` is the one meaning of "reps" that the CLI, JSON, Review, Live,
History and the benchmark all show: full reps, with partial and uncertain
ones counted apart.

>>> r = RepRecord(rep=1, side="left", start=1.0, end=4.5, status="full", rom_min=80.0,
...               rom_max=176.0, peaks=(("pelvis_shift", 0.4),), flags=())
>>> r.duration, r.as_row()["peak_pelvis_shift"]
(3.5, 0.4)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from formcheck.engine.events import FlagRaised

if TYPE_CHECKING:
    from formcheck.engine.noise_floor import CheckVerdict, NoiseFloor


def _num(value: float, digits: int = 3) -> float | None:
    """A float for JSON: rounded, with NaN as None."""
    return None if value is None or value != value else round(float(value), digits)


#: What a completed rep can be: ``full`` reached the spec's full range, ``partial``
#: was completed short of it, ``uncertain`` happened but could not be judged (part
#: of it, often its far end, was not seen).
REP_STATUSES = ("full", "partial", "uncertain")


@dataclass(frozen=True)
class RepCounts:
    """How many reps of each status; the one definition of a rep count.

    "Reps" means ``full`` reps only. ``partial`` and ``uncertain`` reps are
    counted and shown apart, never added in: an uncertain rep may or may not
    have reached full range, so neither count can claim it.

    >>> c = RepCounts.of(["full", "uncertain", "full", "partial"])
    >>> c, c.total, c.describe()
    (RepCounts(full=2, partial=1, uncertain=1), 4, '2 reps, 1 partial, 1 uncertain')
    >>> (c + RepCounts(full=1)).describe()
    '3 reps, 1 partial, 1 uncertain'
    """

    full: int = 0
    partial: int = 0
    uncertain: int = 0

    def __post_init__(self) -> None:
        for name in REP_STATUSES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name}: expected a count (an int >= 0), got {value!r}")

    @classmethod
    def of(cls, statuses: Iterable[str]) -> RepCounts:
        """Count rep statuses (each one of `REP_STATUSES`)."""
        counts = Counter(statuses)
        unknown = sorted(set(counts) - set(REP_STATUSES))
        if unknown:
            raise ValueError(
                f"rep status: expected one of {', '.join(REP_STATUSES)}, got {unknown[0]!r}"
            )
        return cls(**{name: counts[name] for name in REP_STATUSES})

    @property
    def total(self) -> int:
        """Every completed rep, whatever its status."""
        return self.full + self.partial + self.uncertain

    def __add__(self, other: RepCounts) -> RepCounts:
        return RepCounts(
            self.full + other.full, self.partial + other.partial, self.uncertain + other.uncertain
        )

    def describe(self) -> str:
        """``1 rep``, ``2 reps, 1 partial, 1 uncertain`` (no partial or uncertain part when 0)."""
        text = f"{self.full} rep{'' if self.full == 1 else 's'}"
        for name in ("partial", "uncertain"):
            if getattr(self, name):
                text += f", {getattr(self, name)} {name}"
        return text


class CountedReps:
    """``reps``, ``partial_reps`` and ``uncertain_reps`` as read from ``counts`` (a
    `RepCounts`), for the engine's `AnalysisResult` and live ``Snapshot``."""

    counts: RepCounts

    @property
    def reps(self) -> int:
        """Full reps (see `RepCounts`)."""
        return self.counts.full

    @property
    def partial_reps(self) -> int:
        return self.counts.partial

    @property
    def uncertain_reps(self) -> int:
        return self.counts.uncertain


def judged(status: str) -> bool:
    """Whether a rep of ``status`` was seen whole, so its range of motion means
    something: full and partial reps, not uncertain ones (their far end was unseen).

    >>> [judged(s) for s in REP_STATUSES]
    [True, True, False]
    """
    return status != "uncertain"


@dataclass(frozen=True)
class RepRecord:
    """One row of the rep table; ``peaks`` holds every check's peak (NaN if off or unmeasured)."""

    rep: int
    side: str
    start: float
    end: float
    status: str
    rom_min: float
    rom_max: float
    peaks: tuple[tuple[str, float], ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return self.end - self.start

    def as_dict(self) -> dict[str, object]:
        """The rep as JSON: ``{rep, side, start, end, duration, status, rom_min, ...}``."""
        return {
            "rep": self.rep,
            "side": self.side,
            "start": _num(self.start),
            "end": _num(self.end),
            "duration": _num(self.duration),
            "status": self.status,
            "rom_min": _num(self.rom_min, 1),
            "rom_max": _num(self.rom_max, 1),
            "peaks": {code: _num(v, 2) for code, v in self.peaks},
            "flags": list(self.flags),
        }

    def as_row(self) -> dict[str, object]:
        """The rep as one flat row for CSV (peaks as ``peak_<code>``, flags joined by ``;``)."""
        row = self.as_dict()
        peaks = row.pop("peaks")
        row["flags"] = ";".join(self.flags)
        row.update({f"peak_{code}": v for code, v in peaks.items()})
        return row


@dataclass(frozen=True)
class HoldRecord:
    """One hold: when it started and ended, and whether it was long enough to count."""

    hold: int
    start: float
    end: float
    counted: bool

    @property
    def duration(self) -> float:
        return self.end - self.start

    def as_dict(self) -> dict[str, object]:
        return {
            "hold": self.hold,
            "start": _num(self.start),
            "end": _num(self.end),
            "duration": _num(self.duration),
            "counted": self.counted,
        }


@dataclass(frozen=True)
class Gap:
    """A stretch with nobody in view: from the first frame without a person to the
    first with one again, or to the last frame (``until_end``) if they never came back.

    >>> Gap(12.0, 18.5).as_dict()
    {'start': 12.0, 'end': 18.5, 'seconds': 6.5, 'until_end': False}
    """

    start: float
    end: float
    until_end: bool = False

    def __post_init__(self) -> None:
        if not self.end >= self.start:
            raise ValueError(f"end: expected at or after start {self.start}, got {self.end}")

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def as_dict(self) -> dict[str, object]:
        return {
            "start": _num(self.start),
            "end": _num(self.end),
            "seconds": _num(self.seconds),
            "until_end": self.until_end,
        }

    def describe(self) -> str:
        """``12.0-18.5 s (6.5 s)`` or ``from 30.2 s to the end (4.0 s)``."""
        if self.until_end:
            return f"from {self.start:.1f} s to the end ({self.seconds:.1f} s)"
        return f"{self.start:.1f}-{self.end:.1f} s ({self.seconds:.1f} s)"


@dataclass(frozen=True)
class Series:
    """Per-frame arrays for plots (NaN where not measured).

    ``t`` (n,); ``metric[side]`` the driving (or hold) metric per tracked side;
    ``checks[code]`` each check's value during reps; ``path[code]`` the
    tracked point of each path check during reps, ``(n, 2)`` cm in the body
    frame from its start position: across the ideal line (positive away
    from the midline) and along it.
    """

    t: np.ndarray
    metric: dict[str, np.ndarray] = field(default_factory=dict)
    checks: dict[str, np.ndarray] = field(default_factory=dict)
    path: dict[str, np.ndarray] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        def arr(a: np.ndarray) -> list:
            return [None if not math.isfinite(x) else round(float(x), 3) for x in a.ravel()]

        return {
            "t": arr(self.t),
            "metric": {k: arr(v) for k, v in self.metric.items()},
            "checks": {k: arr(v) for k, v in self.checks.items()},
        }


@dataclass(frozen=True)
class AnalysisResult(CountedReps):
    """The outcome of feeding an `Engine`: counts, the rep table, flags, holds, series.

    ``side`` is the side(s) that worked (``left``, ``right``, ``both``, or the
    requested side when nothing moved); ``view`` the detected (or given) view,
    ``None`` if the driving metric could never be measured. ``gaps`` are
    the stretches with nobody in view once the person had been seen (reps
    can't be counted in them; a rep they cut into is ``uncertain``). ``warnings``
    are phrases the user must see, e.g. that the body moved but no rep was counted.
    ``counts`` (and ``reps``, ``partial_reps``, ``uncertain_reps``) are read
    from the rep table, so they can't disagree with it.
    ``rom_uncertainty_deg`` is the view's known error (95th percentile, degrees)
    in the rep table's ranges, None where unknown; ``rom_withheld_reason`` says
    why the ranges are not to be shown from this view (None: they are). The rep
    table keeps the raw readings either way (`rep_table_rows` blanks them).
    ``check_verdicts`` say, per check, whether it could be judged on this clip
    (the view, and the noise floor measured while still: `noise_floors`); a
    check that couldn't raises no flag, and its verdict says how to move the camera.
    """

    exercise: str
    side: str
    view: str | None
    holds: int
    hold_table: tuple[HoldRecord, ...]
    rep_table: tuple[RepRecord, ...]
    flags: tuple[FlagRaised, ...]
    frames: int
    frames_with_pose: int
    checks_disabled: tuple[tuple[str, str], ...]
    series: Series
    reps_by_side: tuple[tuple[str, int], ...] = ()
    gaps: tuple[Gap, ...] = ()
    rom_uncertainty_deg: float | None = None
    rom_withheld_reason: str | None = None
    warnings: tuple[str, ...] = ()
    check_verdicts: tuple[CheckVerdict, ...] = ()
    noise_floors: tuple[NoiseFloor, ...] = ()

    @property
    def counts(self) -> RepCounts:
        """The rep table's `RepCounts`."""
        return RepCounts.of(r.status for r in self.rep_table)

    def to_dict(self, series: bool = False) -> dict[str, object]:
        """A JSON-able dict (see the module doc); ``series=True`` adds the time series."""
        counts = self.counts
        out: dict[str, object] = {
            "exercise": self.exercise,
            "side": self.side,
            "view": self.view,
            "reps": counts.full,
            "partial_reps": counts.partial,
            "uncertain_reps": counts.uncertain,
            "reps_by_side": dict(self.reps_by_side),
            "holds": self.holds,
            "hold_table": [h.as_dict() for h in self.hold_table],
            "rep_table": [r.as_dict() for r in self.rep_table],
            "flags": [
                {
                    "code": f.code,
                    "rep": f.rep,
                    "t": _num(f.t),
                    "value": _num(f.value, 2),
                    "limit": _num(f.limit, 2),
                    "unit": f.unit,
                    "message": f.message,
                    "severity": f.severity,
                    "side": f.side,
                }
                for f in self.flags
            ],
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "checks_disabled": [{"code": c, "reason": r} for c, r in self.checks_disabled],
            "gaps": [g.as_dict() for g in self.gaps],
            "rom_uncertainty_deg": self.rom_uncertainty_deg,
            "rom_withheld_reason": self.rom_withheld_reason,
            "warnings": list(self.warnings),
            "check_verdicts": [v.as_dict() for v in self.check_verdicts],
            "noise_floors": [f.as_dict() for f in self.noise_floors],
        }
        if series:
            out["series"] = self.series.as_dict()
        return out

    def rep_table_rows(self) -> list[dict[str, object]]:
        """The rep table as flat dicts (same keys on every row), for CSV and display.

        Where the view can't measure the range (``rom_withheld_reason``) it is blank.
        """
        rows = [r.as_row() for r in self.rep_table]
        if self.rom_withheld_reason is not None:
            rows = [row | {"rom_min": None, "rom_max": None} for row in rows]
        keys: dict[str, None] = {}
        for row in rows:
            keys.update(dict.fromkeys(row))
        return [{k: row.get(k) for k in keys} for row in rows]
