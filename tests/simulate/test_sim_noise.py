"""The noise model reproduces what was measured on MediaPipe (docs/simulator.md)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.landmarks import index
from formcheck.simulate.calibrate import _model_residual, residual, savgol_matrix
from formcheck.simulate.noise import (
    CLIP_PX_PER_M,
    RESIDUAL_RATIO,
    WANDER_RESIDUAL_RATIO,
    NoiseModel,
)
from tests.simulate.simkit import quick

# Measured residual std (px at 339 px/m) after SG(11, 3), from the doc's table.
MEASURED = {"left_heel": 0.39, "left_knee": 1.00, "left_shoulder": 0.37, "left_hip": 0.71}


def test_residual_ratios_match_the_filter():
    var, _ = _model_residual(200, 0.65, savgol_matrix(200, 11, 3))
    assert np.sqrt(var) == pytest.approx(RESIDUAL_RATIO, abs=0.002)
    var, _ = _model_residual(91, np.exp(-1 / 45), savgol_matrix(91, 11, 3))
    assert np.sqrt(var) == pytest.approx(WANDER_RESIDUAL_RATIO, abs=0.002)


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_simulated_jitter_leaves_the_measured_residual(name):
    noise = NoiseModel().image_noise(np.random.default_rng(0), frames=3000, fps=30.0, scale=1.0)
    px = noise[:, index(name), 0] * CLIP_PX_PER_M
    # Residuals over clip-length windows, as measured (91 frames each).
    stds = [residual(px[i:i + 91]).std() for i in range(0, 2900, 91)]
    assert np.mean(stds) == pytest.approx(MEASURED[name], rel=0.2)


def test_jitter_is_correlated_and_keeps_its_decay_per_second():
    model = NoiseModel(wander_m=0.0)
    for fps in (30.0, 60.0):
        e = model.image_noise(np.random.default_rng(1), frames=20000, fps=fps, scale=1.0)[:, 0, 0]
        lag1 = np.corrcoef(e[:-1], e[1:])[0, 1]
        assert lag1 == pytest.approx(0.65 ** (30.0 / fps), abs=0.02)


def test_pixel_noise_shrinks_with_distance():
    from formcheck.simulate import Camera
    near = Camera(position=(0.1, 2.0, 0.55), look_at=(0.1, 0.0, 0.2))
    far = Camera(position=(0.1, 4.0, 0.55), look_at=(0.1, 0.0, 0.2))
    spread = []
    for cam in (near, far):
        clean = quick("heel_slide", camera=cam, jitter=0.0, reps=3)
        noisy = quick("heel_slide", camera=cam, jitter=1.0, reps=3)
        d = np.array([a.image - b.image for a, b in zip(noisy.frames, clean.frames, strict=True)])
        spread.append(np.std(d[:, :, 0]))
    assert spread[1] < 0.7 * spread[0]


def test_jitter_multiplies_the_noise():
    clean = quick("glute_bridge", jitter=0.0)
    d = [np.std(np.array([a.image[:, 0] - b.image[:, 0]
                          for a, b in zip(quick("glute_bridge", jitter=j, seed=4).frames,
                                          clean.frames, strict=True)])) for j in (1.0, 3.0)]
    assert d[1] / d[0] == pytest.approx(3.0, rel=0.01)
