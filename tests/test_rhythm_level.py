"""A slow reading written at twice the tempo (issue 23, ``transcribe/rhythm/level.py``)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcribe import notation, rhythm
from transcribe.rhythm.level import DOUBLED_METERS, at_double_tempo
from transcribe.types import Note, Rhythm, WrittenNote

F = Fraction


def _rhythm(ts: str, pickup_q: Fraction, lengths_q: list[Fraction], *, bpm: float = 40.0) -> Rhythm:
    """Notes of ``lengths_q`` back to back from the score's start, on a steady beat grid through
    the end of the last bar."""
    onsets = [sum(lengths_q[:i], F(0)) for i in range(len(lengths_q))]
    bar = Rhythm(bpm, ts, 0.0, F(0), (), ()).measure_q
    end = onsets[-1] + lengths_q[-1]
    last_bar_end = pickup_q + bar * max(0, -(-(end - pickup_q) // bar))
    quarter_s = 60.0 / bpm
    times = tuple(0.5 + k * quarter_s for k in range(int(np.ceil(float(last_bar_end))) + 1))
    return Rhythm(bpm, ts, 0.5 + float(pickup_q) * quarter_s, pickup_q, tuple(onsets), tuple(lengths_q), quarter_times_s=times)


def test_a_four_four_reading_keeps_its_meter_and_each_bar_becomes_two() -> None:
    slow = _rhythm("4/4", F(1), [F(1), F(1, 2), F(1, 2), F(1), F(2), F(1, 4), F(1, 4), F(1, 2), F(4)])
    fast = at_double_tempo(slow)
    assert fast.bpm == 80.0 and fast.time_signature == "4/4"
    assert fast.pickup_q == 2
    assert fast.onsets_q == tuple(2 * q for q in slow.onsets_q)
    assert fast.durations_q == tuple(2 * d for d in slow.durations_q)
    # The beat grid: every new quarter is an old half quarter, in the same performance time.
    assert len(fast.quarter_times_s) == 2 * len(slow.quarter_times_s) - 1
    assert fast.quarter_times_s[::2] == slow.quarter_times_s
    assert fast.quarter_times_s[1] == pytest.approx((slow.quarter_times_s[0] + slow.quarter_times_s[1]) / 2)
    assert fast.origin_s == pytest.approx(slow.quarter_times_s[1])  # the first downbeat, where it was sung
    # Every old bar line is a new one.
    old_lines = {slow.pickup_q + k * slow.measure_q for k in range(6)}
    new_lines = {fast.pickup_q + k * fast.measure_q for k in range(12)}
    assert {2 * x for x in old_lines} <= new_lines


def test_a_two_four_reading_becomes_four_four_with_the_same_bar_lines() -> None:
    slow = _rhythm("2/4", F(1, 2), [F(1, 2), F(1), F(1), F(1, 2), F(1, 2), F(2)])
    fast = at_double_tempo(slow)
    assert fast.time_signature == "4/4" and fast.pickup_q == 1
    assert fast.measure_q == 2 * slow.measure_q
    # A meter the user gave is kept: two 2/4 bars for each.
    kept = at_double_tempo(slow, keep_meter=True)
    assert kept.time_signature == "2/4" and kept.pickup_q == 1


def test_a_long_pickup_gives_a_whole_bar_to_the_first_full_bar() -> None:
    slow = _rhythm("3/4", F(2), [F(1), F(1), F(3), F(3)])
    fast = at_double_tempo(slow)
    assert fast.time_signature == "3/4"
    assert fast.pickup_q == 1  # 4 quarters at the new level: a pickup of 1 and a full bar of 3
    assert fast.onsets_q == (0, 2, 4, 10)
    assert fast.origin_s == pytest.approx(slow.quarter_times_s[0] + 0.5 * (slow.quarter_times_s[1] - slow.quarter_times_s[0]))


def test_only_the_simple_meters_are_doubled() -> None:
    with pytest.raises(ValueError, match="6/8"):
        at_double_tempo(_rhythm("6/8", F(0), [F(3, 2), F(3, 2)]))


@st.composite
def _slow_rhythms(draw: st.DrawFn) -> Rhythm:
    ts = draw(st.sampled_from(DOUBLED_METERS))
    bar = Rhythm(40.0, ts, 0.0, F(0), (), ()).measure_q
    pickup = F(draw(st.integers(0, int(bar * 4) - 1)), 4)
    lengths = [F(draw(st.sampled_from((1, 2, 3, 4, 6, 8, 12, 16))), 4) for _ in range(draw(st.integers(1, 16)))]
    return _rhythm(ts, pickup, lengths)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_slow_rhythms())
def test_doubled_rhythms_are_written_in_full_bars_with_the_same_notes(slow: Rhythm) -> None:
    """Any rhythm of a doubled meter, written at twice the tempo: full bars, and the notes read
    back from the measures (ties joined) are the notes that went in, twice as long."""
    fast = at_double_tempo(slow)
    written = tuple(WrittenNote(0.0, 0.0, 60, "C4", q, d, 0, 1.0, 0.0, 1.0) for q, d in zip(fast.onsets_q, fast.durations_q, strict=True))
    ms = notation.measures(written, fast, key="C major")
    for m in ms[1:-1]:
        assert sum((e.duration_q for e in m.events), F(0)) == fast.measure_q
    starts, pos = [], F(0)
    if fast.pickup_q:
        pos = fast.pickup_q - ms[0].length_q
    for m in ms:
        for e in m.events:
            if e.name is not None and not e.tie_stop:
                starts.append(pos)
            pos += e.duration_q
    assert starts == [2 * q for q in slow.onsets_q]
    # Times: increasing, and the old grid's at every even quarter.
    assert np.all(np.diff(fast.quarter_times_s) > 0)
    assert fast.quarter_times_s[::2] == slow.quarter_times_s


#: Quarters, halves and whole notes in 4/4 (quarter notes).
TUNE = [1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 4, 1, 1, 2, 1, 1, 2, 4]


def _sung(quarter_s: float) -> tuple[Note, ...]:
    t, out = 0.4, []
    for b in TUNE:
        out.append(Note(t, t + b * quarter_s - 0.06, 64))
        t += b * quarter_s
    return tuple(out)


def test_a_voice_read_under_the_floor_is_written_at_twice_the_tempo() -> None:
    """The fitted floor (``sung_meter.npz``): a take of quarters and halves sung at 44 BPM (the
    pace of a slow learner singing eighths and quarters) is written at 88 BPM in values twice as
    long, the same 4/4; with no floor it stays at the slow reading."""
    voice = rhythm.SungRhythm.load()
    assert voice.follow is not None and voice.follow.min_bpm > 44
    notes = _sung(1.35)
    slow = rhythm.analyze(notes, written_as=replace(voice, follow=replace(voice.follow, min_bpm=0.0)))
    assert 40 < slow.bpm < 45 and slow.time_signature == "4/4"
    written = rhythm.analyze(notes, written_as=voice)
    assert written.bpm == pytest.approx(2 * slow.bpm) and written.time_signature == "4/4"
    assert written.durations_q == tuple(2 * d for d in slow.durations_q)
    assert written.onsets_q == tuple(2 * q for q in slow.onsets_q)
    # A tempo the user gives is never changed; a meter the user gives is kept (two 2/4 bars).
    assert rhythm.analyze(notes, tempo_bpm=43.0, written_as=voice).bpm == 43.0
    given = rhythm.analyze(notes, time_signature="2/4", written_as=voice)
    given_slow = rhythm.analyze(notes, time_signature="2/4", written_as=replace(voice, follow=replace(voice.follow, min_bpm=0.0)))
    assert given.time_signature == "2/4" and given.bpm == pytest.approx(2 * given_slow.bpm)
    assert given.durations_q == tuple(2 * d for d in given_slow.durations_q)
