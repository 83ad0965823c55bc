"""The building blocks of the spec schema: typed parameters and the error trail.

A spec file is checked against tables of `Param`s. Each `ParamType` converts a
raw TOML value into the value the engine uses, or raises `Invalid` with a
message that gives expected against actual. `Invalid` carries the key path
inside the file; the loader prefixes the file and exercise names.

>>> NUMBER.convert(2)
2.0
>>> try:
...     NUMBER.convert("five")
... except Invalid as exc:
...     print(exc.detail)
expected a number, got "five"
>>> check_table({"a": 1}, (Param("a", NUMBER, "a number"),))
{'a': 1.0}
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from formcheck.errors import SpecError
from formcheck.landmarks import NAMES

SIDES_IN_TEMPLATES = ("left", "right")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class Invalid(SpecError):
    """A value in a spec is wrong; ``key`` is its path inside the file (may be empty)."""

    def __init__(self, key: str, detail: str) -> None:
        self.key = key
        self.detail = detail
        super().__init__(f"{key}: {detail}" if key else detail)

    def within(self, prefix: str) -> Invalid:
        """The same error, one level deeper: ``within("checks[1]")`` on ``limit``."""
        return Invalid(join_key(prefix, self.key), self.detail)


def join_key(prefix: str, key: str) -> str:
    """``join_key("checks[1]", "limit") == "checks[1].limit"``; indexes join without a dot."""
    if not prefix:
        return key
    if not key:
        return prefix
    return f"{prefix}{key}" if key.startswith("[") else f"{prefix}.{key}"


def show(value: object) -> str:
    """A raw TOML value as it appears in messages: ``"five"``, ``3``, ``true``, ``a list``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__


def fmt(number: float) -> str:
    """A number for messages and docs: ``120`` rather than ``120.0``."""
    return f"{number:g}"


@dataclass(frozen=True)
class ParamType:
    """A kind of value: ``name`` is how the docs call it; ``convert`` checks and converts."""

    name: str
    convert: Callable[[object], object]


@dataclass(frozen=True)
class Param:
    """One key of a table: its type, what it means, and whether it may be left out."""

    name: str
    type: ParamType
    doc: str
    required: bool = True
    default: object = None


def check_table(raw: object, params: Sequence[Param], key: str = "") -> dict[str, object]:
    """Check a raw table against ``params``; return converted values (defaults filled in).

    Unknown keys, missing required keys and bad values raise `Invalid`.
    """
    if not isinstance(raw, Mapping):
        raise Invalid(key, f"expected a table, got {show(raw)}")
    known = {p.name: p for p in params}
    for name in raw:
        if name not in known:
            raise Invalid(join_key(key, name), f"unknown key; expected one of: {', '.join(known)}")
    out: dict[str, object] = {}
    for param in params:
        if param.name not in raw:
            if param.required:
                raise Invalid(key, f"missing required key {json.dumps(param.name)}")
            out[param.name] = param.default
            continue
        try:
            out[param.name] = param.type.convert(raw[param.name])
        except Invalid as exc:
            raise exc.within(join_key(key, param.name)) from None
    return out


# --- scalar types -----------------------------------------------------------------


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid("", f"expected a number, got {show(value)}")
    if not math.isfinite(value):
        raise Invalid("", f"expected a finite number, got {value!r}")
    return float(value)


def _at_least(low: float, strict: bool, what: str) -> Callable[[object], float]:
    def convert(value: object) -> float:
        number = _number(value)
        if number < low or (strict and number == low):
            raise Invalid("", f"expected {what}, got {show(value)}")
        return number

    return convert


def _fraction(value: object) -> float:
    number = _number(value)
    if not 0.0 <= number <= 1.0:
        raise Invalid("", f"expected a number from 0 to 1, got {show(value)}")
    return number


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("", f"expected a non-empty string, got {show(value)}")
    return value.strip()


def _identifier(value: object) -> str:
    text = _text(value)
    if not _IDENTIFIER.match(text):
        raise Invalid("", f"expected a lower_snake_case identifier, got {show(value)}")
    return text


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("", f"expected true or false, got {show(value)}")
    return value


