"""A voice's written rhythm from its inter-onset intervals, with a tempo that drifts (issue 23).

A singer who slows from 0.6 s to 1 s a quarter through a take moves every later onset off a
grid that holds one tempo (within 8 %), and each note comes out dotted or doubled. Here each
interval between onsets is read as a written value times the local beat, and the beat is a
slow random walk: a Viterbi path over the beat period (log scale) and the value of every
interval. An interval costs its squared log error against ``value x beat`` (SD ``timing_sd``),
plus a price for the value (``value_price`` x how rare it is between the onsets of folk songs:
eighths and quarters common, halves and dotted quarters less, dotted halves and wholes rare);
the beat moves with SD ``drift_sd`` per note. One late note then costs one interval, not the
rest of the bar, and a slowing singer's quarters stay quarters. The last note, held as long as
the singer liked, is written as the likeliest value of its length (:func:`held_value`).
The meter may then be read again on the written values (``remeter``). Fitted by
``benchmarks/fit_sung_rhythm.py`` (``sung_rhythm.npz``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The values (in beats) an interval between onsets may take. A rest is part of the interval
#: before it (1 + 1/2 ...).
VALUES_BEATS = (1.0, 0.5, 2.0, 1.5, 0.25, 3.0, 4.0, 0.75, 2.5, 3.5, 6.0, 8.0)


def value_surprise(counts: np.ndarray) -> tuple[float, ...]:
    """Per value of :data:`VALUES_BEATS`, how rare it is among sung melodies: ``-ln`` of its count
    (plus a half) over the commonest's; 0 for the commonest. ``counts`` as ``VALUES_BEATS``."""
    c = np.asarray(counts, dtype=float) + 0.5
    return tuple(float(x) for x in -np.log(c / c.max()))


#: The beat periods the path may take, as factors of the meter reading's beat (its average over
#: the take): within them a take may slow or hurry by half, but not change its tempo level
#: (the folk-song prices, eighths cheapest, would otherwise halve a waltz's tempo and values).
PERIOD_FACTORS = np.exp(np.linspace(np.log(2.0 / 3.0), np.log(1.5), 281))
#: The longest a pause between phrases is read as (bars; :attr:`TempoFollow.pause_beats`).
PAUSE_BARS = 3


