"""The tempo level a rhythm is written at: the same notes at twice the tempo.

A slow singer's beat is often read as the printed half note: the page then says ``♩ = 38``
and writes every printed quarter as an eighth and every eighth as a sixteenth. The
durations are right up to a factor of two, but nobody prints a tune that way.
:func:`at_double_tempo` writes the same rhythm at twice the tempo: every position, value and
pickup doubled, the beat grid in performance time split at its half beats. The bar lines the
meter found stay; a bar that would hold more than four beats (3/4 or 4/4 read at half tempo)
becomes two bars of the same signature, a 2/4 bar (four beats at the new level) a 4/4 bar.
"""

from __future__ import annotations

import numpy as np

from ..types import Rhythm
from ..values import TimeSignature

#: The simple meters a slow reading is written again from (a compound or cut-time reading is left as it is).
DOUBLED_METERS: tuple[str, ...] = ("2/4", "3/4", "4/4")


def at_double_tempo(rh: Rhythm, *, keep_meter: bool = False) -> Rhythm:
    """``rh`` written at twice its tempo (see the module docstring).

    Args:
        rh: A rhythm in one of :data:`DOUBLED_METERS`.
        keep_meter: Keep the time signature (a 2/4 bar becomes two 2/4 bars): for a meter the
            user gave.

    Returns:
        The same notes: ``bpm`` doubled, every onset, duration and the pickup in quarters doubled
        (a pickup that reaches a whole bar of the new signature loses that bar to the first full
        bar), and ``quarter_times_s`` at every quarter of the new positions (the old grid's times
        at its half quarters).
    """
    ts = rh.time_signature
    if ts not in DOUBLED_METERS:
        raise ValueError(f"no double-tempo reading of {ts}: only {', '.join(DOUBLED_METERS)}")
    new_ts = TimeSignature(f"{2 * ts.numerator}/{ts.denominator}") if 2 * ts.numerator <= 4 and not keep_meter else ts
    pickup_q = (2 * rh.pickup_q) % new_ts.measure_q
    quarters = np.asarray(rh.quarter_times_s, dtype=np.float64)
    times: tuple[float, ...] = ()
    origin_s = rh.origin_s
    if len(quarters) >= 2:
        # Positions count from the start of the score (its pickup bar) at either level: the new
        # position q is the old q / 2, and so is its time.
        old_q = np.arange(len(quarters), dtype=np.float64)
        times = tuple(float(t) for t in np.interp(np.arange(2 * len(quarters) - 1) / 2.0, old_q, quarters))
        origin_s = float(np.interp(float(pickup_q) / 2.0, old_q, quarters))
    return Rhythm(
        2.0 * rh.bpm,
        new_ts,
        origin_s,
        pickup_q,
        tuple(2 * q for q in rh.onsets_q),
        tuple(2 * d for d in rh.durations_q),
        quarter_times_s=times,
    )
