"""Tempo, beat, meter and quantization: from notes in seconds to notes in beats.

1. **Tatum.** The slowest regular pulse on which (nearly) every onset falls:
   each period from 90 ms to 1.2 s and its best phase are scored by a
   Gaussian fit of the onsets; among those within 85 % of the best fit the
   slowest wins (an eighth-note melody also fits sixteenths), refined by
   least squares.
2. **Meter.** Every reading of that pulse (1-4 tatums per beat, 2-4 beats per
   bar, every downbeat) is scored by what notation would show: duration
   accents on beats and downbeats, few syncopations and ties across barlines,
   bar-long figures that repeat, priors on tempo and on notes per bar, and a
   small preference for starting on a downbeat. Beats of three tatums make a
   compound meter when most beats are divided, else triplets in a simple one.
3. **Quantization.** Onsets are placed on a grid that follows slow tempo
   changes; each beat is written in halves, quarters or triplets (thirds and
   sixths in compound meters), whichever fits with less error plus a penalty
   for complexity. Offsets snap to the same grid; a gap shorter than half a
   beat before the next note is articulation, not a rest. A melody that
   starts before the first downbeat gets a pickup measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .types import Note, Rhythm

#: Longest stretch of onsets used to find the tatum (the fastest regular pulse);
#: the grid is then refined on all notes by least squares.
TATUM_NOTES = 300

#: Notes in the window the local grid is refitted to, and how often (notes).
FOLLOW_WINDOW = 32
FOLLOW_EVERY = 4

#: Candidate tatum periods in seconds (a 0.13 % step keeps a 30 s excerpt in phase).
TATUM_PERIODS_S = np.geomspace(0.09, 1.2, 2000)

#: Candidate beats: tatums per beat, beats per bar, and a prior (log score) per meter.
#: A tatum of three per beat makes a compound meter (6/8, 9/8, 12/8).
METERS: dict[tuple[int, int], tuple[str, float]] = {
    (1, 2): ("2/4", 0.0), (1, 3): ("3/4", 0.0), (1, 4): ("4/4", 0.05),
    (2, 2): ("2/4", 0.0), (2, 3): ("3/4", 0.0), (2, 4): ("4/4", 0.05),
    (4, 2): ("2/4", 0.0), (4, 3): ("3/4", 0.0), (4, 4): ("4/4", 0.05),
    (3, 2): ("6/8", 0.0), (3, 3): ("9/8", -0.15), (3, 4): ("12/8", -0.1),
}

#: Weights of the meter score (see :func:`choose_meter`).
SYNCOPATION_WEIGHT = 1.0
BARCROSS_WEIGHT = 2.0
DOWNBEAT_WEIGHT = 0.3
TEMPO_WEIGHT = 0.5
DENSITY_WEIGHT = 0.3
REPEAT_WEIGHT = 0.3
#: Bonus for a reading in which the melody starts on a downbeat (no pickup).
START_WEIGHT = 0.05
#: Most likely beat period (seconds) and the spread of the tempo prior (octaves).
BEAT_CENTRE_S = 0.6
BEAT_SPREAD_OCT = 0.6
#: Notes per bar a musician's bar length tends to give, and the spread (octaves).
NOTES_PER_BAR = 5.0
NOTES_PER_BAR_SPREAD_OCT = 1.0

#: Quantization penalties (beats per onset) for the finer and the other grid.
FINE_PENALTY = 0.06
OTHER_PENALTY = 0.12


@dataclass(frozen=True)
class BeatGrid:
    """A constant-tempo grid: tatum k sits at ``phase_s + k * period_s``."""

    period_s: float
    phase_s: float


@dataclass(frozen=True)
class MeterChoice:
    """A metrical reading of a tatum grid.

    Attributes:
        tatums_per_beat: 1, 2, 3 or 4 (3 means a compound meter).
        beats_per_bar: 2, 3 or 4.
        downbeat: Tatum index (mod tatums per bar) of the downbeats.
        time_signature: Like ``"6/8"``.
        compound: Whether the beat is a dotted quarter (6/8, 9/8, 12/8); three
            tatums per beat in a simple meter are triplets.
    """

    tatums_per_beat: int
    beats_per_bar: int
    downbeat: int
    time_signature: str
    compound: bool = False


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


def choose_meter(
    k: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    tatum_s: float,
    *,
    beat_s: float | None = None,
    time_signature: str | None = None,
    pitch: np.ndarray | None = None,
) -> MeterChoice:
    """Group tatums into beats and bars the way a musician would write them.

    Every reading (tatums per beat, beats per bar, downbeat) is scored by the
    sum of: the share of (duration weighted) onsets on beats; minus
    ``SYNCOPATION_WEIGHT`` times the share of notes that start off the beat and
    sound through the next one, and ``BARCROSS_WEIGHT`` times the share tied
    across a barline (notation avoids both); ``DOWNBEAT_WEIGHT`` times the log
    of how much more weight falls on downbeats than a uniform 1/m;
    ``TEMPO_WEIGHT`` and ``DENSITY_WEIGHT`` times log-Gaussian priors on the
    beat period and on notes per bar; ``REPEAT_WEIGHT`` times the share of
    notes repeated (same pitch) one bar later; ``START_WEIGHT`` if the melody
    starts on a downbeat; and the meter's own prior.

    Args:
        k: Onset positions in tatums (integers, or halves), shape (n,).
        d: Inter-onset intervals in tatums, shape (n,).
        w: Onset weights, shape (n,).
        tatum_s: Tatum period in seconds.
        beat_s: Fixed beat period in seconds (a tempo override), or ``None``.
        time_signature: Fixed time signature, or ``None``.
    """
    integer = np.abs(k - np.round(k)) < 1e-9
    ki = np.round(k).astype(np.int64)
    total = w.sum()
    notes_per_tatum = len(k) / max(float(k[-1] - k[0] + d[-1]), 1.0)
    # Melodies repeat bar-long figures: the share of notes met again, same pitch, one bar later.
    half_k = np.round(2 * k).astype(np.int64)
    pitches = np.zeros(len(k), dtype=np.int64) if pitch is None else np.asarray(pitch, dtype=np.int64)
    events = set(zip(half_k.tolist(), pitches.tolist()))

    def repeats(lag: int) -> float:
        return sum((hk + 2 * lag, pp) in events for hk, pp in zip(half_k.tolist(), pitches.tolist())) / len(k)

    best: tuple[float, MeterChoice] | None = None
    for (b, m), (ts, prior) in METERS.items():
        if time_signature is not None and not _same_meter(ts, time_signature):
            continue
        period = b * tatum_s
        if beat_s is not None:
            want = beat_s * (1.5 if b == 3 else 1.0) if time_signature is None else beat_s
            if abs(np.log(period / want)) > 0.1:
                continue
        elif not 0.25 <= period <= 1.6:
            continue
        tempo_prior = -0.5 * (np.log2(period / BEAT_CENTRE_S) / BEAT_SPREAD_OCT) ** 2
        s_rep = repeats(b * m) if pitch is not None else 0.0
        for p in range(b * m):
            on_beat = integer & ((ki - p) % b == 0)
            on_bar = integer & ((ki - p) % (b * m) == 0)
            next_beat = p + b * np.ceil((k - p) / b + 1e-9)
            sync = ~on_beat & (k + d > next_beat + 1e-9)
            s_beat = float(w[on_beat].sum() / total)
            s_sync = float(w[sync].sum() / total)
            beat_w = float(w[on_beat].sum())
            s_bar = float(w[on_bar].sum() / beat_w) if beat_w > 0 else 0.0
            next_bar = p + b * m * np.ceil((k - p) / (b * m) + 1e-9)
            s_cross = float(w[~on_bar & (k + d > next_bar + 1e-9)].sum() / total)
            density = -0.5 * (np.log2(notes_per_tatum * b * m / NOTES_PER_BAR) / NOTES_PER_BAR_SPREAD_OCT) ** 2
            score = (
                s_beat
                - SYNCOPATION_WEIGHT * s_sync
                - BARCROSS_WEIGHT * s_cross
                + DOWNBEAT_WEIGHT * np.log(m * s_bar + 0.05)
                + TEMPO_WEIGHT * tempo_prior
                + DENSITY_WEIGHT * density
                + REPEAT_WEIGHT * s_rep
                + START_WEIGHT * float(on_bar[0])
                + prior
            )
            if best is None or score > best[0]:
                best = (score, MeterChoice(b, m, p, time_signature or ts, compound=b == 3))
    if best is None:  # overrides that no reading satisfies: take them as given
        b = 3 if time_signature is not None and _is_compound(time_signature) else 1
        m = _beats_per_bar(time_signature) if time_signature else 4
        return MeterChoice(b, m, 0, time_signature or "4/4", compound=b == 3)
    choice = best[1]
    if choice.compound and time_signature is None:
        # Beats in three: a compound meter when most beats are divided (a jig's
        # running eighths), a simple meter with triplets when most are not.
        beat_of = (ki - choice.downbeat) // 3
        divided = {int(x) for x in beat_of[~integer | ((ki - choice.downbeat) % 3 != 0)]}
        if len(divided) < 0.5 * len(set(beat_of.tolist())):
            return MeterChoice(3, choice.beats_per_bar, choice.downbeat, f"{choice.beats_per_bar}/4", compound=False)
    return choice


def _same_meter(candidate: str, wanted: str) -> bool:
    """Whether a candidate reading can be written in the wanted time signature."""
    if _is_compound(wanted) != _is_compound(candidate):
        return False
    return _beats_per_bar(candidate) == _beats_per_bar(wanted)


def _quantize_positions(r: np.ndarray, *, compound: bool) -> np.ndarray:
    """Snap positions in beats to a grid chosen per beat.

    A simple-meter beat is written in halves, or quarters where the onsets need
    them, or triplets where they fit better; a compound beat in thirds, or
    sixths, or a duplet. Each choice costs its absolute error in beats plus a
    penalty for every onset that needs the finer or rarer grid.

    Args:
        r: Positions in beats, shape (n,), increasing.
        compound: Whether beats divide in three.

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
        for div, penalty in ((base, 0.0), (fine, FINE_PENALTY), (other, OTHER_PENALTY)):
            q = np.round(x * div) / div
            coarse = np.abs(q * base - np.round(q * base)) < 1e-9
            cost = np.abs(x - q).sum() + penalty * np.count_nonzero(~coarse)
            options.append((cost, div, q))
        out[idx] = min(options, key=lambda c: (c[0], c[1]))[2]
    return out


