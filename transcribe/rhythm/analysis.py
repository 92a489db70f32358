"""Tempo, beat, meter and quantization: from notes in seconds to notes in beats.

1. **Tatum.** The slowest regular pulse on which (nearly) every onset falls:
   each period from 90 ms to 1.2 s and its best phase are scored by a
   Gaussian fit of the onsets; among those within 85 % of the best fit the
   slowest wins (an eighth-note melody also fits sixteenths), refined by
   least squares.
2. **Meter.** Every reading of that pulse (1-4 tatums per beat, 2-4 beats per
   bar, every downbeat) is described by what notation would show: duration
   accents on beats, downbeats and half bars, syncopations and ties across
   barlines, figures that repeat one, two or four bars later (rhythm and
   pitch), the opening coming back a whole number of bars later, stable pitches
   and leaps on beats, louder notes on downbeats, tempo and notes per beat
   and bar, and whether the melody starts on a downbeat. A weighted sum plus
   a small hidden layer scores each reading; the weights are fitted on corpus melodies
   (``benchmarks/fit_meter.py``). Beats of three tatums make a compound meter
   when most beats are divided, else triplets in a simple one.
3. **Quantization.** Onsets are placed on a grid that follows slow tempo
   changes; each beat is written in halves, quarters or triplets (thirds and
   sixths in compound meters), whichever fits with less error plus a penalty
   for complexity. Offsets snap to the same grid; a gap shorter than half a
   beat before the next note is articulation, not a rest. A melody that
   starts before the first downbeat gets a pickup measure.
4. **A voice** (``follow``): the intervals between onsets are read as values of
   a drifting beat instead (:mod:`.follow`), and the meter may be read again on
   those values.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .. import models
from ..types import Note, Rhythm
from ..values import TimeSignature
from .duple import two_or_four
from .follow import VALUES_BEATS, TempoFollow, follow_beats, follow_beats_in_bars, held_value
from .level import DOUBLED_METERS, at_double_tempo
from .meter import (
    MeterChoice,
    bar_count_cost,
    beats_per_bar,
    best_downbeat,
    compound_or_triplets,
    is_compound,
    meter_candidates,
    meter_features,
    meter_weights,
    phrase_frame,
    pick_reading,
    relative_levels,
)
from .quantize import FINE_PENALTY, OTHER_PENALTY, frac, make_increasing, quantize_positions
from .tatum import TatumPlacement, place_on_tatums, rounded_positions

#: How a voice's rhythm is written: the fitted ``grid_penalties`` for :func:`analyze`
#: (``benchmarks/fit_sung_rhythm.py``; docs/intonation.md).
SUNG_RHYTHM_MODEL = "sung_rhythm"
#: Its parameters, in the order the model file stores them.
SUNG_RHYTHM_PARAMS = (
    "fine_penalty",
    "other_penalty",
    "compound_shift",
    "rest_min_beats",
    "drift_sd",
    "timing_sd",
    "value_price",
    "remeter",
)
#: The bar-count, phrase-frame and tie cues of the meter read again on the followed beat
#: (``TempoFollow.bars_price``, ``frame_price`` and ``tie_price``) and how a note ended by silence
#: is written in it (``rest_gap_beats``, ``held_stretch``), the slowest tempo it is written at
#: (``min_bpm``, :mod:`.level`) and the syncopation price of the values read in the bar
#: (``sync_price``) and how much the notes' levels count in the meter read again
#: (``level_weight``), and how a pause between phrases is read (``pause_beats``, ``pause_sd``,
#: ``restart_bonus``), fitted by ``benchmarks/fit_sung_meter.py`` (``sung_meter.npz``).
SUNG_METER_MODEL = "sung_meter"
SUNG_METER_PARAMS = (
    "bars_price",
    "frame_price",
    "tie_price",
    "rest_gap_beats",
    "held_stretch",
    "min_bpm",
    "sync_price",
    "level_weight",
    "pause_beats",
    "pause_sd",
    "restart_bonus",
)


#: A tempo given for a voice within this much (log ratio, about 8 %) of the tempo its take is read
#: at keeps that reading, written at the tempo given.
GIVEN_TEMPO_AGREES = 0.08


@dataclass(frozen=True)
class SungRhythm:
    """How a voice's rhythm is written: :func:`analyze`'s ``grid_penalties``, ``compound_shift``,
    ``rest_min_beats`` and ``follow``. The defaults are :func:`analyze`'s own (an instrument's
    rhythm); :meth:`load` gives the fitted voice's."""

    grid_penalties: tuple[float, float] = (FINE_PENALTY, OTHER_PENALTY)
    compound_shift: float = 0.0
    rest_min_beats: float = 0.5
    follow: TempoFollow | None = None

    @classmethod
    def load(cls, *, meter_cue: bool = True) -> SungRhythm:
        """The fitted values (``transcribe/models/sung_rhythm.npz``, and ``sung_meter.npz`` for the
        meter read again on the followed beat's values and the notes ended by silence;
        ``meter_cue=False`` leaves those off, for ``benchmarks/fit_sung_meter.py``)."""
        model = models.checked(SUNG_RHYTHM_MODEL, SUNG_RHYTHM_PARAMS)
        model.features("values", tuple(str(v) for v in VALUES_BEATS))
        fine, other, shift, rest, drift, timing, price, remeter = (float(v) for v in model.arrays["params"])
        surprise = tuple(float(v) for v in model.arrays["value_surprise"])
        meter = models.checked(SUNG_METER_MODEL, SUNG_METER_PARAMS) if meter_cue else None
        fitted = meter.arrays["params"] if meter is not None else ()
        cues: dict[str, object] = {name: float(v) for name, v in zip(SUNG_METER_PARAMS, fitted)}
        if meter is not None:
            cues["bar_log_share"] = tuple(float(v) for v in meter.arrays["bar_log_share"])
        follow = TempoFollow(drift, timing, price, remeter > 0, value_surprise=surprise, **cues) if drift > 0 else None
        return cls((fine, other), shift, rest, follow)

    def values(self) -> tuple[float, ...]:
        """The parameters as :data:`SUNG_RHYTHM_PARAMS` lists them (a drift of 0: no following;
        ``remeter`` 1 or 0)."""
        f = self.follow
        follow = (0.0, 0.0, 0.0, 0.0) if f is None else (f.drift_sd, f.timing_sd, f.value_price, float(f.remeter))
        return (*self.grid_penalties, self.compound_shift, self.rest_min_beats, *follow)


