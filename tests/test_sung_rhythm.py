"""A voice's rhythm is written in simple values (issue 23): the fitted grid penalties."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcribe import rhythm
from transcribe.types import Note
from transcribe.values import TimeSignature

#: Quarters, eighths, a dotted quarter and halves in 2/4, twice (quarter notes).
BEATS = [1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 2, 1, 0.5, 0.5, 1, 1, 1.5, 0.5, 2] * 2


def _sung(jitter_s: float, seed: int) -> tuple[Note, ...]:
    """The rhythm at 100 BPM with every onset early or late by up to ``jitter_s`` (seeded)."""
    rng = np.random.default_rng(seed)
    t, q, out = 0.3, 0.6, []
    for b in BEATS:
        out.append(Note(t + rng.uniform(-jitter_s, jitter_s), t + b * q - 0.05, 60))
        t += b * q
    return tuple(out)


def test_loose_sung_onsets_are_written_in_the_printed_simple_values() -> None:
    notes = _sung(0.08, seed=0)
    voice = rhythm.analyze(notes, written_as=rhythm.SungRhythm(grid_penalties=rhythm.SungRhythm.load().grid_penalties))
    assert list(voice.durations_q) == [Fraction(b).limit_denominator(4) for b in BEATS]
    # An instrument's penalties read the same onsets as sixteenths here and there.
    instrument = rhythm.analyze(notes)
    assert list(instrument.durations_q) != list(voice.durations_q)


def test_sung_penalties_are_package_data_and_dearer_than_an_instruments() -> None:
    fine, other = rhythm.SungRhythm.load().grid_penalties
    assert fine > rhythm.FINE_PENALTY and other > rhythm.OTHER_PENALTY


#: Quarters, eighths and halves (no dotted quarter: after a steep slowdown the fitted prices
#: read one as a half, docs/intonation.md).
PLAIN = [1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 2, 1, 0.5, 0.5, 1, 1, 1, 1, 2] * 2


def _slowing(jitter_s: float, seed: int) -> tuple[Note, ...]:
    """:data:`PLAIN` with the quarter slowing from 0.55 s to 0.95 s through the take, every onset
    early or late by up to ``jitter_s`` (seeded)."""
    rng = np.random.default_rng(seed)
    t, out = 0.3, []
    for i, b in enumerate(PLAIN):
        q = 0.55 + 0.4 * i / (len(PLAIN) - 1)
        out.append(Note(t + rng.uniform(-jitter_s, jitter_s), t + b * q - 0.05, 60))
        t += b * q
    return tuple(out)


def test_a_singer_who_slows_down_keeps_the_printed_values_when_the_beat_is_followed() -> None:
    notes = _slowing(0.03, seed=1)
    want = [Fraction(b).limit_denominator(4) for b in PLAIN]
    voice = rhythm.SungRhythm.load()
    assert voice.follow is not None
    followed = rhythm.analyze(notes, written_as=voice)
    # One tempo level for the whole take (a factor 2 would be the same page at another tempo).
    got = list(followed.durations_q)
    scale = Fraction(want[0]) / got[0]
    assert [g * scale for g in got] == want
    # On the tatum grid (its tempo held within 8 %) the slowing quarters turn dotted or long.
    grid = rhythm.analyze(notes, written_as=replace(voice, follow=None))
    assert [g * scale for g in grid.durations_q] != want
    # The beat grid in performance time runs through the sung onsets, increasing.
    times = np.array(followed.quarter_times_s)
    assert np.all(np.diff(times) > 0)
    at = {float(q): n.onset_s for q, n in zip(followed.onsets_q, notes)}
    for k, t in enumerate(times):
        if float(k) in at:
            assert abs(t - at[float(k)]) < 1e-9


def test_follow_beats_reads_intervals_as_values_of_a_drifting_beat() -> None:
    beat = 0.5 * np.exp(np.linspace(0.0, np.log(1.3), 13))  # the beat slows by 30 %
    values = np.array([1, 1, 0.5, 0.5, 1, 2, 1, 1, 1.5, 0.5, 2, 1])
    onsets = np.append(0.0, np.cumsum(values * beat[:-1]))
    path = rhythm.follow_beats(onsets, 0.5, rhythm.SungRhythm.load().follow)
    assert list(path.values_beats) == list(values)
    assert path.period_s[-1] > path.period_s[0]
    # Without following (the beat held), the late intervals read longer values.
    held = rhythm.follow_beats(onsets, 0.5, rhythm.TempoFollow(1e-4, 0.15, 1.0, start_sd=1e-3))
    assert list(held.values_beats) != list(values)


def test_a_sung_waltz_keeps_its_quarters_and_dotted_halves() -> None:
    # The folk-song prices make eighths the cheapest value: the followed beat must still keep the
    # meter reading's tempo level, not halve every value (a waltz's dotted halves stay dotted halves).
    waltz = [1, 2, 1, 1, 1, 3, 1, 1, 1, 3, 3] * 2
    rng = np.random.default_rng(2)
    t, notes = 0.3, []
    for b in waltz:
        notes.append(Note(t + rng.uniform(-0.02, 0.02), t + b * 60 / 132 - 0.04, 67))
        t += b * 60 / 132
    voice = rhythm.SungRhythm.load()
    got = rhythm.analyze(tuple(notes), written_as=voice)
    assert list(got.durations_q) == [Fraction(b) for b in waltz]


def _stepping(values: list[float], seed: int, quarter_s: float = 0.6) -> tuple[Note, ...]:
    """A stepwise melody (seeded) in ``values`` (quarter notes), every onset early or late by up
    to 40 ms."""
    rng = np.random.default_rng(seed)
    t, midi, out = 0.3, 64, []
    for b in values:
        out.append(Note(t + rng.uniform(-0.04, 0.04), t + b * quarter_s - 0.05, midi))
        t += b * quarter_s
        midi = int(np.clip(midi + rng.choice([-2, -1, 1, 2]), 57, 72))
    return tuple(out)


def _voice(notes: tuple[Note, ...], follow: rhythm.TempoFollow):
    return rhythm.analyze(notes, written_as=replace(rhythm.SungRhythm.load(), follow=follow))


def test_bar_count_cost_reads_how_rare_a_length_in_bars_is() -> None:
    readings = [rhythm.MeterChoice(1, m, 0, f"{m}/4") for m in (2, 3, 4)]
    share = np.log(np.array([1, 1, 1, 1, 2, 1, 2, 1, 40, 1, 10, 1, 30, 1, 3, 1, 35], dtype=float) / 40)
    two, three, four = rhythm.bar_count_cost(readings, 24.0, share)  # 12, 8 and 6 bars
    assert three == 0.0 and 0.0 < two < four
    two, three, four = rhythm.bar_count_cost(readings, 48.0, share)  # 24 (past the table: 16), 16 and 12 bars
    assert two == pytest.approx(three) and four == pytest.approx(-np.log(30 / 40))
    # The shipped table: folk songs of 8, 12 and 16 bars are common, 6 bars rare.
    fitted = np.asarray(rhythm.SungRhythm.load().follow.bar_log_share)
    assert fitted.max() == 0.0 and fitted[8] == 0.0
    assert min(fitted[12], fitted[16]) > -1.0 and fitted[6] < -2.0


#: Eight bars of 3/4 in quarters and eighths, ending on a dotted half (24 quarters).
EIGHT_BARS_OF_THREE = [1, 1, 1, 0.5, 0.5, 1, 1, 1, 1, 1, 2, 1, 1, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 3]


def test_a_sung_tune_of_eight_bars_of_three_is_written_in_three_four() -> None:
    fitted = rhythm.SungRhythm.load().follow
    assert fitted is not None and fitted.frame_price > 0
    for seed in range(3):
        notes = _stepping(EIGHT_BARS_OF_THREE, seed)
        got = _voice(notes, fitted)
        assert got.time_signature == "3/4"
        assert list(got.durations_q) == [Fraction(b) for b in EIGHT_BARS_OF_THREE]
        # Without the phrase frame (and the bar count, which the fitted voice leaves at 0), the
        # meter model reads these takes in four; a priced bar count alone keeps them in three.
        bare = replace(fitted, bars_price=0.0, frame_price=0.0)
        assert _voice(notes, bare).time_signature == "4/4"
        assert _voice(notes, replace(bare, bars_price=16.0)).time_signature == "3/4"


@pytest.mark.parametrize(("held_beats", "final_q"), [(2.9, 3), (2.4, 3), (1.6, Fraction(3, 2))])
def test_a_last_note_let_go_a_little_early_ends_its_bar(held_beats: float, final_q: Fraction) -> None:
    # The final dotted half of eight bars of 3/4, let go after 2.4 beats (most singers let the
    # last note go early), was written as a half and a quarter rest. Where the bar line after it
    # lies within the let-go that a note before a rest is allowed (``held_stretch``), the last
    # note ends its bar; one let go after 1.6 beats keeps the value it was held.
    fitted = rhythm.SungRhythm.load().follow
    assert fitted is not None
    for seed in range(3):
        notes = list(_stepping(EIGHT_BARS_OF_THREE, seed))
        notes[-1] = Note(notes[-1].onset_s, notes[-1].onset_s + held_beats * 0.6, notes[-1].midi)
        got = _voice(tuple(notes), fitted)
        assert (got.time_signature, got.pickup_q) == ("3/4", 0)
        assert list(got.durations_q) == [Fraction(b) for b in EIGHT_BARS_OF_THREE[:-1]] + [final_q]


def test_the_bar_count_leaves_a_tune_of_sixteen_bars_of_two_in_two_or_four() -> None:
    values = [1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 2] * 3 + [1, 1, 2, 1, 1, 2]  # 32 quarters
    fitted = rhythm.SungRhythm.load().follow
    for seed in range(3):
        assert _voice(_stepping(values, seed), fitted).time_signature in ("2/4", "4/4")


def test_phrase_frame_counts_a_first_onset_on_a_downbeat_and_an_end_on_a_bar_line() -> None:
    readings = [rhythm.MeterChoice(1, 3, d, "3/4") for d in (0, 1, 2)]
    # A pickup is marked down by its share of the bar: a long one is rarer than a short one.
    assert np.allclose(rhythm.phrase_frame(readings, 24.0), [2.0, -1 / 3, -2 / 3])
    assert np.allclose(rhythm.phrase_frame(readings, 25.0), [1.0, 2 / 3, -2 / 3])  # a pickup of one beat, then whole bars
    # A tune sung from a downbeat whose last note was cut a beat short: the two-beat pickup that would
    # end it on a bar line no longer ties with the bars as printed.
    frame = rhythm.phrase_frame(readings, 26.0)
    assert frame[0] > frame[2] > frame[1]


#: Exercise-like 3/4 (eight bars, starting on a downbeat with two eighths, 24 quarters): the
#: rhythm of the printed exercise of the worked example (docs/sung-example.md).
EIGHTHS_FIRST = [0.5, 0.5, 1, 1] * 2 + [0.5, 0.5, 0.5, 0.5, 1] * 2 + [0.5, 0.5, 1, 1, 0.5, 0.5, 2, 0.5, 0.5, 1, 1, 0.5, 0.5, 2]


def test_a_tune_that_starts_on_a_downbeat_with_two_eighths_gets_no_pickup() -> None:
    fitted = rhythm.SungRhythm.load().follow
    assert fitted is not None and fitted.frame_price > 0
    for seed in range(3):
        notes = _stepping(EIGHTHS_FIRST, seed)
        got = _voice(notes, fitted)
        assert (got.time_signature, got.pickup_q) == ("3/4", 0)
        assert list(got.durations_q) == [Fraction(b) for b in EIGHTHS_FIRST]
        # Without the frame the meter model puts the downbeat on the first quarter.
        assert _voice(notes, replace(fitted, frame_price=0.0)).pickup_q == 1


#: A one-beat pickup, then eight bars of 3/4.
PICKUP_THEN_EIGHT_BARS = [1, 1, 0.5, 0.5, 1, 2, 1, 1, 1, 1, 2, 1, 1, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 3]


def test_a_pickup_before_eight_whole_bars_is_kept() -> None:
    fitted = rhythm.SungRhythm.load().follow
    for seed in range(3):
        got = _voice(_stepping(PICKUP_THEN_EIGHT_BARS, seed), fitted)
        assert (got.time_signature, got.pickup_q) == ("3/4", 1)


def test_one_note_cut_short_does_not_put_every_later_onset_off_the_beat() -> None:
    # Quarters and halves in 4/4; the second half note is held 1.4 beats and the singer goes on
    # early. Read interval by interval it is a dotted quarter and every later onset falls half a
    # beat off; with the place in the bar tracked, the ties that follow cost more than one
    # misread value.
    values = [1, 1, 2] * 8
    sung = list(values)
    sung[5] = 1.4
    quarter_s = 0.6
    rng = np.random.default_rng(0)
    onsets = 0.3 + quarter_s * np.append(0.0, np.cumsum(sung))[: len(values)] + rng.uniform(-0.02, 0.02, len(values))
    fitted = rhythm.SungRhythm.load().follow
    assert fitted is not None and fitted.tie_price > 0
    plain = np.append(0.0, np.cumsum(rhythm.follow_beats(onsets, quarter_s, fitted).values_beats))
    in_bars = np.append(0.0, np.cumsum(rhythm.follow_beats_in_bars(onsets, quarter_s, fitted, bar_beats=4, start_beats=0.0).values_beats))
    assert np.all(np.abs(plain[6:] - np.round(plain[6:])) > 0.25)
    assert np.all(np.abs(in_bars - np.round(in_bars)) < 1e-9)


#: Eight bars of 4/4 as (value, is_rest): each other bar ends on a quarter rest, the tune on a half.
WITH_RESTS = ([(1, False)] * 3 + [(1, True)] + [(0.5, False), (0.5, False), (1, False), (2, False)]) * 4


def _breathing(seed: int, quarter_s: float = 0.6) -> tuple[Note, ...]:
    """:data:`WITH_RESTS` sung legato (every onset early or late by up to 30 ms, seeded), except
    that a note before a rest is let go after 0.7 of its value (a breath)."""
    rng = np.random.default_rng(seed)
    t, out = 0.3, []
    for i, (b, rest) in enumerate(WITH_RESTS):
        if not rest:
            before_rest = i + 1 < len(WITH_RESTS) and WITH_RESTS[i + 1][1]
            held = 0.7 * b * quarter_s if before_rest else b * quarter_s - 0.05
            on = t + rng.uniform(-0.03, 0.03)
            out.append(Note(on, on + held, 64 + i % 5))
        t += b * quarter_s
    return tuple(out)


def test_a_note_before_a_breath_is_written_with_its_rest_not_held_through_it() -> None:
    fitted = rhythm.SungRhythm.load().follow
    assert fitted is not None and fitted.rest_gap_beats > 0 and fitted.held_stretch > 1
    want = [Fraction(b) for b, rest in WITH_RESTS if not rest]
    # The sung notes just before each printed rest.
    before_rest = [sum(1 for _, r in WITH_RESTS[:i] if not r) - 1 for i, (_, rest) in enumerate(WITH_RESTS) if rest]
    for seed in range(3):
        notes = _breathing(seed)
        assert list(_voice(notes, fitted).durations_q) == want
        # Before: each filled the interval to the next onset (a half, the rest gone).
        old = list(_voice(notes, replace(fitted, rest_gap_beats=0.0, held_stretch=1.0)).durations_q)
        assert [old[i] for i in before_rest] == [2] * len(before_rest)
        # Read at its held length alone (0.7 of a quarter), shorter than the quarter meant.
        short = list(_voice(notes, replace(fitted, held_stretch=1.0)).durations_q)
        assert all(short[i] < 1 for i in before_rest)


def test_held_value_stays_within_the_interval_to_the_next_onset() -> None:
    how = rhythm.SungRhythm.load().follow
    assert rhythm.held_value(1.9, how) == 2.0
    assert rhythm.held_value(1.9, how, at_most_beats=1.5) == 1.5
    assert rhythm.held_value(0.1, how, at_most_beats=0.1) == min(rhythm.VALUES_BEATS)


#: Sixteenths, eighths, dotted eighths, quarters and halves (quarter notes), in the order a seeded
#: draw strings them together.
FIGURES = ([0.25, 0.25, 0.25, 0.25], [0.5, 0.5], [0.25, 0.25, 0.5], [1], [0.5, 0.25, 0.25], [0.75, 0.25], [2])


def _slow_with_splits(seed: int) -> tuple[Note, ...]:
    """Sixteen quarters of :data:`FIGURES` and a final half, sung slowly (a quarter of 0.8-1.6 s,
    onsets within 30 ms, seeded); a third of the notes of a quarter or longer are split, a short
    piece an eighth of a quarter long before the rest of the note (a scoop, a stray consonant)."""
    rng = np.random.default_rng(seed)
    quarter_s = rng.uniform(0.8, 1.6)
    values: list[float] = []
    while sum(values) < 16:
        values += FIGURES[rng.integers(len(FIGURES))]
    t, midi, out = 0.3, 64, []
    for b in [*values, 2]:
        if b >= 1 and rng.random() < 0.3:
            out.append(Note(t + rng.uniform(-0.03, 0.03), t + quarter_s / 8 - 0.02, midi))
            out.append(Note(t + quarter_s / 8, t + b * quarter_s - 0.05, midi))
        else:
            out.append(Note(t + rng.uniform(-0.03, 0.03), t + b * quarter_s - 0.05, midi))
        t += b * quarter_s
        midi = int(np.clip(midi + rng.choice([-2, -1, 1, 2]), 57, 72))
    return tuple(out)


def test_a_beat_of_two_followed_beats_keeps_the_values_on_the_sixteenth_grid() -> None:
    # When the meter read again on the followed beat groups two of them into one beat, the values
    # are read at that beat: the follow's shortest value stays a sixteenth, never a 32nd that the
    # score's grid (sixteenths and triplets) rounds to a triplet position overlapping the next note.
    voice = rhythm.SungRhythm.load()
    for seed in (7, 26, 32, 35, 60, 71, 88, 169):
        got = rhythm.analyze(_slow_with_splits(seed), written_as=voice)
        assert all((x * 4).denominator == 1 for x in (*got.onsets_q, *got.durations_q)), seed
        assert all(o + d <= nxt for o, d, nxt in zip(got.onsets_q, got.durations_q, got.onsets_q[1:])), seed


@st.composite
def _takes(draw: st.DrawFn) -> tuple[Note, ...]:
    """Any sung take: 2-40 notes, each interval between onsets 50 ms to 2.5 s, each note held for
    30-100 % of it."""
    n = draw(st.integers(2, 40))
    gaps = draw(st.lists(st.floats(np.log(0.05), np.log(2.5)), min_size=n, max_size=n))
    held = draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n))
    onsets = 0.2 + np.concatenate([[0.0], np.cumsum(np.exp(gaps[:-1]))])
    return tuple(Note(float(t), float(t + h * np.exp(g)), 60 + i % 7) for i, (t, g, h) in enumerate(zip(onsets, gaps, held)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_takes())
def test_any_sung_take_is_written_on_the_sixteenth_grid_without_overlaps(notes: tuple[Note, ...]) -> None:
    got = rhythm.analyze(notes, written_as=rhythm.SungRhythm.load())
    assert len(got.onsets_q) == len(got.durations_q) == len(notes)
    assert all(d > 0 for d in got.durations_q)
    assert all(a < b for a, b in zip(got.onsets_q, got.onsets_q[1:]))
    assert all(o + d <= nxt for o, d, nxt in zip(got.onsets_q, got.durations_q, got.onsets_q[1:]))
    if not TimeSignature(got.time_signature).is_compound:
        # A voice in a simple meter is written in sixteenths and longer, no triplets.
        assert all((x * 4).denominator == 1 for x in (*got.onsets_q, *got.durations_q, got.pickup_q))


def test_metric_levels_mark_downbeat_half_bar_beats_and_eighths() -> None:
    four = rhythm.metric_levels(4)
    assert four.shape == (16,)
    assert (four[0], four[8], four[4], four[12], four[2], four[1]) == (3.0, 2.0, 1.0, 1.0, 0.5, 0.0)
    three = rhythm.metric_levels(3)
    assert three[0] == 3.0 and three[4] == three[8] == 1.0 and 2.0 not in three  # no half bar in three beats
    two = rhythm.metric_levels(2)
    assert list(two) == [3.0, 0.0, 0.5, 0.0, 1.0, 0.0, 0.5, 0.0]


def test_a_syncopation_is_a_note_that_crosses_a_stronger_beat_than_its_own() -> None:
    values = (1.0, 2.0, 1.5, 3.0)
    steps = np.round(np.array(values) * 4).astype(np.int64)
    four, three = rhythm.syncopated(4, steps), rhythm.syncopated(3, steps)
    quarter, half, dotted, dotted_half = range(4)
    assert four[half, 4] and not four[half, 0] and not four[half, 8]  # a half from beat 2 of 4/4 crosses the half bar
    assert not three[half, 4]  # from beat 2 of 3/4 it crosses only a beat
    assert four[quarter, 2] and three[quarter, 6]  # a quarter from an off-beat eighth
    assert not four[quarter, 4] and not four[dotted, 0] and four[dotted, 4]
    assert not four[dotted_half, 0] and not four[half, 12]  # to the bar line or across it: the tie price's


def test_a_note_held_long_on_beat_two_does_not_move_the_later_bar_lines() -> None:
    # Quarters in 4/4; the singer holds beat 2 of the second bar 1.7 beats before going on. Read
    # as a half note there, it is syncopated and every later bar line moves a beat; the fitted
    # syncopation price keeps the quarter (and the bars) instead.
    values = [1.0] * 12 + [2.0, 2.0]
    sung = list(values)
    sung[5] = 1.7
    quarter_s = 0.7
    onsets = 0.3 + quarter_s * np.append(0.0, np.cumsum(sung))[: len(values) + 1]
    fitted = rhythm.SungRhythm.load().follow
    assert fitted is not None and fitted.tie_price > 0 and fitted.sync_price > 0
    without = rhythm.follow_beats_in_bars(onsets, quarter_s, replace(fitted, sync_price=0.0), bar_beats=4, start_beats=0.0)
    assert without.values_beats[5] == 2.0
    got = rhythm.follow_beats_in_bars(onsets, quarter_s, fitted, bar_beats=4, start_beats=0.0)
    np.testing.assert_array_equal(got.values_beats, values)


def test_a_singer_who_swells_every_four_beats_still_sings_a_waltz() -> None:
    # Eight bars of 3/4 whose notes on every fourth quarter are sung 6 dB louder (a singer's
    # loudness follows the words and the breath). The meter model learned that players lean on
    # downbeats: with the levels counting fully it reads 4/4; the fitted level weight keeps 3/4.
    fitted = rhythm.SungRhythm.load()
    assert fitted.follow is not None and fitted.follow.level_weight < 1.0
    starts = np.append(0.0, np.cumsum(EIGHT_BARS_OF_THREE[:-1]))
    swell_db = np.where(starts % 4 == 0, 6.0, 0.0) - 20.0
    as_instrument = replace(fitted, follow=replace(fitted.follow, level_weight=1.0))
    fours = 0
    for seed in range(4):
        notes = _stepping(EIGHT_BARS_OF_THREE, seed)
        got = rhythm.analyze(notes, accent_db=swell_db, written_as=fitted)
        assert got.time_signature == "3/4"
        assert list(got.durations_q) == [Fraction(b) for b in EIGHT_BARS_OF_THREE]
        fours += rhythm.analyze(notes, accent_db=swell_db, written_as=as_instrument).time_signature == "4/4"
    assert fours >= 3


def test_a_phrase_after_a_pause_starts_where_the_first_phrase_did() -> None:
    # Two phrases of eight quarters in 4/4, each from a downbeat; the singer breathes between them
    # 5.8 beats from the last onset (the print: a quarter and a bar's rest, 5 beats). Read as any
    # interval, the pause is the likeliest value, 6 beats, and the second phrase starts on beat
    # 2 of its bar; read as a pause it is 5 beats, and the phrase starts on its bar's downbeat.
    quarter_s = 0.5
    sung = [1.0] * 7 + [5.8] + [1.0] * 7
    onsets = 0.2 + quarter_s * np.append(0.0, np.cumsum(sung))
    pauses = np.array(sung) > 2.0
    fitted = rhythm.SungRhythm.load().follow
    assert fitted is not None and fitted.pause_beats > 0 and fitted.restart_bonus > 0
    at = np.append(
        0.0, np.cumsum(rhythm.follow_beats_in_bars(onsets, quarter_s, fitted, bar_beats=4, start_beats=0.0, pauses=pauses).values_beats)
    )
    np.testing.assert_array_equal(at, np.append(np.arange(8.0), 12.0 + np.arange(8.0)))
    without = rhythm.follow_beats_in_bars(onsets, quarter_s, fitted, bar_beats=4, start_beats=0.0)
    assert without.values_beats[7] == 6.0  # the second phrase a beat off its bars
    # A pause that lands on the first phrase's place as sung stays as long as it was sung.
    sung[7] = 9.1
    onsets = 0.2 + quarter_s * np.append(0.0, np.cumsum(sung))
    got = rhythm.follow_beats_in_bars(onsets, quarter_s, fitted, bar_beats=4, start_beats=0.0, pauses=pauses)
    assert got.values_beats[7] == 9.0


@pytest.mark.parametrize(("values", "pickup_q"), [(EIGHT_BARS_OF_THREE, 0), (EIGHTHS_FIRST, 0), (PICKUP_THEN_EIGHT_BARS, 1)])
def test_a_given_meter_or_tempo_keeps_the_bar_lines_a_voice_is_read_with(values: list[float], pickup_q: int) -> None:
    # A singer who types the meter (or the tempo) the tool would read gets the same page: the
    # given meter is read on the followed beat as an estimated one is, its bar lines placed by
    # the phrase, not by the accents of a first reading alone (which put a pickup before
    # nearly every take of ssvd-scores).
    voice = rhythm.SungRhythm.load()
    for seed in range(3):
        notes = _stepping(values, seed)
        estimated = rhythm.analyze(notes, written_as=voice)
        assert (estimated.time_signature, estimated.pickup_q) == ("3/4", pickup_q)
        for told in (
            rhythm.analyze(notes, time_signature="3/4", written_as=voice),
            rhythm.analyze(notes, tempo_bpm=estimated.bpm, written_as=voice),
            rhythm.analyze(notes, tempo_bpm=estimated.bpm, time_signature="3/4", written_as=voice),
        ):
            assert (told.time_signature, told.pickup_q) == ("3/4", pickup_q)
            assert list(told.durations_q) == [Fraction(b) for b in values]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_takes(), st.sampled_from(["2/4", "3/4", "4/4", "2/2", "6/8"]), st.one_of(st.none(), st.floats(40.0, 200.0)))
def test_any_sung_take_given_a_meter_or_tempo_is_written_in_it(notes: tuple[Note, ...], meter: str, bpm: float | None) -> None:
    got = rhythm.analyze(notes, time_signature=meter, tempo_bpm=bpm, written_as=rhythm.SungRhythm.load())
    assert got.time_signature == meter
    if bpm is not None:
        assert got.bpm == pytest.approx(bpm)
    assert len(got.onsets_q) == len(got.durations_q) == len(notes)
    assert all(d > 0 for d in got.durations_q)
    assert all(o + d <= nxt for o, d, nxt in zip(got.onsets_q, got.durations_q, got.onsets_q[1:]))
    assert 0 <= got.pickup_q < TimeSignature(meter).measure_q


def test_a_slow_take_given_the_tempo_it_is_written_at_keeps_its_page() -> None:
    # Halves and quarters sung at 43 BPM are written at twice the tempo (min_bpm): 4/4 at 86 in
    # whole notes and halves. Told that tempo, the same page, not a reading of the given beat
    # alone (which wrote it in 3/4).
    values = [2, 1, 1, 2, 2, 1, 1, 4] * 3
    voice = rhythm.SungRhythm.load()
    for seed in range(2):
        notes = _stepping(values, seed, quarter_s=1.4)
        estimated = rhythm.analyze(notes, written_as=voice)
        # (the last note, let go early, is written by its held length)
        assert estimated.time_signature == "4/4" and list(estimated.durations_q[:-1]) == [Fraction(2 * v) for v in values[:-1]]
        told = rhythm.analyze(notes, tempo_bpm=round(estimated.bpm), written_as=voice)
        assert told.bpm == round(estimated.bpm)
        page = (estimated.time_signature, estimated.pickup_q, estimated.durations_q)
        assert (told.time_signature, told.pickup_q, told.durations_q) == page
