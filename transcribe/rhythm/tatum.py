"""The tatum: the slowest regular pulse on which (nearly) every onset falls, and the grid that follows it.

Each period from 90 ms to 1.2 s and its best phase are scored by a Gaussian fit of the
onsets; among those within 85 % of the best fit the slowest wins (an eighth-note melody also
fits sixteenths), refined by least squares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..types import Note

#: Longest stretch of onsets used to find the tatum (the fastest regular pulse);
#: the grid is then refined on all notes by least squares.
TATUM_NOTES = 300


#: Notes in the window the local grid is refitted to, and how often (notes).
FOLLOW_WINDOW = 32


FOLLOW_EVERY = 4


#: Candidate tatum periods in seconds (a 0.13 % step keeps a 30 s excerpt in phase).
TATUM_PERIODS_S = np.geomspace(0.09, 1.2, 2000)


@dataclass(frozen=True)
class BeatGrid:
    """A constant-tempo grid: tatum k sits at ``phase_s + k * period_s``."""

    period_s: float
    phase_s: float


@dataclass(frozen=True)
class TatumPlacement:
    """Notes placed on the tatum grid (see :func:`place_on_tatums`).

    Attributes:
        grid: The global tatum grid.
        onsets: Onset positions in tatums on the tempo-following grid, shape (n,).
        offsets: Offset positions in tatums, shape (n,).
        k: Onsets rounded to half tatums, shape (n,).
        ioi: Inter-onset intervals in tatums (the last note: to its offset), shape (n,).
        weights: Onset weights (:func:`_onset_weights`), shape (n,).
        local: The tempo-following grid each note was placed on, as rows of
            (phase_s, period_s), shape (n, 2).
    """

    grid: BeatGrid
    onsets: np.ndarray
    offsets: np.ndarray
    k: np.ndarray
    ioi: np.ndarray
    weights: np.ndarray
    local: np.ndarray


def _onset_weights(notes: tuple[Note, ...]) -> np.ndarray:
    """Salience of each onset: longer notes (up to the next onset) weigh more."""
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    nxt = np.append(on[1:], off[-1] + 1.0)
    span = np.maximum(np.minimum(nxt, off + 0.25) - on, 0.05)
    return 1.0 + np.log2(1.0 + span / 0.25)


def tatum_fit(onsets_s: np.ndarray, weights: np.ndarray, period_s: float, phases_s: np.ndarray) -> np.ndarray:
    """Weighted share of onsets on a grid of ``period_s`` at each phase.

    Each onset counts by a Gaussian of its distance to the nearest grid point,
    with a tolerance of 10 % of the period (at most 30 ms), so a finer grid
    does not fit better merely by being fine.

    Returns:
        Fit in [0, 1] per phase, shape (len(phases_s),).
    """
    sigma = min(0.03, 0.1 * period_s)
    r = (onsets_s[None, :] - phases_s[:, None]) / period_s
    d = np.abs(r - np.round(r)) * period_s
    return (np.exp(-0.5 * (d / sigma) ** 2) @ weights) / weights.sum()


def estimate_tatum(notes: tuple[Note, ...]) -> BeatGrid:
    """The tatum: the slowest pulse on which (nearly) every onset falls.

    Finer pulses fit as well (every onset on an eighth is also on a sixteenth),
    so among the pulses that fit within 85 % of the best fit, the slowest wins;
    its phase and period are then refined by least squares on all onsets.
    """
    on = np.array([n.onset_s for n in notes])
    w = _onset_weights(notes)
    if len(on) < 3:
        iois = np.diff(on)
        period = float(iois[0]) if len(iois) and iois[0] > 0.09 else 0.5
        return BeatGrid(period, float(on[0]))
    head, wh = on[:TATUM_NOTES], w[:TATUM_NOTES]
    fits = np.empty(len(TATUM_PERIODS_S))
    phases = np.empty(len(TATUM_PERIODS_S))
    steps = np.linspace(0.0, 1.0, 16, endpoint=False)
    for i, period in enumerate(TATUM_PERIODS_S):
        ph = head[0] + steps * period
        f = tatum_fit(head, wh, period, ph)
        j = int(np.argmax(f))
        fits[i], phases[i] = f[j], ph[j]
    good = np.flatnonzero(fits >= 0.85 * fits.max())
    i = int(good[-1])
    # The best fit near the chosen period (a local maximum, not the edge of the band).
    near = np.flatnonzero(np.abs(np.log(TATUM_PERIODS_S / TATUM_PERIODS_S[i])) < 0.03)
    i = int(near[np.argmax(fits[near])])
    period, phase = _refine(on, w, float(TATUM_PERIODS_S[i]), float(phases[i]))
    return BeatGrid(period, phase)


def _refine(on: np.ndarray, w: np.ndarray, period: float, phase: float, rounds: int = 3) -> tuple[float, float]:
    """Least-squares fit of onset times to their nearest grid positions."""
    for _ in range(rounds):
        r = (on - phase) / period
        q = np.round(r)
        ok = np.abs(r - q) < 0.2
        if ok.sum() < 3 or np.ptp(q[ok]) <= 0:
            break
        a = np.vstack([np.ones(ok.sum()), q[ok]]).T
        sw = np.sqrt(w[ok])
        sol, *_ = np.linalg.lstsq(a * sw[:, None], on[ok] * sw, rcond=None)
        new_phase, new_period = float(sol[0]), float(sol[1])
        if not (0.9 * period < new_period < 1.1 * period):
            break
        period, phase = new_period, new_phase
    return period, phase


def place_on_tatums(notes: tuple[Note, ...], *, tempo_bpm: float | None = None) -> TatumPlacement:
    """Find the tatum (or take it from a known quarter-note tempo) and place every note on it.

    Args:
        notes: Notes in time order, not overlapping; at least one.
        tempo_bpm: Quarter-note tempo override.
    """
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    w = _onset_weights(notes)
    if tempo_bpm is not None:
        # The tatum under a known tempo: the eighth (or the sixteenth if the notes need it).
        grid = _fixed_tatum(on, w, 60.0 / tempo_bpm)
    else:
        grid = estimate_tatum(notes)
    kc, kc_off, local = _follow_tempo(on, off, w, grid, fixed=tempo_bpm is not None)
    k = np.round(2.0 * kc) / 2.0
    k_end = np.maximum(np.round(kc_off), k + 0.5)
    d = np.append(np.diff(k), k_end[-1] - k[-1])
    return TatumPlacement(grid, kc, kc_off, k, d, w, local)


def _follow_tempo(
    on: np.ndarray, off: np.ndarray, w: np.ndarray, grid: BeatGrid, *, fixed: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Onset and offset positions in tatums on a grid that follows slow tempo changes.

    Walking through the notes, each onset is placed on the current local grid;
    every few notes the grid is refitted (weighted least squares) to the last
    :data:`FOLLOW_WINDOW` placed onsets, its period kept within 8 % of the
    global one. A performer who drifts, or a global tempo a hair off over an
    hour, then never slides the notes off the beat.

    Returns:
        ``(onsets, offsets, local)``: continuous tatum positions, shape (n,) each, and
        the grid each note was placed on as (phase_s, period_s) rows, shape (n, 2).
    """
    n = len(on)
    kc = np.empty(n)
    kc_off = np.empty(n)
    local = np.empty((n, 2))
    phase, period = grid.phase_s, grid.period_s
    for i in range(n):
        local[i] = phase, period
        kc[i] = (on[i] - phase) / period
        kc_off[i] = (off[i] - phase) / period
        if fixed or i < FOLLOW_WINDOW // 2 or (i + 1) % FOLLOW_EVERY:
            continue
        lo = max(0, i + 1 - FOLLOW_WINDOW)
        kk = np.round(2.0 * kc[lo : i + 1]) / 2.0
        if np.ptp(kk) <= 0:
            continue
        a = np.vstack([np.ones(len(kk)), kk]).T
        sw = np.sqrt(w[lo : i + 1])
        sol, *_ = np.linalg.lstsq(a * sw[:, None], on[lo : i + 1] * sw, rcond=None)
        if abs(sol[1] / grid.period_s - 1.0) < 0.08:
            phase, period = float(sol[0]), float(sol[1])
    return kc, kc_off, local


def _fixed_tatum(on: np.ndarray, w: np.ndarray, quarter_s: float) -> BeatGrid:
    """Phase (and the finest needed division) of a grid with a known quarter note."""
    best: tuple[float, BeatGrid] | None = None
    for div, prior in ((2, 0.0), (3, -0.05), (4, -0.05)):
        period = quarter_s / div
        phases = on[0] + np.linspace(0.0, period, 16, endpoint=False)
        f = tatum_fit(on, w, period, phases)
        j = int(np.argmax(f))
        if best is None or f[j] + prior > best[0] + 0.1:
            best = (float(f[j]) + prior, BeatGrid(period, float(phases[j])))
    assert best is not None
    return best[1]