def analyze(notes: tuple[Note, ...], *, tempo_bpm: float | None = None, time_signature: str | None = None) -> Rhythm:
    """Estimate tempo and meter and quantize every note.

    Args:
        notes: Notes in time order, not overlapping.
        tempo_bpm: Quarter-note tempo override.
        time_signature: Time-signature override, e.g. ``"3/4"``.

    Returns:
        The rhythm; for no notes, the overrides (or 4/4 at 100 BPM) with no positions.
    """
    if not notes:
        return Rhythm(float(tempo_bpm or 100.0), time_signature or "4/4", 0.0, Fraction(0), (), ())
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    w = _onset_weights(notes)
    if tempo_bpm is not None:
        # The tatum under a known tempo: the eighth (or the sixteenth if the notes need it).
        quarter = 60.0 / tempo_bpm
        grid = _fixed_tatum(on, w, quarter)
    else:
        grid = estimate_tatum(notes)
    tau = grid.period_s
    kc, kc_off = _follow_tempo(on, off, w, grid, fixed=tempo_bpm is not None)
    k = np.round(2.0 * kc) / 2.0
    k_end = np.maximum(np.round(kc_off), k + 0.5)
    d = np.append(np.diff(k), k_end[-1] - k[-1])
    beat_s = None if tempo_bpm is None else 60.0 / tempo_bpm * (1.5 if time_signature and _is_compound(time_signature) else 1.0)
    meter = choose_meter(k, d, w, tau, beat_s=beat_s, time_signature=time_signature, pitch=np.array([n.midi for n in notes]))
    b, m = meter.tatums_per_beat, meter.beats_per_bar
    compound = meter.compound
    beat_q = 1.5 if compound else 1.0
    # Positions in beats from a downbeat.
    r = (kc - meter.downbeat) / b
    r_off = (kc_off - meter.downbeat) / b
    pos = _make_increasing(_quantize_positions(r, compound=compound), step=1.0 / (6.0 if compound else 4.0))
    # Durations: the offset on the fine grid; a gap shorter than half a beat
    # before the next note is articulation and joins the note.
    unit = 1.0 / (3.0 if compound else 4.0)
    nxt = np.append(pos[1:], np.inf)
    end = np.maximum(np.round(r_off / unit) * unit, pos + unit)
    end = np.where(nxt - end < 0.5, nxt, np.minimum(end, nxt))
    dur = end - pos
    score_zero = float(pos[0])
    down = m * math.ceil(score_zero / m - 1e-9)
    pickup_beats = down - score_zero
    onsets_q = tuple(_frac((p - score_zero) * beat_q) for p in pos)
    durations_q = tuple(_frac(x * beat_q) for x in dur)
    bpm = float(tempo_bpm) if tempo_bpm is not None else 60.0 / (b * tau / beat_q)
    origin_s = grid.phase_s + (meter.downbeat + down * b) * tau
    return Rhythm(bpm, meter.time_signature, float(origin_s), _frac(pickup_beats * beat_q), onsets_q, durations_q)


