"""The range-ends benchmark's melodies (benchmarks/range_ends.py): seeded, in the part's register."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.range_ends import MAJOR, NOTES, PARTS, melody


@pytest.mark.parametrize("part", list(PARTS))
def test_melody_walks_the_scale_inside_the_parts_register(part: str) -> None:
    _, low, high = PARTS[part]
    tune = melody(low, high, np.random.default_rng(0))
    assert len(tune) == NOTES
    assert all(low <= m <= high and m % 12 in MAJOR for m, _ in tune)
    assert all(q in (0.5, 1.0) for _, q in tune[:-1]) and tune[-1][1] == 2.0
    assert tune == melody(low, high, np.random.default_rng(0))  # seeded
    assert max(m for m, _ in tune) - min(m for m, _ in tune) >= 5  # it walks
