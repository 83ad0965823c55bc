"""The spec language: exercise specs as validated, frozen data.

>>> from formcheck.specs import build_spec
>>> build_spec({"name": "demo"}, "demo.toml")
Traceback (most recent call last):
...
formcheck.errors.SpecError: demo.toml: exercise demo: missing required key "display_name"

Example::

    from formcheck.specs import load_spec, load_specs, with_overrides
    spec = load_spec("exercise_specs/heel_slide.toml")
    specs = load_specs()                       # every bundled exercise, by name
    mine = with_overrides(spec, {"heel_off_line": 4.0})
"""

from formcheck.specs.loader import (
    SPECS_ENV,
    build_spec,
    default_spec_dir,
    find_spec,
    load_spec,
    load_specs,
    spec_names,
    with_overrides,
)
from formcheck.specs.model import CheckSpec, Guidance, HoldSpec, MetricSpec, PhaseSpec, Spec, Target

__all__ = [
    "SPECS_ENV",
    "CheckSpec",
    "Guidance",
    "HoldSpec",
    "MetricSpec",
    "PhaseSpec",
    "Spec",
    "Target",
    "build_spec",
    "default_spec_dir",
    "find_spec",
    "load_spec",
    "load_specs",
    "spec_names",
    "with_overrides",
]
