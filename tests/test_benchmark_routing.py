"""The margin report of ``python -m benchmarks.routing`` (the line between voices and instruments)."""

from __future__ import annotations

import pytest

from benchmarks.routing import margins
from transcribe.profiles import Performer
from transcribe.tuning import Tuning


def _who(steadiness: float, jumps: float) -> Performer:
    return Performer(Tuning(0.0, steadiness), jumps)


def test_margins_are_the_extreme_scores_per_weight() -> None:
    sung = [_who(0.4, 0.2), _who(0.1, 0.6)]
    varied = [_who(0.5, 0.8), _who(0.9, 0.1)]
    got = {w: (top, low) for w, top, low in margins(sung, varied)}
    assert set(got) == {0.25, 0.5, 0.75, 1.0}
    # weight 0.5: sung 0.5 and 0.4, varied 0.9 and 0.95
    assert got[0.5] == pytest.approx((0.5, 0.9))
    # weight 1.0: sung 0.6 and 0.7, varied 1.3 and 1.0
    assert got[1.0] == pytest.approx((0.7, 1.0))
