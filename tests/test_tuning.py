"""The tuning measurement (transcribe.tuning): circular, and how steady."""

from __future__ import annotations

import numpy as np
import pytest

from transcribe.config import TUNING_MIN_STEADINESS
from transcribe.tuning import Tuning, measure_tuning


@pytest.mark.parametrize("offset", [45.0, -45.0, 49.0, 0.0, 20.0])
def test_tuning_is_circular(offset: float) -> None:
    rng = np.random.default_rng(1)
    midi = rng.integers(55, 80, 500) + offset / 100.0 + rng.normal(0, 0.1, 500)
    got = measure_tuning(midi).cents
    error = abs((got - offset + 50) % 100 - 50)
    assert error < 5.0
    # The tutorial's plain mean of wrapped offsets is wrong near the wrap.
    if abs(offset) >= 45:
        plain = float(np.mean(midi - np.round(midi))) * 100.0
        assert abs(plain - offset) > max(10.0, 3 * error)


def test_tuning_steadiness_tells_a_steady_tuning_from_a_wandering_one() -> None:
    # 40 held notes of 10 frames each: all 30 cents sharp, or each its own distance from A440.
    rng = np.random.default_rng(2)
    base = np.repeat(rng.integers(55, 80, 40), 10).astype(np.float64)
    steady = measure_tuning(base + 0.3 + rng.normal(0, 0.05, base.size))
    wandering = measure_tuning(base + np.repeat(rng.uniform(-0.5, 0.5, 40), 10))
    assert abs(steady.cents - 30.0) < 3.0 and steady.steadiness > 0.85 > TUNING_MIN_STEADINESS
    assert wandering.steadiness < 0.3 < TUNING_MIN_STEADINESS
    assert measure_tuning(np.array([np.nan, 60.0])) == Tuning(0.0, 0.0)
