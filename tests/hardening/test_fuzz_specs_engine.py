"""Fuzz the spec loader and the engine with Hypothesis.

The loader may only raise SpecError (with the file named first); the engine may
raise nothing on any frame, and its invariants hold: counts never decrease, and
every rep ends after it starts.
"""

from __future__ import annotations

import copy
import math
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.engine import Engine
from formcheck.errors import SpecError
from formcheck.frame import PoseFrame
from formcheck.simulate import simulate
from formcheck.specs import build_spec, load_specs

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILE = ROOT / "exercise_specs" / "heel_slide.toml"

values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(10**9), 10**9), st.floats(), st.text(max_size=12)
    ),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node, prefix=()):
    """Every (path, value) in a parsed TOML tree."""
    yield prefix, node
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _paths(child, (*prefix, i))


@cache
def _raw() -> dict:
    return tomllib.loads(SPEC_FILE.read_text())


def mutated_specs_load_or_fail_with_a_trail(data):
    """Up to three random edits to the heel-slide spec: it loads, or fails naming the file."""
    raw = copy.deepcopy(_raw())
    paths = [p for p, _ in _paths(raw) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        try:
            parent = raw
            for key in path[:-1]:
                parent = parent[key]
            if action == "replace":
                parent[path[-1]] = data.draw(values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[data.draw(st.text(min_size=1, max_size=8))] = data.draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation already removed or retyped this place
    try:
        build_spec(raw, "heel_slide.toml")
    except SpecError as exc:
        assert str(exc).startswith("heel_slide.toml: ")


#: 100 mutated specs in the fast tier; the full run tries 200 more.
test_a_mutated_spec_loads_or_fails_with_a_trail = settings(max_examples=100, deadline=None)(
    given(data=st.data())(mutated_specs_load_or_fail_with_a_trail)
)
test_200_more_mutated_specs_load_or_fail_with_a_trail = pytest.mark.slow(
    settings(max_examples=200, deadline=None)(
        given(data=st.data())(mutated_specs_load_or_fail_with_a_trail)
    )
)


@cache
def _base_frames() -> tuple[PoseFrame, ...]:
    return simulate("heel_slide", reps=3, side="left", view="end_on", seed=5).frames


corruption = st.sampled_from(["keep", "drop", "nan", "invisible", "huge", "jump"])


@cache
def _spec():
    return load_specs()["heel_slide"]


def corrupted_frames_keep_the_invariants(plan, stride, seed):
    """The engine never crashes on corrupt frames, its counts never go down, and each
    rep starts before it ends."""
    rng = np.random.default_rng(seed)
    frames = _base_frames()[::stride]
    spec = _spec()
    engine = Engine(spec, "auto")
    last_counts = (0, 0, 0)
    for i, frame in enumerate(frames):
        kind = plan[i % len(plan)]
        image = None if frame.image is None else frame.image.copy()
        world = None if frame.world is None else frame.world.copy()
        if image is not None and kind != "keep":
            picks = rng.random(33) < 0.3
            if kind == "drop":
                image = world = None
            elif kind == "nan":
                image[picks, :2] = np.nan
            elif kind == "invisible":
                image[picks, 3] = 0.0
            elif kind == "huge":
                image[picks, :2] = rng.choice([1e9, -1e9, np.inf, -np.inf])
            elif kind == "jump":
                image[:, :2] += rng.normal(0, 0.3, (33, 2))
        engine.update(
            PoseFrame(t=frame.t, width=frame.width, height=frame.height, image=image, world=world)
        )
        snap = engine.snapshot()
        counts = (snap.reps, snap.partial_reps, snap.uncertain_reps)
        assert sum(counts) >= sum(last_counts) and counts[0] >= last_counts[0]
        last_counts = counts
    for rep in engine.result().rep_table:
        assert math.isfinite(rep.start) and math.isfinite(rep.end)
        assert rep.end > rep.start


corrupt_plans = given(
    plan=st.lists(corruption, min_size=10, max_size=60),
    stride=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
#: 15 plans in the fast tier; the full run tries 60 more.
test_the_engine_survives_corrupt_frames_and_keeps_its_invariants = settings(
    max_examples=15, deadline=None
)(corrupt_plans(corrupted_frames_keep_the_invariants))
test_the_engine_survives_60_more_corrupt_frame_plans = pytest.mark.slow(
    settings(max_examples=60, deadline=None)(corrupt_plans(corrupted_frames_keep_the_invariants))
)
