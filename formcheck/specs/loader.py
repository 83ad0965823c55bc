"""Load exercise specs from TOML, validate them, and apply per-person limits.

Every error is a `SpecError` whose message is a trail from the file to the
key: ``heel_slide.toml: exercise heel_slide: checks[1].limit: expected a
number, got "five"`` (the exercise part is left out when the name itself is
unreadable). Nothing in a spec is evaluated or imported: it is data only.

Example::

    spec = load_spec("exercise_specs/heel_slide.toml")
    gentler = with_overrides(spec, {"heel_off_line": 4.0})
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from formcheck.errors import SpecError
from formcheck.specs.kinds import (
    POSTURES,
    SIDE_MODES,
    SIDES,
    VIEWS,
    Kind,
    check_kinds,
    common_check_params,
    metric_kinds,
)
from formcheck.specs.model import CheckSpec, Guidance, HoldSpec, MetricSpec, PhaseSpec, Spec, Target
from formcheck.specs.schema import (
    BOOL,
    FRACTION,
    IDENTIFIER,
    NONNEGATIVE,
    NUMBER,
    NUMBER_PAIR,
    POSITIVE,
    TEXT,
    TEXTS,
    Invalid,
    Param,
    ParamType,
    check_table,
    choice,
    fmt,
    is_templated,
    show,
)

#: Environment variable naming a folder of specs to use instead of the bundled one.
SPECS_ENV = "FORMCHECK_SPECS"

#: Sane limits by unit: a check's limit must lie in (0, high].
_SANE = {"cm": 50.0, "deg": 180.0, "ratio": 10.0}


def _raw(kind: str, test: type) -> ParamType:
    def convert(value: object) -> object:
        if not isinstance(value, test):
            raise Invalid("", f"expected {kind}, got {show(value)}")
        return value

    return ParamType(kind, convert)


TABLE = _raw("a table", dict)
TABLES = _raw("an array of tables", list)


def top_level_params() -> tuple[Param, ...]:
    """The keys at the top of a spec file."""
    return (
        Param("name", IDENTIFIER, "the exercise's id; must match the file name"),
        Param("display_name", TEXT, "the name shown to people"),
        Param("purpose", TEXT, "what the exercise is for, in a sentence or two"),
        Param("setup", TEXTS, "how to get into position, step by step"),
        Param("cues", TEXTS, "what to pay attention to while moving"),
        Param("camera", TABLE, "where to put the camera (see `[camera]`)"),
        Param("target", TABLE, "the prescription (see `[target]`)", required=False, default={}),
        Param(
            "judgeable",
            BOOL,
            "false for exercises a camera can't judge: then give `reason` and no measurements",
            required=False,
            default=True,
        ),
        Param("reason", TEXT, "why a camera can't judge it", required=False, default=""),
        Param("sides", choice(SIDE_MODES), "how the sides work", required=False, default="both"),
        Param(
            "posture",
            choice(POSTURES),
            "the body's posture (the exercise guess rules out exercises of another)",
            required=False,
            default="any",
        ),
        Param(
            "default_side",
            choice(SIDES),
            "the side analysed when the user doesn't say",
            required=False,
            default="auto",
        ),
        Param(
            "visibility",
            FRACTION,
            "landmarks less visible than this don't count (visibility gating)",
            required=False,
            default=0.5,
        ),
        Param(
            "metrics", TABLE, "named measurements (see metric kinds)", required=False, default={}
        ),
        Param("phase", TABLE, "how reps are counted (see `[phase]`)", required=False),
        Param("hold", TABLE, "how holds are timed (see `[hold]`)", required=False),
        Param("checks", TABLES, "form checks (see check kinds)", required=False, default=[]),
    )


def camera_params() -> tuple[Param, ...]:
    """The keys of ``[camera]``."""
    return (
        Param("view", choice(VIEWS), "the best camera view"),
        Param("placement", TEXT, "where to put the camera, for people"),
        Param(
            "study",
            TEXT,
            "the placement of the placement study (docs/placement.md) this advice rests on, "
            "e.g. `end_on_tripod`; a test checks the study found it able to judge the checks",
            required=False,
            default="",
        ),
    )


def target_params() -> tuple[Param, ...]:
    """The keys of ``[target]``."""
    return (
        Param("reps", NUMBER_PAIR, "reps per set as [low, high]", required=False),
        Param("hold_seconds", NUMBER_PAIR, "seconds per hold as [low, high]", required=False),
        Param("per_side", BOOL, "the target is per side", required=False, default=False),
    )


def phase_params() -> tuple[Param, ...]:
    """The keys of ``[phase]``."""
    return (
        Param("metric", TEXT, "the driving metric (a name in `[metrics]`)"),
        Param("direction", choice(("increase", "decrease")), "how the metric moves in a rep"),
        Param(
            "enter",
            NUMBER,
            "well into a rep: `enter - exit` is how much further one side must move to take "
            "a rep over from the other (a mirroring leg)",
        ),
        Param("exit", NUMBER, "the edge of rest: a rep must pass it"),
        Param("full", NUMBER, "a rep is full once the metric reaches this, else partial"),
        Param(
            "min_duration",
            NONNEGATIVE,
            "the shortest rep, rest to rest (seconds); a movement whose counted part (about "
            "70 % of a rep) lasts under half of it is noise",
            required=False,
            default=0.5,
        ),
    )


def hold_params() -> tuple[Param, ...]:
    """The keys of ``[hold]``."""
    return (
        Param("metric", TEXT, "the metric whose zone is held (a name in `[metrics]`)"),
        Param("above", NUMBER, "the zone's low end", required=False),
        Param("below", NUMBER, "the zone's high end", required=False),
        Param("seconds", POSITIVE, "a hold counts once it lasts this long"),
        Param("target_seconds", POSITIVE, "the prescribed hold time", required=False),
    )


# --- building ---------------------------------------------------------------------


def build_spec(raw: Mapping[str, object], source: str = "") -> Spec:
    """Validate a parsed spec table into a `Spec`; errors are prefixed with ``source``.

    >>> build_spec({"name": "x"}, "x.toml")
    Traceback (most recent call last):
    ...
    formcheck.errors.SpecError: x.toml: exercise x: missing required key "display_name"
    """
    name = raw.get("name") if isinstance(raw, Mapping) else None
    prefix = f"{source}: " if source else ""
    if isinstance(name, str) and name.strip():
        prefix += f"exercise {name.strip()}: "
    try:
        return _build(raw, source)
    except Invalid as exc:
        raise SpecError(f"{prefix}{exc}") from None


def _build(raw: Mapping[str, object], source: str) -> Spec:
    top = check_table(raw, top_level_params())
    stem = Path(source).stem if source.endswith(".toml") else None
    if stem is not None and top["name"] != stem:
        raise Invalid(
            "name", f"expected {json.dumps(stem)} (the file's name), got {show(top['name'])}"
        )
    camera = check_table(top["camera"], camera_params(), "camera")
    target = check_table(top["target"], target_params(), "target")
    guidance = Guidance(
        purpose=top["purpose"],
        setup=top["setup"],
        cues=top["cues"],
        camera_view=camera["view"],
        camera_placement=camera["placement"],
        camera_study=camera["study"],
    )
    common = {
        "name": top["name"],
        "display_name": top["display_name"],
        "guidance": guidance,
        "target": Target(target["reps"], target["hold_seconds"], target["per_side"]),
        "sides": top["sides"],
        "visibility": top["visibility"],
        "posture": top["posture"],
        "source": source,
    }
    if not top["judgeable"]:
        if not top["reason"]:
            raise Invalid("", 'missing required key "reason" (judgeable = false)')
        for key in ("metrics", "phase", "hold", "checks"):
            if key in raw:
                raise Invalid(key, "expected nothing to measure when judgeable = false")
        return Spec(judgeable=False, reason=top["reason"], **common)
    if top["reason"]:
        raise Invalid("reason", "expected only with judgeable = false")
    if top["default_side"] not in _sides_for(top["sides"]):
        allowed = ", ".join(json.dumps(s) for s in _sides_for(top["sides"]))
        raise Invalid(
            "default_side",
            f"expected one of {allowed} for sides = {json.dumps(top['sides'])}, "
            f"got {show(top['default_side'])}",
        )
    metrics = _metrics(top["metrics"])
    if top["phase"] is None and top["hold"] is None:
        raise Invalid("", "expected a [phase] or a [hold] table (or both), got neither")
    phase = _phase(top["phase"], metrics) if top["phase"] is not None else None
    hold = _hold(top["hold"], metrics) if top["hold"] is not None else None
    checks = _checks(top["checks"], metrics)
    return Spec(
        judgeable=True,
        default_side=top["default_side"],
        metrics=tuple(metrics.values()),
        phase=phase,
        hold=hold,
        checks=checks,
        **common,
    )


def _sides_for(mode: str) -> tuple[str, ...]:
    return ("both", "auto") if mode == "both" else SIDES


def _metrics(raw: Mapping[str, object]) -> dict[str, MetricSpec]:
    kinds = metric_kinds()
    out: dict[str, MetricSpec] = {}
    for name, table in raw.items():
        key = f"metrics.{name}"
        try:
            IDENTIFIER.convert(name)
        except Invalid as exc:
            raise exc.within(key) from None
        kind = _kind_of(table, kinds, key)
        args = check_table(table, (Param("kind", TEXT, ""), *kind.params), key)
        del args["kind"]
        out[name] = MetricSpec(
            name=name,
            kind=kind.name,
            unit=kind.unit(args),
            bounds=kind.bounds(args),
            args=tuple(args.items()),
        )
    return out


def _kind_of(table: object, kinds: Mapping[str, Kind], key: str) -> Kind:
    if not isinstance(table, Mapping):
        raise Invalid(key, f"expected a table, got {show(table)}")
    if "kind" not in table:
        raise Invalid(key, 'missing required key "kind"')
    try:
        return kinds[choice(kinds).convert(table["kind"])]
    except Invalid as exc:
        raise exc.within(f"{key}.kind") from None


def _metric_ref(name: object, metrics: Mapping[str, MetricSpec], key: str) -> MetricSpec:
    if name not in metrics:
        known = ", ".join(metrics) or "(none defined)"
        raise Invalid(key, f"unknown metric {show(name)}; expected one of: {known}")
    return metrics[name]


def _phase(raw: object, metrics: Mapping[str, MetricSpec]) -> PhaseSpec:
    args = check_table(raw, phase_params(), "phase")
    metric = _metric_ref(args["metric"], metrics, "phase.metric")
    try:
        return PhaseSpec(bounds=metric.bounds, **args)
    except Invalid as exc:
        raise exc.within("phase") from None


def _hold(raw: object, metrics: Mapping[str, MetricSpec]) -> HoldSpec:
    args = check_table(raw, hold_params(), "hold")
    _metric_ref(args["metric"], metrics, "hold.metric")
    try:
        return HoldSpec(**args)
    except Invalid as exc:
        raise exc.within("hold") from None


def _checks(raw: list, metrics: Mapping[str, MetricSpec]) -> tuple[CheckSpec, ...]:
    kinds = check_kinds()
    out: list[CheckSpec] = []
    for i, table in enumerate(raw):
        key = f"checks[{i}]"
        kind = _kind_of(table, kinds, key)
        args = check_table(table, (*common_check_params(), *kind.params), key)
        common = {p.name: args.pop(p.name) for p in common_check_params()}
        if any(c.code == common["code"] for c in out):
            raise Invalid(
                f"{key}.code", f"expected a unique code, got {show(common['code'])} again"
            )
        measured = dict(args)
        metric = None
        if kind.needs_metric:
            metric = _metric_ref(args.pop("metric"), metrics, f"{key}.metric")
            _check_metric_fits(kind.name, metric, f"{key}.metric")
            measured.update(metric_unit=metric.unit, metric_bounds=metric.bounds)
        unit = kind.unit(measured)
        if common["unit"] != unit:
            raise Invalid(
                f"{key}.unit",
                f"expected {json.dumps(unit)} (what this {kind.name} check measures), "
                f"got {show(common['unit'])}",
            )
        if kind.name == "range":
            limit_range, above_low = metric.bounds, False
        else:
            limit_range, above_low = (0.0, _SANE[unit]), True
        del common["kind"]
        try:
            out.append(
                CheckSpec(
                    kind=kind.name,
                    metric=metric.name if metric else None,
                    args=tuple(args.items()),
                    limit_range=limit_range,
                    limit_above_low=above_low,
                    **common,
                )
            )
        except Invalid as exc:
            raise exc.within(key) from None
    return tuple(out)


def _check_metric_fits(kind: str, metric: MetricSpec, key: str) -> None:
    if kind == "stillness" and metric.kind != "displacement":
        raise Invalid(
            key, f"expected a displacement metric, got {metric.kind} metric {show(metric.name)}"
        )
    if kind == "symmetry":
        refs = [r for _, v in metric.args for r in (v if isinstance(v, tuple) else (v,))]
        if not any(isinstance(r, str) and is_templated(r) for r in refs):
            raise Invalid(key, f"expected a metric that uses {{side}}, got {show(metric.name)}")


# --- files ------------------------------------------------------------------------


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Load and validate one spec file.

    Example::

        spec = load_spec("exercise_specs/heel_slide.toml")
        spec.phase.metric  # 'knee'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path.name}: can't read the spec: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path.name}: not valid TOML: {exc}") from None
    return build_spec(raw, path.name)


def default_spec_dir() -> Path:
    """``$FORMCHECK_SPECS`` if set, else the repository's ``exercise_specs/``."""
    env = os.environ.get(SPECS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "exercise_specs"


def load_specs(directory: str | os.PathLike[str] | None = None) -> dict[str, Spec]:
    """Load every ``*.toml`` spec in ``directory`` (default: `default_spec_dir`), by name.

    Example::

        specs = load_specs()
        sorted(specs)[:2]  # ['adductor_squeeze', 'clamshell']
    """
    folder = Path(directory) if directory is not None else default_spec_dir()
    if not folder.is_dir():
        raise SpecError(f"{folder}: no such folder of exercise specs (set {SPECS_ENV})")
    return {p.stem: load_spec(p) for p in sorted(folder.glob("*.toml"))}


def spec_names(directory: str | os.PathLike[str] | None = None) -> list[str]:
    """The exercise names in ``directory`` (file stems), without loading them."""
    folder = Path(directory) if directory is not None else default_spec_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def find_spec(name: str, directory: str | os.PathLike[str] | None = None) -> Spec:
    """Load the spec called ``name``; an unknown name lists the known ones.

    Example::

        find_spec("heel_slid")  # SpecError: unknown exercise "heel_slid"; known: ...
    """
    folder = Path(directory) if directory is not None else default_spec_dir()
    known = spec_names(folder)
    if name not in known:
        raise SpecError(
            f"unknown exercise {json.dumps(name)}; known: {', '.join(known) or '(none)'}"
        )
    return load_spec(folder / f"{name}.toml")


def with_overrides(spec: Spec, limits: Mapping[str, float]) -> Spec:
    """A copy of ``spec`` with per-person check limits: ``{check_code: new_limit}``.

    Per-view limits scale with the base limit. Unknown codes and values out of
    the check's sane range raise `SpecError` naming ``overrides.<code>``.

    Example::

        gentler = with_overrides(spec, {"heel_off_line": 4.0})
    """
    prefix = f"{spec.source}: exercise {spec.name}: " if spec.source else f"exercise {spec.name}: "
    checks = list(spec.checks)
    for code, value in limits.items():
        key = f"overrides.{code}"
        index = next((i for i, c in enumerate(checks) if c.code == code), None)
        if index is None:
            known = ", ".join(c.code for c in checks) or "(none)"
            raise SpecError(f"{prefix}{key}: unknown check; expected one of: {known}")
        old = checks[index]
        try:
            limit = NUMBER.convert(value)
            scale = limit / old.limit if old.limit else 1.0
            views = tuple((v, x * scale) for v, x in old.view_limits)
            checks[index] = dataclasses.replace(old, limit=limit, view_limits=views)
        except Invalid as exc:
            detail = exc.detail if exc.key in ("", "limit") else f"{exc.key}: {exc.detail}"
            raise SpecError(f"{prefix}{key}: {detail}") from None
    return dataclasses.replace(spec, checks=tuple(checks))


__all__ = [
    "SPECS_ENV",
    "build_spec",
    "default_spec_dir",
    "find_spec",
    "fmt",
    "load_spec",
    "load_specs",
    "spec_names",
    "with_overrides",
]
