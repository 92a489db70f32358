"""The small network the note stage's learned decisions share (re-attacks, releases, onsets).

Standardised features, one hidden layer of ReLU units, a logistic output. Each
stage keeps its own weights (fitted by ``benchmarks/fit_*.py``) in this layout.
"""

from __future__ import annotations

import numpy as np


def probability(features: np.ndarray, weights: dict[str, np.ndarray]) -> np.ndarray:
    """The network's output for each row of ``features``, shape (k,).

    Args:
        features: Shape (k, f).
        weights: ``mean`` (f,), ``scale`` (f,), ``hidden`` (h, f), ``hidden_bias`` (h,),
            ``out`` (h,) and ``out_bias`` (scalar).
    """
    x = (np.asarray(features, dtype=np.float64) - weights["mean"]) / weights["scale"]
    h = np.maximum(x @ np.asarray(weights["hidden"]).T + weights["hidden_bias"], 0.0)
    z = h @ np.asarray(weights["out"]) + float(weights["out_bias"])
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))
