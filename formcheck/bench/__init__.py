"""``formcheck bench``: speed, memory and accuracy, measured against the model's own limit.

The app's speed is bounded by MediaPipe's inference, so each speed figure is
reported beside that bound, measured side by side in the same run. Figures
live here and in BENCHMARKS.md, never in timed tests.
"""
