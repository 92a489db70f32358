"""Quantization: onsets on the grid, each beat written in halves, quarters or triplets (thirds
and sixths in compound meters), whichever fits with less error plus a penalty for complexity.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

#: Quantization penalties (beats per onset) for the finer and the other grid.
FINE_PENALTY = 0.06


OTHER_PENALTY = 0.12


def quantize_positions(r: np.ndarray, *, compound: bool, penalties: tuple[float, float] = (FINE_PENALTY, OTHER_PENALTY)) -> np.ndarray:
    """Snap positions in beats to a grid chosen per beat.

    A simple-meter beat is written in halves, or quarters where the onsets need
    them, or triplets where they fit better; a compound beat in thirds, or
    sixths, or a duplet. Each choice costs its absolute error in beats plus a
    penalty for every onset that needs the finer or rarer grid. The other division
    (triplets, duplets) is only offered to a beat that holds two onsets or more: a lone
    onset off the beat is no triplet figure, and written as one it ties the note before
    it to a triplet and fills the rest of the beat with triplet rests.

    Args:
        r: Positions in beats, shape (n,), increasing.
        compound: Whether beats divide in three.
        penalties: The price per onset of the finer grid and of the other division
            (:data:`FINE_PENALTY`, :data:`OTHER_PENALTY`; a voice is written with higher ones).

    Returns:
        Snapped positions in beats, shape (n,).
    """
    beat = np.floor(r + 1.0 / 8.0)  # an onset just before a beat belongs to it
    out = np.empty_like(r)
    base, fine, other = (3.0, 6.0, 2.0) if compound else (2.0, 4.0, 3.0)
    for b in np.unique(beat):
        idx = np.flatnonzero(beat == b)
        x = r[idx]
        options = []
        divisions = [(base, 0.0), (fine, penalties[0])]
        if len(idx) > 1:  # a lone onset is no triplet (or duplet) figure
            divisions.append((other, penalties[1]))
        for div, penalty in divisions:
            q = np.round(x * div) / div
            coarse = np.abs(q * base - np.round(q * base)) < 1e-9
            cost = np.abs(x - q).sum() + penalty * np.count_nonzero(~coarse)
            options.append((cost, div, q))
        out[idx] = min(options, key=lambda c: (c[0], c[1]))[2]
    return out


def make_increasing(pos: np.ndarray, *, step: float) -> np.ndarray:
    """Push apart onsets that snapped to one grid point, by ``step`` beats."""
    out = pos.copy()
    for i in range(1, len(out)):
        if out[i] <= out[i - 1] + 1e-9:
            out[i] = out[i - 1] + step
    return out


def frac(x: float) -> Fraction:
    """A float number of quarters as a Fraction on a 1/12-quarter grid (16ths and triplets)."""
    return Fraction(round(x * 12), 12)