def _follow_tempo(on: np.ndarray, off: np.ndarray, w: np.ndarray, grid: BeatGrid, *, fixed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Onset and offset positions in tatums on a grid that follows slow tempo changes.

    Walking through the notes, each onset is placed on the current local grid;
    every few notes the grid is refitted (weighted least squares) to the last
    :data:`FOLLOW_WINDOW` placed onsets, its period kept within 8 % of the
    global one. A performer who drifts, or a global tempo a hair off over an
    hour, then never slides the notes off the beat.

    Returns:
        ``(onsets, offsets)`` as continuous tatum positions, shape (n,) each.
    """
    n = len(on)
    kc = np.empty(n)
    kc_off = np.empty(n)
    phase, period = grid.phase_s, grid.period_s
    for i in range(n):
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
    return kc, kc_off


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


def _beats_per_bar(ts: str) -> int:
    num, den = (int(x) for x in ts.split("/"))
    if _is_compound(ts):
        return num // 3
    return num if den == 4 else max(1, num * 4 // den) if den < 4 else num


def _is_compound(ts: str) -> bool:
    num, den = (int(x) for x in ts.split("/"))
    return den == 8 and num % 3 == 0


def _make_increasing(pos: np.ndarray, *, step: float) -> np.ndarray:
    """Push apart onsets that snapped to one grid point, by ``step`` beats."""
    out = pos.copy()
    for i in range(1, len(out)):
        if out[i] <= out[i - 1] + 1e-9:
            out[i] = out[i - 1] + step
    return out


def _frac(x: float) -> Fraction:
    """A float number of quarters as a Fraction on a 1/12-quarter grid (16ths and triplets)."""
    return Fraction(round(x * 12), 12)
