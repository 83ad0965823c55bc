"""The validated, frozen form of an exercise spec.

The loader builds these from a TOML file; each checks its own cross-field
rules in ``__post_init__`` and raises `Invalid` naming the key, so a spec
changed with `dataclasses.replace` (as `with_overrides` does) is checked the
same way as a loaded one.

>>> p = PhaseSpec(metric="knee", direction="increase", enter=120, exit=105, full=160,
...               min_duration=0.5, bounds=(0, 180))
>>> p.is_full(170), p.is_full(150)
(True, False)
>>> try:
...     PhaseSpec(metric="knee", direction="increase", enter=120, exit=130, full=160,
...               min_duration=0.5, bounds=(0, 180))
... except Invalid as exc:
...     print(exc)
exit: expected less than enter (120) for an increasing phase, got 130
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from formcheck.specs.schema import Invalid, fmt

Args = tuple[tuple[str, object], ...]


def _args_get(args: Args, name: str, default: object = None) -> object:
    for key, value in args:
        if key == name:
            return value
    return default


@dataclass(frozen=True)
class MetricSpec:
    """A named measurement from landmarks; ``args`` are its kind's validated parameters."""

    name: str
    kind: str
    unit: str
    bounds: tuple[float, float]
    args: Args = ()

    def arg(self, name: str, default: object = None) -> object:
        """One parameter: ``metric.arg("points")``."""
        return _args_get(self.args, name, default)


@dataclass(frozen=True)
class PhaseSpec:
    """How reps are counted from a driving metric, with hysteresis.

    ``direction="increase"``: a rep starts when the metric rises past
    ``enter``, is full once it reaches ``full``, and ends when it falls back
    past ``exit`` (``exit < enter <= full``). ``decrease`` mirrors it.
    """

    metric: str
    direction: str
    enter: float
    exit: float
    full: float
    min_duration: float
    bounds: tuple[float, float] = (float("-inf"), float("inf"))

    def __post_init__(self) -> None:
        up = self.direction == "increase"
        word = "an increasing" if up else "a decreasing"
        if (self.exit >= self.enter) if up else (self.exit <= self.enter):
            rel = "less" if up else "greater"
            raise Invalid(
                "exit",
                f"expected {rel} than enter ({fmt(self.enter)}) for {word} phase, "
                f"got {fmt(self.exit)}",
            )
        low, high = (self.enter, self.bounds[1]) if up else (self.bounds[0], self.enter)
        if not low <= self.full <= high:
            raise Invalid(
                "full",
                f"expected from {fmt(low)} to {fmt(high)} (between enter and the metric's "
                f"{'largest' if up else 'smallest'} value) for {word} phase, got {fmt(self.full)}",
            )
        for key in ("enter", "exit"):
            value = getattr(self, key)
            if not self.bounds[0] <= value <= self.bounds[1]:
                raise Invalid(
                    key,
                    f"expected from {fmt(self.bounds[0])} to {fmt(self.bounds[1])} "
                    f"(the metric's range), got {fmt(value)}",
                )

    def past(self, value: float, threshold: float) -> bool:
        """True when ``value`` is beyond ``threshold`` in the working direction."""
        return value >= threshold if self.direction == "increase" else value <= threshold

    def is_full(self, extreme: float) -> bool:
        """True when a rep whose extreme value was ``extreme`` reached full range."""
        return self.past(extreme, self.full)


@dataclass(frozen=True)
class HoldSpec:
    """Time spent in a target zone of a metric; a hold counts when it lasts ``seconds``."""

    metric: str
    above: float | None
    below: float | None
    seconds: float
    target_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.above is None and self.below is None:
            raise Invalid("", 'expected "above", "below" or both, got neither')
        if self.above is not None and self.below is not None and self.above >= self.below:
            raise Invalid(
                "below",
                f"expected greater than above ({fmt(self.above)}), got {fmt(self.below)}",
            )
        if self.target_seconds is not None and self.target_seconds < self.seconds:
            raise Invalid(
                "target_seconds",
                f"expected at least seconds ({fmt(self.seconds)}), got {fmt(self.target_seconds)}",
            )

    def inside(self, value: float) -> bool:
        """True when ``value`` is in the target zone."""
        return (self.above is None or value > self.above) and (
            self.below is None or value < self.below
        )


