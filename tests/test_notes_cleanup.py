"""Unsure sounds before a take's first sure note (transcribe.notes.cleanup.drop_unsure_lead), notes
read beyond the pitch model's range far from the melody (drop_far_beyond), far from a sung line
(drop_far_from_line) and an instrument's short notes far beyond both neighbours (mend_far_blips)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.datasets import find_shared
from transcribe.notes.cleanup import drop_unsure_lead
from transcribe.types import Note

SHARED = find_shared()
SINGING = SHARED / "data" / "singing" if SHARED is not None else None


def _take(confidences: list[float]) -> tuple[Note, ...]:
    return tuple(Note(0.5 * i, 0.5 * i + 0.4, 60 + i % 5, 0.0, c) for i, c in enumerate(confidences))


def test_the_unsure_notes_before_the_first_sure_one_are_dropped_and_later_unsure_ones_kept() -> None:
    notes = _take([0.6, 0.7, 0.95, 0.5, 0.9])
    assert drop_unsure_lead(notes, min_confidence=0.85) == notes[2:]


def test_a_take_that_is_unsure_throughout_keeps_every_note() -> None:
    notes = _take([0.6, 0.7, 0.8])
    assert drop_unsure_lead(notes, min_confidence=0.85) == notes


def test_a_floor_of_zero_keeps_every_note() -> None:
    notes = _take([0.1, 0.95])
    assert drop_unsure_lead(notes, min_confidence=0.0) == notes
    assert drop_unsure_lead((), min_confidence=0.85) == ()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), max_size=12), st.floats(0.0, 1.0))
def test_what_is_kept_is_the_take_from_its_first_sure_note(confidences: list[float], floor: float) -> None:
    notes = _take(confidences)
    kept = drop_unsure_lead(notes, min_confidence=floor)
    assert kept == notes[len(notes) - len(kept) :]  # a suffix: nothing reordered, nothing after the lead lost
    gone = notes[: len(notes) - len(kept)]
    if any(c >= floor for c in confidences):
        assert kept[0].confidence >= floor
        assert all(n.confidence < floor for n in gone)
    else:
        assert kept == notes


@pytest.mark.skipif(SINGING is None or not SINGING.is_dir(), reason="../shared/data/singing is absent (sung recordings)")
def test_a_hum_before_the_sung_melody_is_not_written() -> None:
    """ssvd-scores 102819: E3 and C3 sounds from 0.48 s before the first labelled note at 2.31 s
    (they made a pickup and a bar of sixteenths out of it); the melody's first note stays."""
    import transcribe

    result = transcribe.transcribe(SINGING / "ssvd-scores" / "recordings" / "102819.flac")
    onsets = np.array([n.onset_s for n in result.notes])
    assert onsets.min() > 2.2, onsets[:5]
    assert abs(onsets.min() - 2.31) < 0.05


def test_a_beep_far_over_the_melody_beyond_the_models_range_is_dropped() -> None:
    """A phone's 2.5 kHz beep (MIDI 99) before a take sung at MIDI 55-67 is no note of it; a
    whistled tune stepping over the 2 kHz edge and a take wholly beyond it keep every note."""
    from transcribe.notes.cleanup import drop_far_beyond

    def notes_at(pitches: list[int]) -> tuple[Note, ...]:
        return tuple(Note(0.5 * i, 0.5 * i + 0.4, m) for i, m in enumerate(pitches))

    take = notes_at([99, 55, 57, 60, 62, 67])
    assert drop_far_beyond(take, lo_hz=50.0, hi_hz=2000.0, tuning_cents=0.0) == take[1:]
    whistled = notes_at([91, 93, 95, 96, 98, 96, 95])
    assert drop_far_beyond(whistled, lo_hz=50.0, hi_hz=2000.0, tuning_cents=0.0) == whistled
    piccolo = notes_at([98, 100, 103])
    assert drop_far_beyond(piccolo, lo_hz=50.0, hi_hz=2000.0, tuning_cents=0.0) == piccolo
    bass = notes_at([28, 31, 33, 35, 40])
    assert drop_far_beyond(bass, lo_hz=50.0, hi_hz=2000.0, tuning_cents=0.0) == bass


def test_a_squeak_far_over_the_sung_line_is_dropped_and_an_octave_leap_kept() -> None:
    """A sound two octaves over a phrase (or far under it) between two sung notes is not the melody;
    a leap of an octave up and back, a take of high notes and a take of two notes keep every note."""
    from transcribe.notes.cleanup import drop_far_from_line

    def notes_at(pitches: list[float]) -> tuple[Note, ...]:
        return tuple(Note(0.5 * i, 0.5 * i + 0.4, int(round(m)), 100.0 * (m - round(m))) for i, m in enumerate(pitches))

    take = notes_at([58, 60, 62, 60, 81, 58, 53, 55])
    assert drop_far_from_line(take, tuning_cents=-10.0) == take[:4] + take[5:]
    hum = notes_at([38.8, 60, 62, 64, 62, 60])
    assert drop_far_from_line(hum, tuning_cents=0.0) == hum[1:]
    leap = notes_at([60, 62, 64, 76, 64, 62, 60])
    assert drop_far_from_line(leap, tuning_cents=0.0) == leap
    high = notes_at([84, 86, 88, 86, 84])
    assert drop_far_from_line(high, tuning_cents=0.0) == high
    two = notes_at([60, 84])
    assert drop_far_from_line(two, tuning_cents=0.0) == two


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(30.0, 100.0), max_size=12))
def test_a_note_dropped_from_the_line_is_far_from_both_neighbours_and_the_median(pitches: list[float]) -> None:
    from transcribe.notes.cleanup import FAR_FROM_LINE_ST, drop_far_from_line

    notes = tuple(Note(0.5 * i, 0.5 * i + 0.4, int(round(m)), 100.0 * (m - round(m))) for i, m in enumerate(pitches))
    kept = drop_far_from_line(notes, tuning_cents=0.0)
    assert [n for n in notes if n in kept] == list(kept)  # order kept, nothing added
    med = float(np.median(pitches)) if pitches else 0.0
    for i, note in enumerate(notes):
        if note not in kept:
            assert abs(pitches[i] - med) > FAR_FROM_LINE_ST
            assert all(abs(pitches[i] - pitches[j]) > FAR_FROM_LINE_ST for j in (i - 1, i + 1) if 0 <= j < len(pitches))


