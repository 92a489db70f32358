"""Global tuning offset: how far the performance sits from A440, in cents."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tuning:
    """A performance's measured tuning.

    Attributes:
        cents: Offset from A440 in cents, in [-50, 50).
        steadiness: Mean resultant length of the frames' deviations on the
            100-cent circle, from 0 (deviations spread evenly: no tuning to
            speak of) to 1 (every frame the same distance from A440). 0.55
            is a spread of about 17 cents (circular standard deviation).
    """

    cents: float
    steadiness: float


def measure_tuning(midi: np.ndarray, weights: np.ndarray | None = None) -> Tuning:
    """Circular mean of the frames' deviations from the equal-tempered grid, and how steady they are.

    Deviations wrap at +-50 cents (a performance 45 cents sharp is equally
    "55 cents flat"), so a plain mean is wrong near the wrap; the circular mean
    of the angles ``2 pi midi`` is not. Frames where the pitch moves fast
    (glides, vibrato swings) get less weight than steady ones.

    Args:
        midi: Fractional MIDI numbers of voiced frames, shape (n,); NaN ignored.
        weights: Optional non-negative weights (e.g. confidence), shape (n,).

    Returns:
        The offset and its steadiness; ``Tuning(0.0, 0.0)`` if there is nothing to measure.
    """
    midi = np.asarray(midi, dtype=np.float64)
    w = np.ones_like(midi) if weights is None else np.asarray(weights, dtype=np.float64).copy()
    ok = np.isfinite(midi) & np.isfinite(w) & (w > 0)
    if ok.sum() < 2:
        return Tuning(0.0, 0.0)
    slope = np.abs(np.gradient(np.where(ok, midi, np.nanmedian(midi[ok]))))
    w = np.where(ok, w / (1.0 + (slope / 0.1) ** 2), 0.0)
    angle = 2.0 * np.pi * np.where(ok, midi, 0.0)
    c, s = float(np.sum(w * np.cos(angle))), float(np.sum(w * np.sin(angle)))
    total = float(w.sum())
    if np.hypot(c, s) < 1e-9 * max(total, 1e-12):
        return Tuning(0.0, 0.0)
    cents = 100.0 * np.arctan2(s, c) / (2.0 * np.pi)
    return Tuning(float(cents - 100.0 if cents >= 50.0 else cents), float(np.hypot(c, s) / total))
