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
#: The phases tried for each period, as fractions of it from the first onset.
PHASE_STEPS = np.linspace(0.0, 1.0, 16, endpoint=False)

#: A silence before a note at least this long (seconds), and this many times the median
#: interval between onsets, is a pause after which the music may resume off the grid it left
#: (a player or singer stopping to think, for no whole number of beats).
PAUSE_MIN_S, PAUSE_MIN_IOIS = 1.0, 1.5
#: A stretch after such a pause is off the grid when its onsets sit at least :data:`OFF_GRID_TATUMS`
#: from the grid's points (tatums, weighted mean; a stretch of at least :data:`OFF_GRID_NOTES`
#: notes) while the longest stretch sits within :data:`ON_GRID_TATUMS` of its own grid; the grid
#: is then placed again after each pause. (Chosen so that no rendered set's notes, which hold
#: their tempo but not always their timing under a hall, are read so: a choir and a horn whose
#: onsets miss their own grid by 0.11 and 0.22 tatums are left as they were.)
OFF_GRID_TATUMS, ON_GRID_TATUMS, OFF_GRID_NOTES = 0.2, 0.06, 3


@dataclass(frozen=True)
class BeatGrid:
    """A constant-tempo grid: tatum k sits at ``phase_s + k * period_s``; after a pause that left
    it (:func:`pause_sections`), the phases each stretch of notes is placed on again, in order
    (empty: one phase throughout)."""

    period_s: float
    phase_s: float
    resumed_phases_s: tuple[float, ...] = ()


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
        resumed: The notes after a pause where the grid was placed again (indices, increasing;
            empty when it never was): the bar position of each is chosen with the meter.
    """

    grid: BeatGrid
    onsets: np.ndarray
    offsets: np.ndarray
    k: np.ndarray
    ioi: np.ndarray
    weights: np.ndarray
    local: np.ndarray
    resumed: tuple[int, ...] = ()


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


def estimate_tatum(notes: tuple[Note, ...], *, sections: np.ndarray | None = None) -> BeatGrid:
    """The tatum: the slowest pulse on which (nearly) every onset falls.

    Finer pulses fit as well (every onset on an eighth is also on a sixteenth),
    so among the pulses that fit within 85 % of the best fit, the slowest wins;
    its phase and period are then refined by least squares on all onsets.

    Args:
        notes: The notes, in time order.
        sections: Per note, the stretch between pauses it is in (:func:`pause_sections`), shape
            (n,): each stretch is then fitted with a phase of its own (one period throughout),
            given in ``resumed_phases_s`` for the stretches after the first. ``None``: one phase.
    """
    on = np.array([n.onset_s for n in notes])
    w = _onset_weights(notes)
    if len(on) < 3:
        iois = np.diff(on)
        period = float(iois[0]) if len(iois) and iois[0] > 0.09 else 0.5
        return BeatGrid(period, float(on[0]))
    sec = np.zeros(len(on), dtype=int) if sections is None else np.asarray(sections, dtype=int)
    head, wh, sh = on[:TATUM_NOTES], w[:TATUM_NOTES], sec[:TATUM_NOTES]
    parts = [np.flatnonzero(sh == k) for k in np.unique(sh)]
    shares = [wh[idx].sum() / wh.sum() for idx in parts]  # exactly 1.0 for one stretch
    fits = np.zeros(len(TATUM_PERIODS_S))
    phases = np.zeros(len(TATUM_PERIODS_S))  # the first stretch's
    for i, period in enumerate(TATUM_PERIODS_S):
        for j, (idx, share) in enumerate(zip(parts, shares)):
            fit, phase = _best_phase(head[idx], wh[idx], period)
            fits[i] += fit * share
            if j == 0:
                phases[i] = phase
    good = np.flatnonzero(fits >= 0.85 * fits.max())
    i = int(good[-1])
    # The best fit near the chosen period (a local maximum, not the edge of the band).
    near = np.flatnonzero(np.abs(np.log(TATUM_PERIODS_S / TATUM_PERIODS_S[i])) < 0.03)
    i = int(near[np.argmax(fits[near])])
    period = float(TATUM_PERIODS_S[i])
    if len(parts) == 1:
        start = np.array([phases[i]])
    else:  # each stretch's best phase at that period, over all its notes (past the head too)
        start = np.array([_best_phase(on[sec == k], w[sec == k], period)[1] for k in np.unique(sec)])
    period, section_phases = _refine(on, w, sec, period, start)
    return BeatGrid(period, section_phases[0], tuple(section_phases[1:]))


def _best_phase(on: np.ndarray, w: np.ndarray, period_s: float) -> tuple[float, float]:
    """The best of 16 phases from the first onset for a grid of ``period_s`` (:func:`tatum_fit`):
    ``(fit, phase_s)``."""
    ph = on[0] + PHASE_STEPS * period_s
    f = tatum_fit(on, w, period_s, ph)
    j = int(np.argmax(f))
    return float(f[j]), float(ph[j])


def pause_sections(onsets_s: np.ndarray, offsets_s: np.ndarray) -> np.ndarray:
    """Per note, how many pauses come before it: a silence of at least :data:`PAUSE_MIN_S` and
    :data:`PAUSE_MIN_IOIS` times the median interval between onsets, before the note. Shape (n,)."""
    on, off = np.asarray(onsets_s, dtype=float), np.asarray(offsets_s, dtype=float)
    sec = np.zeros(len(on), dtype=int)
    if len(on) < 3:
        return sec
    silence = on[1:] - off[:-1]
    pause = (silence >= PAUSE_MIN_S) & (silence >= PAUSE_MIN_IOIS * float(np.median(np.diff(on))))
    sec[1:] = np.cumsum(pause)
    return sec


def _off_grid_after_pause(notes: tuple[Note, ...], sections: np.ndarray) -> bool:
    """Whether some stretch after a pause sits off the grid of the longest stretch carried on
    through the pause (:data:`OFF_GRID_TATUMS`, :data:`ON_GRID_TATUMS`, :data:`OFF_GRID_NOTES`)."""
    ids, counts = np.unique(sections, return_counts=True)
    if len(ids) < 2:
        return False
    longest = ids[int(np.argmax(counts))]
    own = tuple(n for n, k in zip(notes, sections) if k == longest)
    if len(own) < 3:
        return False
    grid = estimate_tatum(own)
    on, w = np.array([n.onset_s for n in notes]), _onset_weights(notes)
    r = (on - grid.phase_s) / grid.period_s
    miss = np.abs(r - np.round(r))

    def misfit(k: int) -> float:
        return float(np.average(miss[sections == k], weights=w[sections == k]))

    if misfit(longest) > ON_GRID_TATUMS:
        return False
    return any(misfit(k) >= OFF_GRID_TATUMS for k, c in zip(ids, counts) if k != longest and c >= OFF_GRID_NOTES)


def _refine(on: np.ndarray, w: np.ndarray, sections: np.ndarray, period: float, phases: np.ndarray) -> tuple[float, list[float]]:
    """Least-squares fit of onset times to their nearest grid positions: one period, and a phase
    per stretch between pauses (``phases``, one per stretch in order; one for a take without)."""
    ids = np.unique(sections)
    col = np.searchsorted(ids, sections)
    phase = np.asarray(phases, dtype=np.float64).copy()
    for _ in range(3):
        r = (on - phase[col]) / period
        q = np.round(r)
        ok = np.abs(r - q) < 0.2
        if ok.sum() < 3 or np.ptp(q[ok]) <= 0:
            break
        a = np.zeros((int(ok.sum()), len(ids) + 1))
        a[np.arange(len(a)), col[ok]] = 1.0
        a[:, -1] = q[ok]
        sw = np.sqrt(w[ok])
        sol, *_ = np.linalg.lstsq(a * sw[:, None], on[ok] * sw, rcond=None)
        if not (0.9 * period < sol[-1] < 1.1 * period):
            break
        seen = np.isin(np.arange(len(ids)), col[ok])  # a stretch with no note near the grid keeps its phase
        phase, period = np.where(seen, sol[:-1], phase), float(sol[-1])
    return period, [float(x) for x in phase]


def place_on_tatums(notes: tuple[Note, ...], *, tempo_bpm: float | None = None, resume_after_pauses: bool = False) -> TatumPlacement:
    """Find the tatum (or take it from a known quarter-note tempo) and place every note on it.

    Args:
        notes: Notes in time order, not overlapping; at least one.
        tempo_bpm: Quarter-note tempo override.
        resume_after_pauses: Where the notes after a pause (:func:`pause_sections`) sit off the
            grid, place the grid again there (an instrument's grid; a voice's followed beat reads
            each interval anyway).
    """
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    w = _onset_weights(notes)
    sections = pause_sections(on, off)
    if tempo_bpm is not None:
        # The tatum under a known tempo: the eighth (or the sixteenth if the notes need it).
        grid = _fixed_tatum(on, w, 60.0 / tempo_bpm)
    else:
        grid = estimate_tatum(notes)
        if resume_after_pauses and _off_grid_after_pause(notes, sections):
            # The music resumed off the grid after a pause: one tatum, a phase per stretch.
            grid = estimate_tatum(notes, sections=sections)
    kc, kc_off, local, resumed = _follow_tempo(on, off, w, grid, fixed=tempo_bpm is not None, sections=sections)
    k, d = rounded_positions(kc, kc_off)
    return TatumPlacement(grid, kc, kc_off, k, d, w, local, resumed)


def rounded_positions(onsets: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Onset positions (tatums, shape (n,)) rounded to half tatums, and the intervals between
    them (the last note's: to its offset rounded, at least half a tatum), shape (n,) each."""
    k = np.round(2.0 * onsets) / 2.0
    k_end = np.maximum(np.round(offsets), k + 0.5)
    return k, np.append(np.diff(k), k_end[-1] - k[-1])