@pytest.mark.skipif(SINGING is None or not SINGING.is_dir(), reason="../shared/data/singing is absent (sung recordings)")
def test_a_squeak_over_a_sung_take_is_not_written() -> None:
    """ssvd-scores 102957: an A5 of 0.16 s at 34.6 s, between a sung C4 and Bb3 (a man singing
    around D3-C4), matched no labelled note and was written with four ledger lines."""
    import transcribe

    result = transcribe.transcribe(SINGING / "ssvd-scores" / "recordings" / "102957.flac")
    assert max(n.midi for n in result.notes) < 70, sorted(n.midi for n in result.notes)[-3:]


def _line(pitches: list[int], lengths: list[float] | None = None, gap_s: float = 0.02) -> tuple[Note, ...]:
    notes, t = [], 0.0
    for i, m in enumerate(pitches):
        length = 0.2 if lengths is None else lengths[i]
        notes.append(Note(t, t + length, m, 0.0, 0.9))
        t += length + gap_s
    return tuple(notes)


def test_a_short_note_more_than_an_octave_over_both_neighbours_is_moved_or_dropped() -> None:
    """Held-out r007 (an oboe under a hall, a tune of B3-B4) had E6s and B3s among B4-B5 notes:
    one an octave off its neighbour is moved back, one that no octave brings near is dropped."""
    from transcribe.notes.cleanup import mend_far_blips

    line = _line([71, 75, 88, 73, 71])  # E6 between D#5 and C#5: down an octave, E5
    got = mend_far_blips(line)
    assert [n.midi for n in got] == [71, 75, 76, 73, 71]
    assert got[2].onset_s == line[2].onset_s and got[2].offset_s == line[2].offset_s
    low = _line([78, 76, 59, 75, 73])  # a B3 under E5 and D#5: up an octave, B4
    assert [n.midi for n in mend_far_blips(low)] == [78, 76, 71, 75, 73]
    stray = _line([71, 72, 93, 72, 71])  # A6: an octave down is still 9 over its neighbours
    assert mend_far_blips(stray) == stray[:2] + stray[3:]


def test_an_octave_leap_a_long_note_and_a_note_after_a_rest_are_kept() -> None:
    from transcribe.notes.cleanup import mend_far_blips

    leap = _line([60, 72, 60, 72, 60])  # an octave up and back: a figure, not a misreading
    assert mend_far_blips(leap) == leap
    held = _line([71, 88, 75], lengths=[0.2, 0.4, 0.2])
    assert mend_far_blips(held) == held
    apart = _line([71, 88, 75], gap_s=0.4)  # its neighbours are not beside it
    assert mend_far_blips(apart) == apart
    edge = _line([88, 71, 72])  # the first note has one neighbour: nothing to judge it by
    assert mend_far_blips(edge) == edge
    # A right B4 between two E6s read an octave up (r007): the line around it is E5, and it stays.
    between = _line([76, 74, 88, 71, 88, 75, 76])
    assert mend_far_blips(between)[3] == between[3]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(30, 100), max_size=12), st.lists(st.floats(0.05, 0.5), min_size=12, max_size=12))
def test_a_mended_blip_keeps_its_time_and_moves_by_an_octave(pitches: list[int], lengths: list[float]) -> None:
    from transcribe.notes.cleanup import FAR_BLIP_CONTEXT, FAR_BLIP_S, FAR_FROM_LINE_ST, mend_far_blips

    notes = _line(pitches, lengths[: len(pitches)])
    got = mend_far_blips(notes)
    by_onset = {n.onset_s: n for n in got}
    assert [n.onset_s for n in got] == sorted(by_onset)  # order kept, nothing added
    for i, note in enumerate(notes):
        new = by_onset.get(note.onset_s)
        if new == note:
            continue
        # Changed or dropped: short, inside the line, more than an octave beyond both neighbours.
        assert 0 < i < len(notes) - 1 and note.duration_s <= FAR_BLIP_S
        steps = [notes[j].midi - note.midi for j in (i - 1, i + 1)]
        assert min(steps) > FAR_FROM_LINE_ST or max(steps) < -FAR_FROM_LINE_ST
        around = pitches[max(0, i - FAR_BLIP_CONTEXT) : i] + pitches[i + 1 : i + 1 + FAR_BLIP_CONTEXT]
        assert abs(float(np.median(around)) - note.midi) >= 12
        if new is not None:
            assert abs(new.midi - note.midi) == 12 and new.offset_s == note.offset_s