def choose_meter(
    k: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    tatum_s: float,
    *,
    beat_s: float | None = None,
    time_signature: str | None = None,
    pitch: np.ndarray | None = None,
    accent_db: np.ndarray | None = None,
    compound_shift: float = 0.0,
    length_tatums: float | None = None,
    bars_price: float = 0.0,
    bar_log_share: tuple[float, ...] = (),
    frame_price: float = 0.0,
) -> MeterChoice:
    """Group tatums into beats and bars the way a musician would write them.

    Every reading (tatums per beat, beats per bar, downbeat) is scored from
    its :func:`meter_features` by :func:`meter_scores` (weights fitted by
    ``benchmarks/fit_meter.py``) and chosen by :func:`pick_reading`.

    Args:
        k: Onset positions in tatums (integers, or halves), shape (n,).
        d: Inter-onset intervals in tatums, shape (n,).
        w: Onset weights, shape (n,).
        tatum_s: Tatum period in seconds.
        beat_s: Fixed beat period in seconds (a tempo override), or ``None``.
        time_signature: Fixed time signature, or ``None``.
        pitch: MIDI numbers, shape (n,).
        accent_db: Each note's peak level in dB, shape (n,), or ``None``.
        compound_shift: Taken off the score of every reading in beats of three (a voice's
            printed tunes are rarely compound), 0 for none.
        length_tatums: The tune's written length in tatums (for a voice), or ``None``.
        bars_price: Taken off each reading's score times :func:`.meter.bar_count_cost` of
            ``length_tatums`` (how rare a length in bars it gives the tune); 0 for none.
        bar_log_share: The log share of tunes per whole number of bars (from 0) that
            :func:`.meter.bar_count_cost` reads; empty for none.
        frame_price: Added to each reading's score, and to the weighted sum that places its
            downbeat, times :func:`.meter.phrase_frame` (the first onset on a downbeat, the tune
            ending on a bar line); 0 for none.
    """
    candidates = meter_candidates(tatum_s, beat_s=beat_s, time_signature=time_signature)
    if not candidates:  # overrides that no reading satisfies: take them as given
        b = 3 if time_signature is not None and is_compound(time_signature) else 1
        m = beats_per_bar(time_signature) if time_signature else 4
        return MeterChoice(b, m, 0, time_signature or "4/4", compound=b == 3)
    feats = meter_features(k, d, w, tatum_s, candidates, pitch=pitch, accent_db=accent_db)
    bias = -compound_shift * np.array([c.compound for c in candidates], dtype=float) if compound_shift else None
    if bars_price and bar_log_share and length_tatums is not None:
        bias = (0.0 if bias is None else bias) - bars_price * bar_count_cost(candidates, length_tatums, np.asarray(bar_log_share))
    frame = frame_price * phrase_frame(candidates, length_tatums) if frame_price and length_tatums is not None else None
    index = pick_reading(candidates, feats, bias=bias, downbeat_bias=frame)
    if time_signature is None:
        index = two_or_four(candidates, feats, index, k, d, relative_levels(accent_db, pitch, len(k)))
        if frame is not None:  # two_or_four places a downbeat of its own when it changes the meter
            c = candidates[index]
            index = best_downbeat(candidates, feats, meter_weights(), c.tatums_per_beat, c.beats_per_bar, compound=c.compound, bias=frame)
    choice = candidates[index]
    if choice.compound and time_signature is None:
        return compound_or_triplets(k, choice)
    return choice


