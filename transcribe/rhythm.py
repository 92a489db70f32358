"""Tempo, beat, meter and quantization: from notes in seconds to notes in beats.

1. **Beat.** Every candidate beat period (40-200 BPM) and phase is scored by
   how well the note onsets fall on its grid: an onset on a beat counts fully,
   on a half or a third of a beat a little less, on a quarter less again, each
   with a Gaussian tolerance in seconds. A prior on the tempo and on how many
   notes a beat holds picks, among readings that fit equally (the same tune at
   double or half speed), the one a musician would write. The winner is refined
   by a weighted least-squares fit of onset times to their grid positions, so
   a tempo a few percent off is pulled onto the performance.
2. **Quantization.** Each beat is written either in duple subdivisions
   (quarters of a beat) or triplets, whichever explains its onsets with the
   smaller error plus a complexity penalty. Offsets snap to the same grid; a
   gap shorter than half a beat before the next note is articulation, not a
   rest, and is absorbed into the note.
3. **Meter.** Beats-per-measure (2, 3 or 4; compound 6/8, 9/8, 12/8 when the
   beats divide in three) and the downbeat are chosen by where the accents
   fall: long notes and notes after rests start on strong beats. A melody
   that starts before the first downbeat gets a pickup measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .types import Note, Rhythm

#: Onset timing tolerance (Gaussian sigma) when fitting a beat grid, seconds.
SIGMA_S = 0.035

#: Subdivisions of a beat tried by the grid fit, with their prior weight.
LEVELS: tuple[tuple[int, float], ...] = ((1, 1.0), (2, 0.8), (3, 0.55), (4, 0.55))


@dataclass(frozen=True)
class BeatGrid:
    """A constant-tempo beat grid: beat k sits at ``phase_s + k * period_s``."""

    period_s: float
    phase_s: float


def _onset_weights(notes: tuple[Note, ...]) -> np.ndarray:
    """Salience of each onset: longer notes (up to the next onset) weigh more."""
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    nxt = np.append(on[1:], off[-1] + 1.0)
    span = np.maximum(np.minimum(nxt, off + 0.25) - on, 0.05)
    return 1.0 + np.log2(1.0 + span / 0.25)


def grid_score(onsets_s: np.ndarray, weights: np.ndarray, period_s: float, phases_s: np.ndarray) -> np.ndarray:
    """How well onsets fit a beat grid of ``period_s`` at each phase.

    Returns:
        Weighted fit score per phase, shape (len(phases_s),).
    """
    r = (onsets_s[None, :] - phases_s[:, None]) / period_s  # (phases, notes) in beats
    best = np.zeros_like(r)
    for div, prior in LEVELS:
        d = np.abs(r * div - np.round(r * div)) / div * period_s  # seconds to the nearest grid point
        np.maximum(best, prior * np.exp(-0.5 * (d / SIGMA_S) ** 2), out=best)
    return best @ weights


def _tempo_prior(bpm: np.ndarray) -> np.ndarray:
    """Log-Gaussian preference for moderate tempi (centre 100 BPM)."""
    return np.exp(-0.5 * (np.log2(bpm / 100.0) / 0.6) ** 2)


def estimate_grid(notes: tuple[Note, ...], *, tempo_bpm: float | None = None, beat_q: float = 1.0) -> BeatGrid:
    """Estimate the beat grid of a melody.

    Args:
        notes: The notes, in time order (at least one).
        tempo_bpm: Fixed quarter-note tempo, or ``None`` to estimate it.
        beat_q: Beat length in quarters used with a fixed tempo (1.5 for compound meters).

    Returns:
        The beat grid (period and phase in seconds).
    """
    on = np.array([n.onset_s for n in notes])
    w = _onset_weights(notes)
    if len(notes) < 2:
        period = 60.0 / (tempo_bpm or 100.0) * (beat_q if tempo_bpm else 1.0)
        return BeatGrid(period, float(on[0]) if len(on) else 0.0)
    if tempo_bpm is not None:
        periods = np.array([60.0 / tempo_bpm * beat_q])
    else:
        periods = 60.0 / np.geomspace(40.0, 200.0, 160)
    best = (-np.inf, periods[0], 0.0)
    iois = np.diff(on)
    for period in periods:
        phases = on[0] + np.linspace(0.0, period, 24, endpoint=False)
        scores = grid_score(on, w, period, phases)
        i = int(np.argmax(scores))
        fit = scores[i] / w.sum()
        # Density prior: a musician writes most notes as one beat or half a beat.
        beats_per_note = float(np.median(iois)) / period
        density = math.exp(-0.5 * (math.log2(max(beats_per_note, 1e-3) / 0.7) / 0.9) ** 2)
        total = fit * (_tempo_prior(np.array([60.0 / period]))[0] ** 0.5) * density**0.5
        if total > best[0]:
            best = (total, period, float(phases[i]))
    _, period, phase = best
    if tempo_bpm is None:
        period, phase = _refine(on, w, period, phase)
    return BeatGrid(float(period), float(phase))


def _refine(on: np.ndarray, w: np.ndarray, period: float, phase: float, rounds: int = 3) -> tuple[float, float]:
    """Least-squares fit of onset times to their quantized positions (half-beat grid)."""
    for _ in range(rounds):
        r = (on - phase) / period
        q = np.round(r * 2.0) / 2.0
        ok = np.abs(r - q) * period < 2.5 * SIGMA_S
        if ok.sum() < 3 or np.ptp(q[ok]) <= 0:
            break
        a = np.vstack([np.ones(ok.sum()), q[ok]]).T
        sw = np.sqrt(w[ok])
        sol, *_ = np.linalg.lstsq(a * sw[:, None], on[ok] * sw, rcond=None)
        new_phase, new_period = float(sol[0]), float(sol[1])
        if not (0.8 * period < new_period < 1.25 * period):
            break
        period, phase = new_period, new_phase
    return period, phase


def _quantize_positions(r: np.ndarray, *, duple_penalty: float = 0.0, triplet_penalty: float = 0.12, sixteenth_penalty: float = 0.06) -> tuple[np.ndarray, np.ndarray]:
    """Snap beat positions to a per-beat grid (duple or triplet).

    Args:
        r: Positions in beats, shape (n,), increasing.

    Returns:
        ``(positions, triplet)``: snapped positions as float beats and whether
        each beat used triplets.
    """
    beat = np.floor(r + 1.0 / 8.0)  # an onset just before a beat belongs to it
    out = np.empty_like(r)
    triplet = np.zeros(len(r), dtype=bool)
    for b in np.unique(beat):
        idx = np.flatnonzero(beat == b)
        x = r[idx]
        q4 = np.round(x * 4.0) / 4.0
        q2 = np.round(x * 2.0) / 2.0
        q3 = np.round(x * 3.0) / 3.0
        # Cost: mean absolute error (beats) plus a penalty for the finer grid.
        e2 = np.abs(x - q2).sum() + duple_penalty
        e4 = np.abs(x - q4).sum() + sixteenth_penalty * np.count_nonzero(np.abs(q4 - q2) > 1e-9)
        e3 = np.abs(x - q3).sum() + triplet_penalty * np.count_nonzero(np.abs(q3 - np.round(q3)) > 1e-9)
        choice = min((e2, 0, q2), (e4, 1, q4), (e3, 2, q3), key=lambda c: c[0])
        out[idx] = choice[2]
        triplet[idx] = choice[1] == 2
    return out, triplet


def choose_meter(pos: np.ndarray, dur: np.ndarray, rest_before: np.ndarray, triplet_share: float) -> tuple[str, int]:
    """Pick a time signature and downbeat phase from accents.

    Args:
        pos: Quantized onset positions in beats, shape (n,).
        dur: Quantized lengths in beats (to the next onset), shape (n,).
        rest_before: Whether a rest precedes each note, shape (n,).
        triplet_share: Share of beats subdivided in three; compound when high.

    Returns:
        ``(time_signature, downbeat_phase)`` with the phase in beats (0..bpm-1)
        of the first downbeat relative to beat 0.
    """
    compound = triplet_share > 0.35
    on_beat = np.abs(pos - np.round(pos)) < 1e-9
    beat_idx = np.round(pos).astype(np.int64)
    accent = np.where(on_beat, np.log2(1.0 + 2.0 * np.minimum(dur, 4.0)) + 0.5 * rest_before, 0.0)
    best = ("4/4", 0, -np.inf)
    meters = {2: "6/8", 3: "9/8", 4: "12/8"} if compound else {2: "2/4", 3: "3/4", 4: "4/4"}
    prior = {2: 0.0, 3: 0.0, 4: 0.05} if not compound else {2: 0.1, 3: -0.1, 4: 0.0}
    for per_bar, ts in meters.items():
        for phase in range(per_bar):
            strong = (beat_idx - phase) % per_bar == 0
            if not on_beat.any():
                continue
            hit = accent[on_beat & strong].sum()
            miss = accent[on_beat & ~strong].sum()
            # Contrast between downbeats and other beats, normalised by beats per bar.
            score = hit / max(1, np.count_nonzero(on_beat & strong)) - miss / max(1, np.count_nonzero(on_beat & ~strong))
            # A long final note on a downbeat is the strongest cue of all.
            score += 0.3 * float(strong[-1] and on_beat[-1]) + prior[per_bar]
            if score > best[2]:
                best = (ts, phase, score)
    return best[0], best[1]


def analyze(
    notes: tuple[Note, ...], *, tempo_bpm: float | None = None, time_signature: str | None = None
) -> Rhythm:
    """Estimate tempo and meter and quantize every note.

    Args:
        notes: Notes in time order, not overlapping.
        tempo_bpm: Quarter-note tempo override.
        time_signature: Time-signature override, e.g. ``"3/4"``.

    Returns:
        The rhythm; for no notes, a 4/4 rhythm at the override or 100 BPM with no positions.
    """
    if not notes:
        ts = time_signature or "4/4"
        return Rhythm(float(tempo_bpm or 100.0), ts, 0.0, Fraction(0), (), ())
    beat_q = 1.5 if time_signature is not None and _is_compound(time_signature) else 1.0
    grid = estimate_grid(notes, tempo_bpm=tempo_bpm, beat_q=beat_q)
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    r = (on - grid.phase_s) / grid.period_s
    r_off = (off - grid.phase_s) / grid.period_s
    pos, trip = _quantize_positions(r)
    pos = _make_increasing(pos)
    # Durations: to the offset on a quarter-beat grid; a gap shorter than half
    # a beat before the next note is articulation and joins the note.
    nxt = np.append(pos[1:], np.inf)
    end = np.maximum(np.round(r_off * 4.0) / 4.0, pos + 0.25)
    end = np.where(nxt - end < 0.5, nxt, np.minimum(end, nxt))
    dur = end - pos
    rest_before = np.concatenate(([True], pos[1:] - end[:-1] > 1e-9))
    triplet_share = float(np.mean(trip)) if len(trip) else 0.0
    if time_signature is None:
        ts, phase = choose_meter(pos, dur, rest_before, triplet_share)
    else:
        ts = time_signature
        per_bar = _beats_per_bar(ts)
        _, phase = choose_meter_fixed(pos, dur, rest_before, per_bar)
    if _is_compound(ts):
        beat_q = 1.5
    per_bar = _beats_per_bar(ts)
    # The score starts at the first note; the first downbeat is at or after it,
    # and the beats between them form the pickup measure.
    score_zero = float(pos[0])
    down = phase + per_bar * math.ceil((score_zero - phase) / per_bar - 1e-9)
    pickup_beats = down - score_zero
    onsets_q = tuple(_frac((p - score_zero) * beat_q) for p in pos)
    durations_q = tuple(_frac(d * beat_q) for d in dur)
    pickup_q = _frac(pickup_beats * beat_q)
    quarter_period = grid.period_s / beat_q
    bpm = float(tempo_bpm) if tempo_bpm is not None else 60.0 / quarter_period
    origin_s = grid.phase_s + down * grid.period_s
    return Rhythm(bpm, ts, float(origin_s), pickup_q, onsets_q, durations_q)


def choose_meter_fixed(pos: np.ndarray, dur: np.ndarray, rest_before: np.ndarray, per_bar: int) -> tuple[int, int]:
    """Downbeat phase for a fixed number of beats per bar."""
    on_beat = np.abs(pos - np.round(pos)) < 1e-9
    beat_idx = np.round(pos).astype(np.int64)
    accent = np.where(on_beat, np.log2(1.0 + 2.0 * np.minimum(dur, 4.0)) + 0.5 * rest_before, 0.0)
    scores = [accent[on_beat & ((beat_idx - ph) % per_bar == 0)].sum() for ph in range(per_bar)]
    return per_bar, int(np.argmax(scores))


def _beats_per_bar(ts: str) -> int:
    num, den = (int(x) for x in ts.split("/"))
    if _is_compound(ts):
        return num // 3
    return num if den == 4 else max(1, num * 4 // den) if den < 4 else num


def _is_compound(ts: str) -> bool:
    num, den = (int(x) for x in ts.split("/"))
    return den == 8 and num % 3 == 0


def _make_increasing(pos: np.ndarray) -> np.ndarray:
    """Push apart onsets that snapped to one grid point (by a sixteenth of a beat... a quarter beat)."""
    out = pos.copy()
    for i in range(1, len(out)):
        if out[i] <= out[i - 1] + 1e-9:
            out[i] = out[i - 1] + 0.25
    return out


def _frac(x: float) -> Fraction:
    """A float number of quarters as a Fraction on a 1/12-quarter grid (16ths and triplets)."""
    return Fraction(round(x * 12), 12)
