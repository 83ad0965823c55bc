"""Measure landmark jitter on real tracks, to calibrate the simulator's noise.

Pure numpy: it takes landmark tracks already extracted (by the pose adapter,
see docs/simulator.md) and returns, per track, the noise of an AR(1) model
that reproduces the track's jitter.

The jitter of a track is what a Savitzky-Golay filter (a local cubic over
``window`` frames) leaves behind. MediaPipe's tracker smooths its output, so
that residual is correlated from frame to frame; we model the noise as AR(1)
with standard deviation ``sigma`` and lag-1 correlation ``rho`` and solve for
the two so that the same filter, applied to the model, leaves a residual with
the measured standard deviation and lag-1 correlation. The solve is exact
(covariances propagated through the filter), not a fit to random draws.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> e = np.zeros(3000)
>>> for k in range(1, 3000): e[k] = 0.6 * e[k - 1] + 0.8 * rng.normal()
>>> fit = fit_ar1(e)
>>> round(fit.sigma, 1), round(fit.rho, 1)
(1.0, 0.6)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def savgol_matrix(n: int, window: int = 11, order: int = 3) -> np.ndarray:
    """The ``(n, n)`` linear smoother: each sample replaced by a local polynomial fit.

    Near the ends the window is shifted inward (not shrunk), so every output
    is a fit over ``window`` samples.
    """
    if window % 2 == 0 or window <= order or n < window:
        raise ValueError(f"savgol_matrix: expected odd window > order and <= n, "
                         f"got window={window}, order={order}, n={n}")
    half = window // 2
    smoother = np.zeros((n, n))
    for k in range(n):
        lo = min(max(0, k - half), n - window)
        idx = np.arange(lo, lo + window)
        vander = np.vander(idx - k, order + 1, increasing=True)
        # Row 0 of the pseudo-inverse evaluates the fitted polynomial at k.
        smoother[k, idx] = np.linalg.pinv(vander)[0]
    return smoother


def residual(track: np.ndarray, window: int = 11, order: int = 3) -> np.ndarray:
    """``track`` minus its Savitzky-Golay smoothing (NaN-free input)."""
    track = np.asarray(track, dtype=float)
    return track - savgol_matrix(len(track), window, order) @ track


def _lag1(x: np.ndarray) -> float:
    x = x - x.mean()
    return float(np.dot(x[:-1], x[1:]) / np.dot(x, x))


@dataclass(frozen=True)
class Ar1Fit:
    """AR(1) noise that reproduces a track's jitter; ``resid_std`` is the raw measurement."""

    sigma: float
    rho: float
    resid_std: float
    resid_lag1: float


def _model_residual(n: int, rho: float, smoother: np.ndarray) -> tuple[float, float]:
    """(variance, lag-1 correlation) of the filter residual of unit AR(1) noise."""
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    cov = rho**lags
    leave = np.eye(n) - smoother
    out = leave @ cov @ leave.T
    var = float(np.mean(np.diag(out)))
    return var, float(np.mean(np.diag(out, 1))) / var


def fit_ar1(track: np.ndarray, window: int = 11, order: int = 3) -> Ar1Fit:
    """The AR(1) noise (sigma, rho) whose filter residual matches ``track``'s."""
    track = np.asarray(track, dtype=float)
    n = len(track)
    smoother = savgol_matrix(n, window, order)
    res = track - smoother @ track
    std, lag1 = float(res.std()), _lag1(res)
    m = min(n, 200)  # the statistics settle well before 200 samples
    model_smoother = savgol_matrix(m, window, order)
    rhos = np.linspace(0.0, 0.95, 96)
    stats = [_model_residual(m, r, model_smoother) for r in rhos]
    best = int(np.argmin([abs(s[1] - lag1) for s in stats]))
    sigma = std / np.sqrt(stats[best][0])
    return Ar1Fit(sigma=float(sigma), rho=float(rhos[best]), resid_std=std, resid_lag1=lag1)