@dataclass(frozen=True)
class CheckSpec:
    """A form check: what it measures (``kind`` + ``args``), its limit, and what to say."""

    code: str
    kind: str
    label: str
    limit: float
    unit: str
    cue: str
    severity: str = "warning"
    views: tuple[str, ...] = ()
    view_limits: tuple[tuple[str, float], ...] = ()
    metric: str | None = None
    args: Args = ()
    #: The sane range of ``limit``; the low end is excluded when ``limit_above_low``.
    limit_range: tuple[float, float] = (0.0, float("inf"))
    limit_above_low: bool = True

    def __post_init__(self) -> None:
        low, high = self.limit_range
        limits = [("limit", self.limit), *((f"view_limits.{v}", x) for v, x in self.view_limits)]
        for key, value in limits:
            above = low < value if self.limit_above_low else low <= value
            if not (above and value <= high):
                lower = f"more than {fmt(low)}" if self.limit_above_low else f"from {fmt(low)}"
                raise Invalid(
                    key, f"expected {lower} up to {fmt(high)} {self.unit}, got {fmt(value)}"
                )

    def arg(self, name: str, default: object = None) -> object:
        """One kind-specific parameter."""
        return _args_get(self.args, name, default)

    def limit_for(self, view: str | None) -> float:
        """The limit that applies in ``view`` (a per-view limit, else ``limit``)."""
        return dict(self.view_limits).get(view, self.limit) if view else self.limit

    def judged_at_rep_end(self) -> bool:
        """True for checks that only make sense once the rep is over (range, symmetry)."""
        return self.kind in ("range", "symmetry")


@dataclass(frozen=True)
class Guidance:
    """What the user reads: purpose, setup steps, cues and camera placement."""

    purpose: str
    setup: tuple[str, ...]
    cues: tuple[str, ...]
    camera_view: str
    camera_placement: str
    camera_study: str = ""  # the study placement the advice rests on (docs/placement.md)


@dataclass(frozen=True)
class Target:
    """The prescription: reps and/or hold seconds as ``(low, high)``; per side or in total."""

    reps: tuple[float, float] | None = None
    hold_seconds: tuple[float, float] | None = None
    per_side: bool = False

    def describe(self) -> str:
        """``"5-10 reps per side"``, ``"hold 3-5 s"``, or ``""``."""
        parts = []
        if self.reps:
            parts.append(f"{_span(self.reps)} reps")
        if self.hold_seconds:
            parts.append(f"hold {_span(self.hold_seconds)} s")
        text = ", ".join(parts)
        return f"{text} per side" if text and self.per_side else text


def _span(pair: tuple[float, float]) -> str:
    return fmt(pair[0]) if pair[0] == pair[1] else f"{fmt(pair[0])}-{fmt(pair[1])}"


@dataclass(frozen=True)
class Spec:
    """One exercise: identity, guidance, and (when a camera can judge it) what to measure."""

    name: str
    display_name: str
    guidance: Guidance
    target: Target = field(default_factory=Target)
    judgeable: bool = True
    reason: str = ""
    sides: str = "both"
    default_side: str = "auto"
    visibility: float = 0.5
    posture: str = "any"
    metrics: tuple[MetricSpec, ...] = ()
    phase: PhaseSpec | None = None
    hold: HoldSpec | None = None
    checks: tuple[CheckSpec, ...] = ()
    source: str = ""

    def metric(self, name: str) -> MetricSpec:
        """The metric called ``name`` (``KeyError`` if there is none)."""
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(name)

    def check(self, code: str) -> CheckSpec:
        """The check with flag code ``code`` (``KeyError`` if there is none)."""
        for check in self.checks:
            if check.code == code:
                return check
        raise KeyError(code)

    def target_checks(self) -> tuple[CheckSpec, ...]:
        """The range checks on how far a rep goes (the driving metric's peak in the
        working direction): their ``views`` are where the phase's ``full`` is judged
        (`formcheck.engine.core.Engine`); none without a phase."""
        if self.phase is None:
            return ()
        peak = "max" if self.phase.direction == "increase" else "min"
        return tuple(
            c
            for c in self.checks
            if c.kind == "range" and c.metric == self.phase.metric and c.arg("stat") == peak
        )

    def allowed_sides(self) -> tuple[str, ...]:
        """The ``side`` values `Engine` accepts for this exercise."""
        return ("both", "auto") if self.sides == "both" else ("left", "right", "both", "auto")

    def as_summary(self) -> Mapping[str, object]:
        """A small JSON-able description (for listings)."""
        return {
            "name": self.name,
            "display_name": self.display_name,
            "judgeable": self.judgeable,
            "reason": self.reason,
            "target": self.target.describe(),
            "sides": self.sides,
            "checks": [c.code for c in self.checks],
        }