@dataclass(frozen=True)
class TempoFollow:
    """How the beat may drift and which values are preferred (see the module docstring).

    Attributes:
        drift_sd: SD of the log beat period from one onset to the next.
        timing_sd: SD of an interval's log error against its written value.
        value_price: How much a value's rarity counts (times ``value_surprise``, in the same
            units as the squared errors / 2).
        remeter: Whether the meter is read again on the written values (the followed beat
            as the tatum) rather than kept from the tatum grid's reading; a given time
            signature or tempo restricts that reading, as it does the first.
        start_sd: SD of the first beat's log period around the meter's beat.
        value_surprise: Per value of :data:`VALUES_BEATS`, its rarity (:func:`value_surprise`
            of folk-song counts, ``sung_rhythm.npz``); all 0 for no preference.
        bars_price: With ``remeter``, the price of a reading that makes the tune's length in
            bars a rare one (``rhythm.meter.bar_count_cost`` of ``bar_log_share``); 0 for none.
        bar_log_share: Per whole number of bars (from 0), the log share of folk songs that long,
            0 for the commonest (``sung_meter.npz``); empty for none.
        frame_price: With ``remeter``, the bonus of a reading (and of its downbeat) that starts
            the tune on a downbeat and ends it on a bar line (``rhythm.meter.phrase_frame``).
        tie_price: With ``remeter``, once the meter is read, the values are read again with the
            place in the bar tracked (:func:`follow_beats_in_bars`) and this price for each note
            that crosses a bar line (a tie); 0 keeps the first reading.
        rest_gap_beats: A note followed by at least this much silence before the next onset
            (beats; a printed rest, a breath) is written as the likeliest value of its held length
            (:func:`held_value`) and the rest of the interval as a rest, instead of filling the
            interval up to ``SungRhythm.rest_min_beats`` of silence; 0 for none.
        held_stretch: The held length of a note before such a rest is read times this: a singer
            lets the note go before its written value ends, to breathe; 1 for none.
        min_bpm: A tune read slower than this (quarter-note BPM, no tempo given) is written at
            twice the tempo (``rhythm.level.at_double_tempo``): its beat was the printed half
            note; 0 for never.
        sync_price: With a ``tie_price`` (0 leaves the place in the bar untracked, and this
            with it), the price of a syncopation: a note (the interval to the next onset) that
            starts on a weaker place of the bar than a beat or half bar it crosses
            (:func:`syncopated`), e.g. a half note from beat 2 of a 4/4 bar; 0 for none.
        level_weight: With ``remeter``, how much the notes' levels count when the meter is read
            again (each note's peak level in dB times this): the meter model learned that
            players lean on downbeats, while a singer's loudness follows the words and the
            breath; 0 reads the values and pitches alone, 1 as an instrument's.
        pause_beats: With a ``tie_price`` (the place in the bar tracked), an interval whose
            silence, from the note's end to the next onset, lasts at least this many beats is a
            pause between phrases: a singer takes it as long as they like, so it is read as
            any whole or half number of beats up to :data:`PAUSE_BARS` bars (timing SD
            ``pause_sd``, no value price, no tie or syncopation price: a rest crosses bar lines
            freely); 0 for none.
        pause_sd: SD of a pause's log error against its written length.
        restart_bonus: Taken off a pause that brings the next onset to the place in the bar
            where the take's first onset stands: a phrase after a pause starts where the first
            phrase did (a song's phrases share its pickup).
    """

    drift_sd: float = 0.05
    timing_sd: float = 0.15
    value_price: float = 0.3
    remeter: bool = False
    start_sd: float = 0.1
    value_surprise: tuple[float, ...] = (0.0,) * len(VALUES_BEATS)
    bars_price: float = 0.0
    bar_log_share: tuple[float, ...] = ()
    frame_price: float = 0.0
    tie_price: float = 0.0
    rest_gap_beats: float = 0.0
    held_stretch: float = 1.0
    min_bpm: float = 0.0
    sync_price: float = 0.0
    level_weight: float = 1.0
    pause_beats: float = 0.0
    pause_sd: float = 0.3
    restart_bonus: float = 0.0


@dataclass(frozen=True)
class FollowedBeats:
    """The path: each interval's written value (beats), shape (n - 1,), and the beat period each
    interval was read with (seconds; the last note's repeats the last interval's), shape (n,)."""

    values_beats: np.ndarray
    period_s: np.ndarray


def _timing_cost(length_s: float, periods_s: np.ndarray, values_beats: np.ndarray, sd: float) -> np.ndarray:
    """The squared log timing error (over ``2 sd**2``) of reading ``length_s`` (seconds) as each of
    ``values_beats`` (shape (v,)) at each beat period of ``periods_s`` (seconds, shape (k,)),
    shape (k, v)."""
    return 0.5 * ((np.log(length_s) - np.log(values_beats[None, :] * periods_s[:, None])) / sd) ** 2


def _read_cost(length_s: float, periods_s: np.ndarray, how: TempoFollow) -> np.ndarray:
    """The price of reading ``length_s`` (seconds) as each value of :data:`VALUES_BEATS` at each
    beat period of ``periods_s`` (seconds, shape (k,)): the log timing error plus the value's
    price, shape (k, len(VALUES_BEATS))."""
    prior = how.value_price * np.array(how.value_surprise)
    return _timing_cost(length_s, periods_s, np.array(VALUES_BEATS), how.timing_sd) + prior[None, :]


def _drift_costs(periods_s: np.ndarray, beat_s: float, how: TempoFollow) -> tuple[np.ndarray, np.ndarray]:
    """The price of starting at each beat period (against ``beat_s``), shape (k,), and of moving
    from one to another between two onsets, shape (k, k) [from, to]."""
    logp = np.log(periods_s)
    start = 0.5 * ((logp - np.log(beat_s)) / how.start_sd) ** 2
    return start, 0.5 * ((logp[:, None] - logp[None, :]) / how.drift_sd) ** 2


