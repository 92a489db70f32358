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


#: The room's reverberation time is clipped here as a network input (seconds): a longer ring
#: hides no more.
MAX_RT60_INPUT_S = 4.0


def rt60_input(rt60_s: float) -> float:
    """The room's reverberation time (seconds, :func:`transcribe.dereverb.estimate_rt60_s`; 0 where
    none was read) as the re-attack, release and onset networks read it: clipped to
    ``[0, MAX_RT60_INPUT_S]``."""
    return min(max(float(rt60_s), 0.0), MAX_RT60_INPUT_S)
