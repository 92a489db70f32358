"""Where a melody's opening comes back (transcribe.form)."""

from __future__ import annotations

import numpy as np

from tests.synth import RETURNING_TUNE
from transcribe import form


def test_opening_returns_find_where_the_opening_comes_back() -> None:
    played_twice = np.array(RETURNING_TUNE * 2 + RETURNING_TUNE[:4])
    found = form.opening_returns(played_twice)
    assert (found.start, found.hits.tolist()) == (0, [20, 40])
    # A stray first note: the opening is taken from the second note on.
    stray = np.array([55, *RETURNING_TUNE, *RETURNING_TUNE])
    found = form.opening_returns(stray)
    assert (found.start, found.hits.tolist()) == (1, [21])
    assert form.opening_returns(np.array(RETURNING_TUNE)).hits.size == 0