def choice(options: Iterable[str]) -> ParamType:
    """One of a fixed set of strings."""
    options = tuple(options)
    listed = ", ".join(json.dumps(o) for o in options)

    def convert(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            raise Invalid("", f"expected one of {listed}, got {show(value)}")
        return value

    return ParamType(f"one of {listed}", convert)


def list_of(item: ParamType, *, min_len: int = 1, max_len: int | None = None) -> ParamType:
    """A list of ``item`` values (converted to a tuple), with a length range."""
    if max_len == min_len:
        length = f"{min_len}"
    elif max_len is None:
        length = f"{min_len} or more"
    else:
        length = f"{min_len} to {max_len}"

    def convert(value: object) -> tuple[object, ...]:
        if not isinstance(value, list):
            raise Invalid("", f"expected a list of {length} ({item.name}), got {show(value)}")
        if len(value) < min_len or (max_len is not None and len(value) > max_len):
            raise Invalid("", f"expected a list of {length} items, got {len(value)}")
        out = []
        for i, element in enumerate(value):
            try:
                out.append(item.convert(element))
            except Invalid as exc:
                raise exc.within(f"[{i}]") from None
        if len(set(out)) != len(out):
            raise Invalid("", f"expected distinct items, got {show(value)} with a repeat")
        return tuple(out)

    return ParamType(f"list of {length} ({item.name})", convert)


def _number_pair(value: object) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise Invalid("", f"expected a list [low, high] of two numbers, got {show(value)}")
    low, high = (_at_least(0.0, False, "a number >= 0")(v) for v in value)
    if low > high:
        raise Invalid("", f"expected low <= high, got [{fmt(low)}, {fmt(high)}]")
    return low, high


# --- landmark references --------------------------------------------------------


def landmark_names(ref: str) -> tuple[str, ...]:
    """The landmark names a point reference stands for once its side is filled in.

    ``{side}`` and ``{other}`` stand for the working side and the other one;
    ``mid_X`` is the midpoint of ``left_X`` and ``right_X``.

    >>> landmark_names("{side}_knee")
    ('left_knee', 'right_knee')
    >>> landmark_names("mid_hip")
    ('left_hip', 'right_hip')
    """
    names: list[str] = []
    for side, other in (("left", "right"), ("right", "left")):
        filled = ref.replace("{side}", side).replace("{other}", other)
        if filled.startswith("mid_"):
            names += [f"left_{filled[4:]}", f"right_{filled[4:]}"]
        else:
            names.append(filled)
    return tuple(dict.fromkeys(names))


def _point(value: object) -> str:
    ref = _text(value)
    unknown = [n for n in landmark_names(ref) if n not in NAMES]
    if unknown or "{" in ref.replace("{side}", "").replace("{other}", ""):
        hint = difflib.get_close_matches(ref, _candidates(), n=1)
        suggestion = f" (did you mean {json.dumps(hint[0])}?)" if hint else ""
        raise Invalid("", f"unknown landmark {json.dumps(ref)}{suggestion}")
    return ref


def is_templated(ref: str) -> bool:
    """True when a point reference depends on the working side."""
    return "{side}" in ref or "{other}" in ref


def _candidates() -> list[str]:
    """Every valid reference, for "did you mean" hints."""
    parts = [n[5:] for n in NAMES if n.startswith("left_")]
    return [*NAMES, *(f"{p}_{part}" for p in ("mid", "{side}", "{other}") for part in parts)]


NUMBER = ParamType("number", _number)
POSITIVE = ParamType("number > 0", _at_least(0.0, True, "a number greater than 0"))
NONNEGATIVE = ParamType("number >= 0", _at_least(0.0, False, "a number >= 0"))
FRACTION = ParamType("number from 0 to 1", _fraction)
TEXT = ParamType("string", _text)
TEXTS = list_of(TEXT)
IDENTIFIER = ParamType("lower_snake_case identifier", _identifier)
BOOL = ParamType("true or false", _bool)
POINT = ParamType("landmark", _point)
NUMBER_PAIR = ParamType("[low, high] (numbers >= 0)", _number_pair)


def points(count: int | tuple[int, int]) -> ParamType:
    """A list of ``count`` landmark references (or a ``(min, max)`` count range)."""
    low, high = (count, count) if isinstance(count, int) else count
    return list_of(POINT, min_len=low, max_len=high)
