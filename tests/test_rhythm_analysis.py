"""Written rhythm on the tatum grid (transcribe/rhythm/analysis.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from transcribe import rhythm
from transcribe.types import Note
from transcribe.values import TimeSignature


@pytest.mark.parametrize(("held_s", "beats"), [(2.7, 3), (2.2, 2), (1.3, 1), (3.6, 4)])
def test_the_last_note_held_past_its_beat_is_written_in_whole_beats(held_s: float, beats: int) -> None:
    # A final note let go 2.7 beats after it started was written as a half tied to a dotted eighth.
    notes = [Note(float(i), i + 0.9, 60 + i % 5) for i in range(7)]
    notes.append(Note(7.0, 7.0 + held_s, 60))
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="4/4")
    assert rh.durations_q[:-1] == (Fraction(1),) * 7
    assert rh.durations_q[-1] == beats


@pytest.mark.parametrize(("held_last", "share", "final_q"), [(0.86, 0.85, 1), (0.42, 0.85, Fraction(1, 2)), (0.86, 1.0, Fraction(3, 4))])
def test_the_last_note_let_go_before_a_beat_as_the_notes_before_it_lasts_to_it(held_last: float, share: float, final_q: Fraction) -> None:
    # A clarinet's quarters sounding 85 % of their beat: the last one (0.86 beats held) was
    # written a dotted eighth and a sixteenth rest (rendered r032). Let go as early as the others,
    # it lasts to its beat: a quarter. An eighth played as detached stays an eighth, and in a
    # legato take a note let go before its beat was let go there.
    notes = [Note(float(i), i + share, 60 + i % 5) for i in range(8)]
    notes.append(Note(8.0, 8.0 + held_last, 62))
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="4/4")
    assert rh.durations_q[:-1] == (Fraction(1),) * 8
    assert rh.durations_q[-1] == final_q


def test_a_note_let_go_before_a_rest_as_the_notes_before_it_lasts_to_its_beat() -> None:
    # Quarters sounding 85 % of their beat, one of them before a beat's rest: written a dotted
    # eighth, a sixteenth rest and a quarter rest (rendered varied r010, bars 4 and 8).
    notes = [Note(float(i), i + 0.85, 60 + i % 5) for i in range(5)]
    notes.append(Note(5.0, 5.86, 62))  # then a beat's rest
    notes += [Note(float(i), i + 0.85, 60 + i % 5) for i in range(7, 12)]
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="4/4")
    assert rh.durations_q[5] == 1 and rh.onsets_q[6] - rh.onsets_q[5] == 2
    # Let go half a beat early, it keeps its written eighth.
    notes[5] = Note(5.0, 5.45, 62)
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="4/4")
    assert rh.durations_q[5] == Fraction(1, 2)


def test_articulation_gap_reads_the_silence_before_close_notes() -> None:
    on = np.array([0.0, 1.0, 2.0, 4.0, 5.0])
    off = np.array([0.8, 1.9, 2.7, 4.5, 5.8])  # the 2.0 note is followed by a rest: not read
    assert rhythm.analysis.articulation_gap(on, off, rest_min_beats=0.5) == pytest.approx(0.15)
    assert rhythm.analysis.articulation_gap(on[:1], off[:1], rest_min_beats=0.5) == 0.0
    assert rhythm.analysis.articulation_gap(on, on + 0.1, rest_min_beats=0.5) == 0.0  # rests throughout
    assert rhythm.analysis.articulation_gap(on, on + 1.2, rest_min_beats=0.5) == 0.0  # overlapping notes


def test_a_lone_held_tone_is_written_in_whole_beats() -> None:
    rh = rhythm.analyze((Note(0.0, 7.944, 69),))
    assert rh.durations_q[-1].denominator == 1


@pytest.mark.parametrize("notes", [(Note(0.0, 2.0, 69),), (Note(0.0, 0.9, 69), Note(1.0, 2.0, 71))], ids=["a held tone", "two quarters"])
def test_a_take_shorter_than_a_bar_starts_its_bar(notes: tuple[Note, ...]) -> None:
    # A two-second tone was written as a half-note pickup and nothing else: a score of one
    # incomplete bar. A take that ends before the first bar line has no pickup: it starts the
    # bar and rests complete it.
    rh = rhythm.analyze(notes, tempo_bpm=60.0, time_signature="4/4")
    assert rh.pickup_q == 0
    assert sum(rh.durations_q) == 2


def test_a_last_note_a_sixteenth_past_the_bar_line_ends_at_it() -> None:
    # A final note from the last sixteenth of a bar, held an eighth, opened a bar of a tied
    # sixteenth and rests (rendered r002's last F#4, printed a sixteenth). Louder downbeats
    # every three quarters put the bar lines at 0, 3, 6 and 9.
    notes = [Note(float(i), i + 0.6, 60 + i % 5) for i in range(9)] + [Note(8.75, 9.2, 62)]
    accent_db = np.array([-14.0 if i % 3 == 0 else -20.0 for i in range(9)] + [-20.0])
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="3/4", accent_db=accent_db)
    assert rh.pickup_q == 0
    assert rh.onsets_q[-1] == Fraction(35, 4)  # the third bar's last sixteenth
    assert rh.onsets_q[-1] + rh.durations_q[-1] == 9  # ends on its bar line, not in a fourth bar


@pytest.mark.parametrize(("held_s", "final_q"), [(0.95, Fraction(1, 2)), (2.6, 3)])
def test_an_instruments_last_note_ends_at_the_bar_line_it_rings_a_little_past(held_s: float, final_q: Fraction) -> None:
    # A final eighth on the last eighth of a bar whose ring (a piano, a hall) lasts a little
    # under an eighth more opened a bar of a tied eighth and rests (hall check r021, r028). It
    # ends at the bar line; a last note held well into the next bar (an anticipated final
    # note) keeps its length across it. Louder downbeats put the bar lines at 0, 3, 6 and 9.
    notes = [Note(float(i), i + 0.6, 60 + i % 5) for i in range(9)] + [Note(8.5, 8.5 + held_s, 62)]
    accent_db = np.array([-14.0 if i % 3 == 0 else -20.0 for i in range(9)] + [-20.0])
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="3/4", accent_db=accent_db)
    assert rh.pickup_q == 0 and rh.onsets_q[-1] == Fraction(17, 2)
    assert rh.durations_q[-1] == final_q


def test_a_long_last_note_a_beat_past_the_final_bar_line_ends_at_it() -> None:
    # Seven quarters (the meter reads a three-beat pickup) and a last note held 5.3 beats from
    # the downbeat: written a whole note tied to a quarter and three beats of rests before, now
    # a whole note that ends the tune on its bar line.
    notes = [Note(float(i), i + 0.9, 60 + i % 5) for i in range(7)] + [Note(7.0, 12.3, 60)]
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="4/4")
    assert rh.pickup_q == 3
    assert rh.durations_q[-1] == 4


def _ode_with_pause(pause_s: float) -> tuple[Note, ...]:
    from tests.synth import ODE_TO_JOY, melody

    timed = melody(ODE_TO_JOY, bpm=100)  # two phrases of 15 notes, each four bars of 4/4
    return tuple(Note(on + (pause_s if i >= 15 else 0.0), off + (pause_s if i >= 15 else 0.0), m) for i, (on, off, m) in enumerate(timed))


@pytest.mark.parametrize("pause_s", [1.0, 1.5, 2.2])
def test_a_tune_resumed_off_the_beat_after_a_pause_keeps_its_tempo_meter_and_values(pause_s: float) -> None:
    # A player stops for no whole number of beats between the phrases: the one grid of the take
    # read the second phrase a fraction of a beat off and wrote 6/8 at 150 BPM with ties. The grid
    # is placed again after the pause, and the phrase starts where the tune started in the bar.
    plain, paused = rhythm.analyze(_ode_with_pause(0.0)), rhythm.analyze(_ode_with_pause(pause_s))
    assert paused.time_signature == plain.time_signature == "4/4"
    assert abs(paused.bpm - 100.0) < 2.0
    assert paused.durations_q[15:] == paused.durations_q[:15] == plain.durations_q[:15]
    bar = TimeSignature(paused.time_signature).measure_q
    assert (paused.onsets_q[15] - paused.onsets_q[0]) % bar == 0
    assert paused.onsets_q[15] - (paused.onsets_q[14] + paused.durations_q[14]) > 0  # a rest for the pause
    assert np.all(np.diff(paused.quarter_times_s) > 0)  # the MIDI tempo map runs forward through it


def test_a_pause_of_whole_beats_and_a_take_without_pauses_are_placed_as_before() -> None:
    from transcribe.rhythm import tatum

    notes = _ode_with_pause(1.8)  # three beats at 100 BPM: on the grid
    on, off = np.array([n.onset_s for n in notes]), np.array([n.offset_s for n in notes])
    assert tatum.pause_sections(on, off).tolist() == [0] * 15 + [1] * 15
    assert rhythm.place_on_tatums(notes, resume_after_pauses=True).resumed == ()
    assert rhythm.place_on_tatums(_ode_with_pause(1.0), resume_after_pauses=True).resumed == (15,)
    assert rhythm.place_on_tatums(_ode_with_pause(1.0)).resumed == ()  # a voice's followed beat reads it instead
    assert tatum.pause_sections(*(np.array(x) for x in zip(*[(n.onset_s, n.offset_s) for n in _ode_with_pause(0.0)]))).max() == 0