def _resume_in_bar(
    pl: TatumPlacement, pitch: np.ndarray, accent_db: np.ndarray | None, *, beat_s: float | None, time_signature: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``pl``'s positions (onsets, offsets, rounded onsets, intervals, local grids) with every
    stretch after a pause where the grid was placed again (``pl.resumed``) moved by the whole
    number of tatums, at most half a bar either way and never into the note before it, that puts
    its first onset a whole number of bars after the tune's first onset; the bar's length is read
    on the longest stretch (:func:`choose_meter`)."""
    bounds = [0, *pl.resumed, len(pl.k)]
    longest = max(range(len(bounds) - 1), key=lambda j: bounds[j + 1] - bounds[j])
    part = slice(bounds[longest], bounds[longest + 1])
    k_part = pl.k[part] - pl.k[part][0]
    d_part = np.append(np.diff(k_part), pl.ioi[part][-1])
    levels = None if accent_db is None else np.asarray(accent_db)[part]
    reading = choose_meter(k_part, d_part, pl.weights[part], pl.grid.period_s, beat_s=beat_s, time_signature=time_signature,
                           pitch=pitch[part], accent_db=levels)  # fmt: skip
    bar = reading.tatums_per_beat * reading.beats_per_bar
    kc, kc_off, local = pl.onsets.copy(), pl.offsets.copy(), pl.local.copy()
    for i in pl.resumed:
        shift = (pl.k[0] - np.round(2.0 * kc[i]) / 2.0) % bar
        if shift > bar / 2:
            shift -= bar
        room = np.floor(kc[i]) - np.ceil(max(kc_off[i - 1], kc[i - 1] + 0.5))  # tatums of rest before it
        if shift < -room:
            shift += bar
        kc[i:] += shift
        kc_off[i:] += shift
        local[i:, 0] -= shift * local[i:, 1]
    return kc, kc_off, *rounded_positions(kc, kc_off), local


def bar_line_at_or_before(beats: float, *, first_line: float, bar_beats: int) -> float:
    """The last bar line at or before ``beats`` (all in beats from the score's grid), bars of
    ``bar_beats`` counted from the bar line at ``first_line``."""
    return first_line + bar_beats * math.floor((beats - first_line) / bar_beats + 1e-9)


def articulation_gap(onsets: np.ndarray, offsets: np.ndarray, *, rest_min_beats: float) -> float:
    """How early a take lets its notes go: the median silence (beats) between a note and the next
    one within a beat of it, over the notes followed by less than ``rest_min_beats`` of silence
    (articulation, not a rest); 0 when none is, or the notes overlap. ``onsets``, ``offsets``: per
    note, in beats, shape (n,)."""
    on, off = np.asarray(onsets, dtype=np.float64), np.asarray(offsets, dtype=np.float64)
    gap = on[1:] - off[:-1]
    close = (np.diff(on) <= 1.0 + 1e-9) & (gap < rest_min_beats)
    return max(0.0, float(np.median(gap[close]))) if close.any() else 0.0


def analyze(
    notes: tuple[Note, ...],
    *,
    tempo_bpm: float | None = None,
    time_signature: str | None = None,
    accent_db: np.ndarray | None = None,
    written_as: SungRhythm = SungRhythm(),
) -> Rhythm:
    """Estimate tempo and meter and quantize every note.

    Args:
        notes: Notes in time order, not overlapping.
        tempo_bpm: Quarter-note tempo override (for a voice, one within
            :data:`GIVEN_TEMPO_AGREES` of the tempo the take is read at keeps that reading).
        time_signature: Time-signature override, e.g. ``"3/4"`` (for a voice, the bar is read
            again in it on the followed beat, as an estimated one is).
        accent_db: Each note's peak level in dB, shape (len(notes),), or ``None``.
        written_as: How the rhythm is written (:class:`SungRhythm`; the default is an
            instrument's, :meth:`SungRhythm.load` a voice's): ``grid_penalties``, the price per
            onset of a finer beat division and of the other one (triplets in simple time, duplets
            in compound), see :func:`quantize_positions`; ``compound_shift``, against readings in
            beats of three, see :func:`choose_meter`; ``rest_min_beats``, the shortest gap before
            the next note written as a rest (beats), a shorter one is articulation (or a breath)
            and joins the note; ``follow``, for a voice, each interval between onsets written as a
            value of a drifting beat (:func:`.follow.follow_beats`) instead of onsets snapped to
            the tatum grid, in a simple meter (``None``: the grid); a take it reads slower than
            ``follow.min_bpm`` (no tempo given) is written at twice the tempo
            (:func:`.level.at_double_tempo`).

    Returns:
        The rhythm; for no notes, the overrides (or 4/4 at 100 BPM) with no positions.
    """
    if not notes:
        return Rhythm(float(tempo_bpm or 100.0), time_signature or "4/4", 0.0, Fraction(0), (), ())
    grid_penalties, compound_shift, follow = written_as.grid_penalties, written_as.compound_shift, written_as.follow
    if follow is not None and tempo_bpm is not None and len(notes) > 1:
        # A voice given the tempo it is read at (within GIVEN_TEMPO_AGREES) is written as read,
        # at the tempo given: the given beat alone would follow the take at that one level.
        free = analyze(notes, time_signature=time_signature, accent_db=accent_db, written_as=written_as)
        if abs(math.log(free.bpm / tempo_bpm)) <= GIVEN_TEMPO_AGREES:
            return dataclasses.replace(free, bpm=float(tempo_bpm))
    pl = place_on_tatums(notes, tempo_bpm=tempo_bpm, resume_after_pauses=follow is None)
    grid, kc, kc_off, k, d, w = pl.grid, pl.onsets, pl.offsets, pl.k, pl.ioi, pl.weights
    tau = grid.period_s
    beat_s = None if tempo_bpm is None else 60.0 / tempo_bpm * (1.5 if time_signature and is_compound(time_signature) else 1.0)
    pitch = np.array([n.midi for n in notes])
    if pl.resumed:
        # The grid was placed again after a pause: each stretch after one is moved by whole tatums
        # so that it starts where the tune started in the bar (the bar read on the longest stretch).
        kc, kc_off, k, d, local = _resume_in_bar(pl, pitch, accent_db, beat_s=beat_s, time_signature=time_signature)
        pl = dataclasses.replace(pl, onsets=kc, offsets=kc_off, k=k, ioi=d, local=local)
    free = None
    if follow is not None and follow.remeter and time_signature is not None and len(notes) > 1 and not is_compound(time_signature):
        # A voice in a given simple signature: the beat is followed from the reading the take
        # gives without it (unless that one is compound), and the bar read again below in the
        # given signature, as an estimated one would be. The signature's own first reading
        # could follow another beat level and place the bar lines by accents alone.
        free = choose_meter(k, d, w, tau, beat_s=beat_s, pitch=pitch, accent_db=accent_db, compound_shift=compound_shift)
    if free is not None and not free.compound:
        meter = free
    else:
        meter = choose_meter(
            k, d, w, tau, beat_s=beat_s, time_signature=time_signature, pitch=pitch, accent_db=accent_db, compound_shift=compound_shift
        )
    b, m = meter.tatums_per_beat, meter.beats_per_bar
    compound = meter.compound
    beat_q = 1.5 if compound else 1.0
    # Positions in beats from a downbeat.
    r = (kc - meter.downbeat) / b
    r_off = (kc_off - meter.downbeat) / b
    pos = make_increasing(quantize_positions(r, compound=compound, penalties=grid_penalties), step=1.0 / (6.0 if compound else 4.0))
    beat_period_s = None
    if follow is not None and not compound and len(notes) > 1:
        on_s, off_s = np.array([n.onset_s for n in notes]), np.array([n.offset_s for n in notes])
        followed = follow_beats(on_s, b * tau, follow)
        beats = pos[0] + np.append(0.0, np.cumsum(followed.values_beats))
        held = (off_s - on_s) / followed.period_s
        if follow.remeter:
            # The meter read again on the written values, the followed beat as its tatum (in the
            # given signature, and with a given tempo the followed beat as the beat).
            kk = beats - beats[0]
            dd = np.append(np.diff(kk), max(float(held[-1]), 0.5))
            length = float(kk[-1]) + held_value(float(held[-1]), follow)
            levels = None if accent_db is None or not follow.level_weight else follow.level_weight * np.asarray(accent_db, dtype=float)
            again = choose_meter(
                kk,
                dd,
                w,
                float(np.median(followed.period_s)),
                beat_s=None if tempo_bpm is None else float(np.median(followed.period_s)),
                time_signature=time_signature,
                pitch=pitch,
                accent_db=levels,
                compound_shift=compound_shift,
                length_tatums=length,
                bars_price=follow.bars_price,
                bar_log_share=follow.bar_log_share,
                frame_price=follow.frame_price,
            )
            if not again.compound:
                meter, m, group = again, again.beats_per_bar, again.tatums_per_beat
                if follow.tie_price or group > 1:
                    # The values read again at this reading's beat (``group`` followed beats): a
                    # beat of two would otherwise make the follow's shortest value, a sixteenth, a
                    # 32nd, which the score's grid rounds onto a triplet position. With a tie
                    # price, the place in the bar is tracked.
                    period_s = b * tau * group
                    if follow.tie_price:
                        start = float(-again.downbeat % (m * group)) / group
                        # A long silence between phrases (``pause_beats``) is a pause.
                        pauses = (on_s[1:] - off_s[:-1]) >= follow.pause_beats * period_s if follow.pause_beats else None
                        followed = follow_beats_in_bars(on_s, period_s, follow, bar_beats=m, start_beats=start, pauses=pauses)
                    else:
                        followed = follow_beats(on_s, period_s, follow)
                    kk = np.append(0.0, np.cumsum(followed.values_beats))
                    held = (off_s - on_s) / followed.period_s
                beats = kk - again.downbeat / group
        pos, r_off = beats, beats + held
        beat_period_s = followed.period_s
    # Durations: the offset on the fine grid; a gap shorter than half a beat (or
    # ``rest_min_beats``) before the next note is articulation and joins the note.
    unit = 1.0 / (3.0 if compound else 4.0)
    nxt = np.append(pos[1:], np.inf)
    score_zero = float(pos[0])
    down = m * math.ceil(score_zero / m - 1e-9)  # the first bar line
    end = np.maximum(np.round(r_off / unit) * unit, pos + unit)
    end = np.where(nxt - end < written_as.rest_min_beats, nxt, np.minimum(end, nxt))
    if beat_period_s is not None:
        if follow.rest_gap_beats:
            # A note followed by a clear silence (a printed rest, a breath) is written by its held
            # length (let go early: times ``held_stretch``), not the interval to the next onset,
            # and the remainder as a rest.
            for i in np.flatnonzero(nxt[:-1] - r_off[:-1] >= follow.rest_gap_beats):
                held_beats = float(r_off[i] - pos[i]) * follow.held_stretch
                end[i] = pos[i] + held_value(held_beats, follow, at_most_beats=float(nxt[i] - pos[i]))
        # The last note held as long as the singer liked: the likeliest value of its length,
        # unless the bar line after it lies within the singer's early let-go (the held length
        # times ``held_stretch``, as before a rest): then the tune's last note ends its bar.
        held_last = float(r_off[-1] - pos[-1])
        end[-1] = pos[-1] + held_value(held_last, follow)
        fill = bar_line_at_or_before(float(pos[-1]), first_line=down, bar_beats=m) + m - float(pos[-1])
        if end[-1] - pos[-1] < fill - 1e-9 and fill <= held_last * follow.held_stretch + 1e-9 and np.isclose(VALUES_BEATS, fill).any():
            end[-1] = pos[-1] + fill
    else:
        # A note followed by a rest (the last note too: it has no next onset to be written up
        # to): where it was let go, plus the silence the notes before it left before the next
        # one, is its end on the grid; where that reaches the next beat and a rest of at least
        # ``rest_min_beats`` still follows, it lasts to that beat (a quarter played detached
        # before a rest is no dotted eighth and sixteenth rest).
        gap = articulation_gap(pos, r_off, rest_min_beats=written_as.rest_min_beats)
        beat_after = np.ceil(r_off - 1e-9)
        reaches = (
            (end < nxt)
            & (beat_after - r_off > 1e-9)
            & (beat_after - r_off <= gap + unit / 2.0)
            & (nxt - beat_after >= written_as.rest_min_beats - 1e-9)
        )
        end = np.where(reaches, np.maximum(end, beat_after), end)
        if end[-1] - pos[-1] > 1.0:
            # Held past its beat, it is written in whole beats: where it was let go is not
            # rhythm (a held A4 ended "half tied to a sixteenth").
            held_end = beat_after[-1] if reaches[-1] else r_off[-1]
            end[-1] = pos[-1] + max(1.0, float(np.round(held_end - pos[-1])))
    if end[-1] <= down + 1e-9:
        # The whole take before the first bar line (a lone held tone) is no pickup: it starts a bar.
        down = score_zero
    # Nor is a last note that runs a grid step past a bar line: it ends at the bar line rather
    # than open a bar of a tied sixteenth and rests (a sung final note of 3 beats from the last
    # sixteenth of a 3/4 bar). An instrument's last note ends there too where it runs past it by
    # no more than it holds before it (a piano's or a hall's ring after a final eighth); a
    # voice's is not cut there (the followed beat's bar lines are less sure).
    line = bar_line_at_or_before(float(end[-1]), first_line=down, bar_beats=m)
    before_beats = line - float(pos[-1])
    past = unit if before_beats >= unit - 1e-9 else 0.0
    if follow is None:
        past = max(past, before_beats)
    if 1e-9 < end[-1] - line <= past + 1e-9:
        end[-1] = line
    dur = end - pos
    pickup_beats = down - score_zero
    onsets_q = tuple(frac((p - score_zero) * beat_q) for p in pos)
    durations_q = tuple(frac(x * beat_q) for x in dur)
    bpm = float(tempo_bpm) if tempo_bpm is not None else 60.0 / (b * tau / beat_q)
    origin_s = grid.phase_s + (meter.downbeat + down * b) * tau
    pickup_q = frac(pickup_beats * beat_q)
    # The beat grid in performance time: every whole quarter of the score to the end of its
    # last bar, on the tempo-following grid of the last note placed at or before it.
    measure_q = TimeSignature(meter.time_signature).measure_q
    end_q = onsets_q[-1] + durations_q[-1]
    bars = math.ceil((end_q - pickup_q) / measure_q) if end_q > pickup_q else 0
    q = np.arange(int(math.ceil(pickup_q + bars * measure_q)) + 1, dtype=np.float64)
    if beat_period_s is not None:
        # Onsets where they were sung; between and beyond them, the followed beat.
        at_q = (pos - score_zero) * beat_q
        quarter_s = np.interp(q, at_q, on_s)
        before, after = q < at_q[0], q > at_q[-1]
        quarter_s[before] = on_s[0] - (at_q[0] - q[before]) * beat_period_s[0] / beat_q
        quarter_s[after] = on_s[-1] + (q[after] - at_q[-1]) * beat_period_s[-1] / beat_q
        origin_s = float(np.interp(float(pickup_q), q, quarter_s))
        if tempo_bpm is None:
            bpm = 60.0 / float(np.median(beat_period_s) / beat_q)
    else:

        def on_grid_s(rows: np.ndarray, at_q: np.ndarray) -> np.ndarray:
            """Performance time of score positions ``at_q`` (quarters) on the local grids ``rows``."""
            return pl.local[rows, 0] + (meter.downbeat + (at_q / beat_q + score_zero) * b) * pl.local[rows, 1]

        which = np.clip(np.searchsorted(np.array([float(x) for x in onsets_q]), q, side="right") - 1, 0, len(notes) - 1)
        quarter_s = on_grid_s(which, q)
        for i in pl.resumed:
            # Over a pause where the grid was placed again, the quarters run evenly from the note
            # before it to the note after it (the grid before it, carried on, could pass that note).
            a_q, c_q = float(onsets_q[i - 1]), float(onsets_q[i])
            ends_s = on_grid_s(np.array([i - 1, i]), np.array([a_q, c_q]))
            inside = (q > a_q) & (q < c_q)
            quarter_s[inside] = np.interp(q[inside], [a_q, c_q], ends_s)
    rh = Rhythm(
        bpm, meter.time_signature, float(origin_s), pickup_q, onsets_q, durations_q, quarter_times_s=tuple(float(t) for t in quarter_s)
    )
    if follow is not None and tempo_bpm is None and bpm < follow.min_bpm and rh.time_signature in DOUBLED_METERS:
        # A beat this slow is the printed half note: the same notes at twice the tempo.
        return at_double_tempo(rh, keep_meter=time_signature is not None)
    return rh