def follow_beats(onsets_s: np.ndarray, beat_s: float, how: TempoFollow) -> FollowedBeats:
    """The likeliest written values of the intervals between ``onsets_s`` and the drifting beat.

    Args:
        onsets_s: Onsets in seconds, increasing, shape (n,), n >= 1.
        beat_s: The beat period the meter reading gives (seconds).
        how: The drift, timing and value prices.

    Returns:
        The values and periods (:class:`FollowedBeats`).
    """
    n = len(onsets_s)
    if n < 2:
        return FollowedBeats(np.zeros(0), np.full(n, beat_s))
    periods = beat_s * PERIOD_FACTORS
    values = np.array(VALUES_BEATS)
    cost, trans = _drift_costs(periods, beat_s, how)
    ioi = np.maximum(np.diff(onsets_s), 1e-3)
    back_p = np.empty((n - 1, len(periods)), dtype=np.int64)
    back_v = np.empty((n - 1, len(periods)), dtype=np.int64)
    to = np.arange(len(periods))
    for i, gap in enumerate(ioi):
        # The beat moves, then the interval is read with the new period.
        total = cost[:, None] + trans
        back_p[i] = np.argmin(total, axis=0)
        err = _read_cost(gap, periods, how)
        back_v[i] = np.argmin(err, axis=1)
        cost = total[back_p[i], to] + err[to, back_v[i]]
    j = int(np.argmin(cost))
    vals = np.empty(n - 1)
    per = np.empty(n - 1)
    for i in range(n - 2, -1, -1):
        vals[i], per[i] = values[back_v[i, j]], periods[j]
        j = int(back_p[i, j])
    return FollowedBeats(vals, np.append(per, per[-1]))


def held_value(length_beats: float, how: TempoFollow, *, at_most_beats: float = np.inf) -> float:
    """The value (beats) a note held ``length_beats`` is written as: the likeliest of the values of
    :data:`VALUES_BEATS` no longer than ``at_most_beats`` (the interval to the next onset; the
    shortest value if none is), by its log error plus the value's price."""
    values = np.array(VALUES_BEATS)
    cost = np.where(values <= at_most_beats + 1e-9, _read_cost(max(length_beats, 1e-3), np.ones(1), how)[0], np.inf)
    return float(values[int(np.argmin(cost))]) if np.isfinite(cost).any() else float(values.min())


def metric_levels(bar_beats: int) -> np.ndarray:
    """The metrical weight of each sixteenth of a bar of ``bar_beats`` beats, shape (4 * bar_beats,):
    3 on the downbeat, 2 on the half bar of a 4/4 bar, 1 on a beat, 0.5 on an eighth, 0 else."""
    at = np.arange(4 * bar_beats)
    level = np.where(at % 4 == 0, 1.0, np.where(at % 2 == 0, 0.5, 0.0))
    if bar_beats == 4:
        level[8] = 2.0
    level[0] = 3.0
    return level


def syncopated(bar_beats: int, lengths_16ths: np.ndarray) -> np.ndarray:
    """Whether a note ``lengths_16ths`` sixteenths long (shape (v,)) from each sixteenth of a bar
    crosses a beat or half bar stronger than the place it starts on (a bar line is the tie
    price's), shape (v, 4 * bar_beats) [value, place]."""
    level = metric_levels(bar_beats)
    places = len(level)
    out = np.zeros((len(lengths_16ths), places), dtype=bool)
    for v, length in enumerate(lengths_16ths):
        for a in range(places):
            crossed = level[(a + np.arange(1, int(length))) % places]
            crossed = crossed[(crossed >= 1.0) & (crossed < 3.0)]
            out[v, a] = crossed.size > 0 and crossed.max() > level[a]
    return out