def _follow_tempo(
    on: np.ndarray, off: np.ndarray, w: np.ndarray, grid: BeatGrid, *, fixed: bool, sections: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]:
    """Onset and offset positions in tatums on a grid that follows slow tempo changes.

    Walking through the notes, each onset is placed on the current local grid;
    every few notes the grid is refitted (weighted least squares) to the last
    :data:`FOLLOW_WINDOW` placed onsets, its period kept within 8 % of the
    global one. A performer who drifts, or a global tempo a hair off over an
    hour, then never slides the notes off the beat. Where the grid has phases of its own
    after pauses (``grid.resumed_phases_s``, ``sections`` from :func:`pause_sections`), the
    first note after each such pause is placed the whole number of tatums nearest to where the
    grid before it would put it, on the phase of the stretch it starts, and the refits start
    again from it.

    Returns:
        ``(onsets, offsets, local, resumed)``: continuous tatum positions, shape (n,) each, the
        grid each note was placed on as (phase_s, period_s) rows, shape (n, 2), and the notes
        where the grid was placed again.
    """
    n = len(on)
    kc = np.empty(n)
    kc_off = np.empty(n)
    local = np.empty((n, 2))
    phase, period = grid.phase_s, grid.period_s
    resumed: list[int] = []
    start = 0
    for i in range(n):
        if grid.resumed_phases_s and sections is not None and i and sections[i] != sections[i - 1]:
            own = grid.resumed_phases_s[int(sections[i]) - 1]
            at = (on[i] - own) / period
            whole = max(float(np.round((on[i] - phase) / period)), float(np.floor(kc[i - 1])) + 1.0)
            phase, start = on[i] - (whole + at - np.round(at)) * period, i
            resumed.append(i)
        local[i] = phase, period
        kc[i] = (on[i] - phase) / period
        kc_off[i] = (off[i] - phase) / period
        if fixed or i - start < FOLLOW_WINDOW // 2 or (i + 1) % FOLLOW_EVERY:
            continue
        lo = max(start, i + 1 - FOLLOW_WINDOW)
        kk = np.round(2.0 * kc[lo : i + 1]) / 2.0
        if np.ptp(kk) <= 0:
            continue
        a = np.vstack([np.ones(len(kk)), kk]).T
        sw = np.sqrt(w[lo : i + 1])
        sol, *_ = np.linalg.lstsq(a * sw[:, None], on[lo : i + 1] * sw, rcond=None)
        if abs(sol[1] / grid.period_s - 1.0) < 0.08:
            phase, period = float(sol[0]), float(sol[1])
    return kc, kc_off, local, tuple(resumed)


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