def follow_beats_in_bars(
    onsets_s: np.ndarray, beat_s: float, how: TempoFollow, *, bar_beats: int, start_beats: float, pauses: np.ndarray | None = None
) -> FollowedBeats:
    """:func:`follow_beats` with the place in the bar tracked: the path's state is the beat period
    and the onset's place in the bar (in sixteenths of a beat), and a note that crosses a bar line
    costs ``how.tie_price`` more, one that runs from a weak place over a stronger beat or half
    bar (:func:`syncopated`) ``how.sync_price`` more. One interval read as an eighth instead of a
    quarter then no longer moves every later bar line for free: the path pays for the ties and
    syncopations that follow it. A pause between phrases (``pauses``) is read as any whole or
    half number of beats, and one that brings the next phrase to the first onset's place in the
    bar gains ``how.restart_bonus`` (:class:`TempoFollow`'s ``pause_beats``).

    Args:
        onsets_s: Onsets in seconds, increasing, shape (n,), n >= 1.
        beat_s: The beat period of the meter reading (seconds).
        how: The drift, timing, value, tie, syncopation and pause prices.
        bar_beats: Beats in a bar of the meter read.
        start_beats: The first onset's place in its bar (beats from the downbeat).
        pauses: Per interval between onsets, whether it is a pause between phrases, shape
            (n - 1,); ``None`` for none.
    """
    n = len(onsets_s)
    if n < 2:
        return FollowedBeats(np.zeros(0), np.full(n, beat_s))
    periods = beat_s * PERIOD_FACTORS[::2]  # every other period: the state space is periods x places
    values = np.array(VALUES_BEATS)
    steps = np.round(values * 4).astype(np.int64)  # each value in sixteenths
    pause_values = np.arange(1.0, PAUSE_BARS * bar_beats + 1e-9, 0.5)
    pause_steps = np.round(pause_values * 4).astype(np.int64)
    start, trans = _drift_costs(periods, beat_s, how)
    places = 4 * bar_beats
    at = np.arange(places)
    first = int(round(start_beats * 4)) % places
    sync = how.sync_price * syncopated(bar_beats, steps)  # [value, place]
    cost = np.full((len(periods), places), np.inf)
    cost[:, first] = start
    back: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for i, gap in enumerate(np.maximum(np.diff(onsets_s), 1e-3)):
        paused = pauses is not None and bool(pauses[i])
        if paused:
            vals_i, steps_i = pause_values, pause_steps
            err = _timing_cost(gap, periods, vals_i, how.pause_sd)  # [to, value]: no value price
        else:
            vals_i, steps_i = values, steps
            err = _read_cost(gap, periods, how)  # [to, value]
        best = np.full_like(cost, np.inf)
        from_p = np.zeros(cost.shape, dtype=np.int64)
        value = np.zeros(cost.shape, dtype=np.int64)
        # The beat moves first: the best previous period for each (period, place) does not depend
        # on the value read next (a tie's price depends on the place alone), so it is found once.
        moved = cost[:, None, :] + trans[:, :, None]  # [from, to, place]
        arg0 = np.argmin(moved, axis=0)
        moved_min = np.take_along_axis(moved, arg0[None], axis=0)[0]  # [to, place]
        for v, step in enumerate(steps_i):
            if paused:  # from this place: back where the first phrase started?
                price = np.where((at + step) % places == first, -how.restart_bonus, 0.0)
            else:  # from this place: a tie, a syncopation
                price = how.tie_price * (at + step > places) + sync[v]
            got = moved_min + price[None, :] + err[:, v][:, None]
            got, arg = np.roll(got, step, axis=1), np.roll(arg0, step, axis=1)  # to the next onset's place
            better = got < best
            best, from_p, value = np.where(better, got, best), np.where(better, arg, from_p), np.where(better, v, value)
        back.append((from_p, value, vals_i, steps_i))
        cost = best
    j, h = np.unravel_index(int(np.argmin(cost)), cost.shape)
    vals, per = np.empty(n - 1), np.empty(n - 1)
    for i in range(n - 2, -1, -1):
        from_p, value, vals_i, steps_i = back[i]
        v = int(value[j, h])
        vals[i], per[i] = vals_i[v], periods[j]
        j, h = int(from_p[j, h]), int((h - steps_i[v]) % places)
    return FollowedBeats(vals, np.append(per, per[-1]))
