"""Notes read an octave off are moved by the spectrum (transcribe.notes.octaves)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from transcribe import features
from transcribe.notes import octaves
from transcribe.types import Note

SR = 16000


def harmonic_tone(f0_hz: float, dur_s: float = 1.0, *, amps: tuple[float, ...] = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3)) -> np.ndarray:
    t = np.arange(int(dur_s * SR)) / SR
    y = sum(a * np.sin(2 * np.pi * (h + 1) * f0_hz * t) for h, a in enumerate(amps))
    return (0.1 * y).astype(np.float32)


def level_of(y: np.ndarray) -> octaves.HarmonicLevel:
    def level(times_s: np.ndarray, pitches: Sequence[tuple[float, float | None]], n_harmonics: int) -> list[np.ndarray | None]:
        return features.harmonic_levels_db(y, SR, times_s, pitches, n_harmonics=n_harmonics)

    return level


def correct(
    notes: tuple[Note, ...], level: octaves.HarmonicLevel, *, tuning_cents: float = 0.0, fmin_hz: float = 50.0, fmax_hz: float = 2000.0
) -> tuple[Note, ...]:
    return octaves.correct_octaves(notes, level, tuning_cents=tuning_cents, fmin_hz=fmin_hz, fmax_hz=fmax_hz)


def test_a_note_read_an_octave_up_is_moved_down_and_a_right_note_stays() -> None:
    y = harmonic_tone(220.0)  # A3, MIDI 57
    level = level_of(y)
    up, right = Note(0.1, 0.9, 69), Note(0.1, 0.9, 57)
    assert octaves.octave_evidence_db(up, 440.0, level)[0] >= octaves.HALF_OVER_DB
    assert octaves.octave_evidence_db(right, 220.0, level)[0] < octaves.HALF_OVER_DB - 20.0
    assert [n.midi for n in correct((up,), level)] == [57]
    assert correct((right,), level) == (right,)


def test_a_note_whose_lower_octave_is_out_of_range_stays() -> None:
    y = harmonic_tone(220.0)
    up = Note(0.1, 0.9, 69)
    assert correct((up,), level_of(y), fmin_hz=250.0) == (up,)


def test_the_tuning_is_used_for_the_note_frequency() -> None:
    # 50 cents sharp: A3 at 226.5 Hz, read as MIDI 69 in a +50-cent tuning
    y = harmonic_tone(220.0 * 2 ** (50 / 1200))
    moved = correct((Note(0.1, 0.9, 69),), level_of(y), tuning_cents=50.0)
    assert [n.midi for n in moved] == [57]


def test_several_pitches_from_one_spectrum_match_one_at_a_time() -> None:
    y = harmonic_tone(220.0)
    times = np.array([0.2, 0.5, 0.8])
    pitches = ((440.0, None), (220.0, 440.0), (8000.0, None))
    together = features.harmonic_levels_db(y, SR, times, pitches)
    alone = [features.harmonic_energy_db(y, SR, times, f0_hz=f0, exclude_f0_hz=ex) for f0, ex in pitches]
    assert together[2] is None and alone[2] is None  # no harmonic under the Nyquist band
    for a, b in zip(together[:2], alone[:2]):
        assert a is not None and b is not None
        np.testing.assert_array_equal(a, b)


def test_a_short_sub_harmonic_ghost_becomes_part_of_the_note_it_belongs_to() -> None:
    # E5, then C#5's attack read at a third of its frequency (F#3) for 90 ms, then C#5.
    e5, ghost, cs5 = Note(9.70, 9.96, 76, 0.0, 0.9), Note(9.96, 10.05, 54, 0.0, 0.6), Note(10.05, 10.35, 73, 0.0, 0.9)
    assert octaves.merge_subharmonic_ghosts((e5, ghost, cs5)) == (e5, Note(9.96, 10.35, 73, 0.0, 0.9))


def test_a_low_note_that_is_held_or_no_sub_harmonic_stays() -> None:
    e5, cs5 = Note(9.70, 9.96, 76, 0.0, 0.9), Note(10.40, 10.70, 73, 0.0, 0.9)
    held = Note(9.96, 10.40, 54, 0.0, 0.9)  # a real low note: too long to be a ghost
    assert octaves.merge_subharmonic_ghosts((e5, held, cs5)) == (e5, held, cs5)
    off = Note(9.96, 10.05, 59, 0.0, 0.6)  # 14 and 17 semitones below: no half, third or quarter
    late = Note(10.05, 10.35, 73, 0.0, 0.9)
    assert octaves.merge_subharmonic_ghosts((e5, off, late)) == (e5, off, late)


def test_a_note_read_an_octave_down_is_moved_up_and_a_right_note_stays() -> None:
    y = harmonic_tone(440.0)  # A4, MIDI 69: nothing at 220, 660, 1100 Hz
    level = level_of(y)
    down, right = Note(0.1, 0.9, 57), Note(0.1, 0.9, 69)
    assert octaves.octave_evidence_db(down, 220.0, level)[1] <= octaves.ODD_UNDER_DB
    assert octaves.octave_evidence_db(right, 440.0, level)[1] > octaves.ODD_UNDER_DB + 15.0
    assert [n.midi for n in correct((down,), level)] == [69]
    assert correct((right,), level) == (right,)


def test_a_note_with_a_weak_fundamental_stays() -> None:
    # An oboe-like A3: the fundamental 20 dB under the second harmonic, the odd harmonics weak
    # but there: still A3, not A4.
    y = harmonic_tone(220.0, amps=(0.1, 1.0, 0.3, 0.8, 0.2, 0.5))
    right = Note(0.1, 0.9, 57)
    assert correct((right,), level_of(y)) == (right,)


def test_a_note_whose_upper_octave_is_out_of_range_stays() -> None:
    y = harmonic_tone(440.0)
    down = Note(0.1, 0.9, 57)
    assert correct((down,), level_of(y), fmax_hz=400.0) == (down,)


def test_a_note_read_an_octave_down_under_a_ring_on_its_third_harmonic_is_moved_up() -> None:
    # A flute's D5 in a hall after an A5: the A5's ring (880 Hz) is D4's third harmonic, so D4's
    # odd harmonics are not empty, but nothing sounds at D4's own 294 Hz, and D5's does.
    y = harmonic_tone(587.33) + 0.8 * harmonic_tone(880.0, amps=(1.0, 0.3))
    level = level_of(y)
    down = Note(0.1, 0.9, 62)
    seen = octaves.octave_evidence_db(down, 293.66, level)
    assert seen.odd_under_db > octaves.ODD_UNDER_DB  # the odd harmonics alone would keep it
    assert seen.fundamental_under_db <= octaves.FUNDAMENTAL_UNDER_DB
    assert seen.upper_fundamental_db > octaves.UPPER_FUNDAMENTAL_DB
    assert [n.midi for n in correct((down,), level)] == [74]
    # The same tones without the ring: moved by the odd harmonics, as before.
    assert [n.midi for n in correct((down,), level_of(harmonic_tone(587.33)))] == [74]


def test_a_sub_harmonic_ghost_is_not_moved_to_its_octave() -> None:
    # C#5 read for a moment at F#3, a third of its frequency: nothing at 185 Hz, and nothing at
    # the octave's 370 Hz either, so the ghost is left for merge_subharmonic_ghosts.
    y = harmonic_tone(554.37)
    ghost = Note(0.1, 0.9, 54)
    seen = octaves.octave_evidence_db(ghost, 185.0, level_of(y))
    assert seen.fundamental_under_db <= octaves.FUNDAMENTAL_UNDER_DB
    assert seen.upper_fundamental_db <= octaves.UPPER_FUNDAMENTAL_DB
    assert correct((ghost,), level_of(y)) == (ghost,)


def test_a_far_quieter_note_a_harmonic_above_the_one_before_is_its_ring() -> None:
    # B4, then its third harmonic (F#6) ringing 32 dB quieter in the rest, then F#5.
    b4, ring, fs5 = Note(9.93, 10.56, 71, 0.0, 0.9), Note(10.83, 11.12, 90, 3.0, 0.7), Note(11.26, 11.89, 78, 0.0, 0.9)
    accent = np.array([-11.0, -43.0, -12.0])
    assert octaves.drop_harmonic_rings((b4, ring, fs5), accent) == (b4, fs5)
    # The octave (2nd harmonic) and the double octave (4th) are rings too.
    for midi in (83, 95):
        assert octaves.drop_harmonic_rings((b4, replace(ring, midi=midi, cents=0.0)), accent[:2]) == (b4,)


def test_a_played_leap_to_a_harmonic_stays() -> None:
    b4, high = Note(9.93, 10.56, 71, 0.0, 0.9), Note(10.60, 11.12, 90, 0.0, 0.9)
    # Played as loud (or only somewhat softer): a note.
    assert octaves.drop_harmonic_rings((b4, high), np.array([-11.0, -11.0 - octaves.RING_DROP_DB + 3.0])) == (b4, high)
    # Far quieter but no harmonic (a tritone above the octave), or long after the note ended.
    assert octaves.drop_harmonic_rings((b4, replace(high, midi=89)), np.array([-11.0, -43.0])) == (b4, replace(high, midi=89))
    late = replace(high, onset_s=10.56 + octaves.RING_GAP_S + 0.1, offset_s=12.0)
    assert octaves.drop_harmonic_rings((b4, late), np.array([-11.0, -43.0])) == (b4, late)
    # A quiet note below the one before is never its ring.
    low = Note(10.60, 11.12, 52, 0.0, 0.9)
    assert octaves.drop_harmonic_rings((b4, low), np.array([-11.0, -43.0])) == (b4, low)


def test_a_note_read_partly_an_octave_off_is_joined_where_no_attack_is_near() -> None:
    # A FluidR3 flute's A5, read as A4 for its first 300 ms: the spectrum moves that part up,
    # and the two parts, searched as two pitches, were written as a triplet eighth and a quarter
    # for one held note (rendered r001).
    before = (Note(0.0, 0.3, 69), Note(0.3, 0.8, 81, cents=5.0), Note(0.9, 1.2, 76))
    after = (Note(0.0, 0.3, 81), *before[1:])
    joined = octaves.join_octave_splits(before, after, attack_near=lambda a, b: False)
    assert joined == (Note(0.0, 0.8, 81, cents=5.0), before[2])
    # A dip or an onset peak where they meet: a repeat of the pitch, kept apart.
    assert octaves.join_octave_splits(before, after, attack_near=lambda a, b: True) == after
    # Parts of one pitch the spectrum did not move were split at a re-attack: kept apart.
    repeat = (Note(0.0, 0.3, 81), Note(0.3, 0.8, 81))
    assert octaves.join_octave_splits(repeat, repeat, attack_near=lambda a, b: False) == repeat
    # Nor are parts a rest apart joined.
    apart_before = (Note(0.0, 0.3, 69), Note(0.35, 0.8, 81))
    apart = (Note(0.0, 0.3, 81), apart_before[1])
    assert octaves.join_octave_splits(apart_before, apart, attack_near=lambda a, b: False) == apart


def test_a_note_read_flipping_between_octaves_is_joined_whole() -> None:
    # The flute's last A5 read A4, A5, A4 in turn: every part moved or touching a moved one joins.
    before = (Note(0.0, 0.2, 69), Note(0.2, 0.4, 81), Note(0.4, 0.6, 69))
    after = tuple(Note(n.onset_s, n.offset_s, 81) for n in before)
    assert octaves.join_octave_splits(before, after, attack_near=lambda a, b: False) == (Note(0.0, 0.6, 81),)


def test_a_far_quieter_note_of_the_same_pitch_after_a_break_is_its_ring() -> None:
    # A flute's last A5, then the synthesizer's reverb read as A5 again 56 ms later, 19 dB
    # quieter: a sixteenth and rests in a bar of its own (rendered r001).
    a5, ring = Note(27.98, 28.74, 81, 0.0, 0.8), Note(28.79, 29.04, 81, 6.0, 0.7)
    assert octaves.drop_harmonic_rings((a5, ring), np.array([-15.0, -34.0])) == (a5,)
    # A repeat played softer (13 dB), or split from the note with no break, stays.
    assert octaves.drop_harmonic_rings((a5, ring), np.array([-15.0, -28.0])) == (a5, ring)
    touching = replace(ring, onset_s=a5.offset_s)
    assert octaves.drop_harmonic_rings((a5, touching), np.array([-15.0, -34.0])) == (a5, touching)


def test_a_harmonic_read_as_a_note_ends_is_the_notes_tail() -> None:
    # A clarinet's C4 whose last 160 ms the tracker read at its fifth harmonic (E6) before the
    # Bb3 after it: written as a C4 triplet and an E6 triplet eighth (rendered varied r010).
    c4, tail, bb3 = Note(23.54, 24.076, 60, 0.0, 0.9), Note(24.076, 24.24, 88, -14.0, 0.87), Note(24.34, 25.0, 58, 0.0, 0.9)
    assert octaves.merge_harmonic_tails((c4, tail, bb3)) == (replace(c4, offset_s=24.24), bb3)
    assert octaves.merge_harmonic_tails((c4, tail)) == (replace(c4, offset_s=24.24),)  # the last note
    # A played leap: an octave up and back, a long note, a rest before it, or a step down after.
    octave = replace(tail, midi=72, cents=0.0)
    long = replace(tail, offset_s=24.076 + octaves.TAIL_MAX_S + 0.05)
    late = replace(tail, onset_s=24.2, offset_s=24.3)
    for kept in ((c4, octave, bb3), (c4, long, bb3), (c4, late, bb3), (c4, tail, replace(bb3, midi=80))):
        assert octaves.merge_harmonic_tails(kept) == kept


def test_a_short_part_read_an_octave_off_becomes_the_start_of_the_note_it_touches() -> None:
    # A flute's E5 in a hall, read E4 for its first 120 ms (held-out r023), then E5.
    part, e5, next_note = Note(6.712, 6.83, 64), Note(6.83, 7.296, 76, cents=3.0), Note(7.343, 7.92, 77)
    joined = octaves.join_octave_fragments((part, e5, next_note), attack_near=lambda a, b: False)
    assert joined == (Note(6.712, 7.296, 76, cents=3.0), next_note)
    # Read an octave high at first: the same.
    high = Note(6.712, 6.83, 88)
    assert octaves.join_octave_fragments((high, e5), attack_near=lambda a, b: False) == (Note(6.712, 7.296, 76, cents=3.0),)


def test_a_played_octave_leap_a_long_note_or_a_gap_stays() -> None:
    part, e5 = Note(6.712, 6.83, 64), Note(6.83, 7.296, 76)
    # An attack where they meet: a leap played.
    assert octaves.join_octave_fragments((part, e5), attack_near=lambda a, b: True) == (part, e5)
    # Longer than a misread start.
    long = Note(6.83 - octaves.FRAGMENT_MAX_S - 0.05, 6.83, 64)
    assert octaves.join_octave_fragments((long, e5), attack_near=lambda a, b: False) == (long, e5)
    # A rest between, or not an octave apart.
    early = Note(6.6, 6.7, 64)
    assert octaves.join_octave_fragments((early, e5), attack_near=lambda a, b: False) == (early, e5)
    fifth = Note(6.712, 6.83, 69)
    assert octaves.join_octave_fragments((fifth, e5), attack_near=lambda a, b: False) == (fifth, e5)


_melodies = st.lists(
    st.tuples(st.floats(0.0, 0.04), st.floats(0.05, 0.5), st.sampled_from((-12, -7, -2, 0, 2, 5, 12))),
    max_size=12,
)


def _notes_of(steps: list[tuple[float, float, int]]) -> tuple[Note, ...]:
    """Touching or nearly touching notes from (gap, length, interval) steps, from MIDI 66."""
    notes, t, midi = [], 0.0, 66
    for gap_s, length_s, interval in steps:
        midi = midi + interval if 48 <= midi + interval <= 84 else midi - interval
        notes.append(Note(round(t + gap_s, 3), round(t + gap_s + length_s, 3), midi))
        t = notes[-1].offset_s
    return tuple(notes)


@settings(max_examples=300, deadline=None)
@given(_melodies)
def test_joining_octave_fragments_only_merges_neighbours(steps: list[tuple[float, float, int]]) -> None:
    notes = _notes_of(steps)
    joined = octaves.join_octave_fragments(notes, attack_near=lambda a, b: False)
    # Never more notes; in order, none overlapping; every start and end one of the melody's,
    # every pitch one it had; and every note's time still inside a note.
    assert len(joined) <= len(notes)
    assert all(a.offset_s <= b.onset_s for a, b in itertools.pairwise(joined))
    assert {n.onset_s for n in joined} <= {n.onset_s for n in notes}
    assert {n.offset_s for n in joined} <= {n.offset_s for n in notes}
    assert {n.midi for n in joined} <= {n.midi for n in notes}
    for note in notes:
        middle = 0.5 * (note.onset_s + note.offset_s)
        assert any(j.onset_s <= middle <= j.offset_s for j in joined)
    # An attack at every join keeps every note.
    assert octaves.join_octave_fragments(notes, attack_near=lambda a, b: True) == notes


def test_the_rooms_ring_after_the_last_note_is_dropped() -> None:
    # A hall after a phrase that ends E5 D5: the tracker reads the D5's ring, then the E5's,
    # quieter and without a rise (held-out r023 ended its page with such an E).
    e5, d5 = Note(22.0, 22.5, 76), Note(22.5, 23.0, 74)
    ring_d, ring_e = Note(23.05, 23.3, 74), Note(23.35, 23.6, 76)
    notes = (e5, d5, ring_d, ring_e)
    accent = np.array([-12.0, -13.0, -22.0, -25.0])
    assert octaves.drop_final_rings(notes, accent, np.array([20.0, 3.5, 0.5, 1.0])) == (e5, d5)
    # A soft last note played after a rest rises out of the quiet: kept (varied r039's trumpet).
    assert octaves.drop_final_rings(notes, accent, np.array([20.0, 3.5, 0.5, 30.0])) == notes
    # Not much quieter than the note it echoes: a note.
    loud = np.array([-12.0, -13.0, -22.0, -12.0 - octaves.FINAL_RING_DROP_DB + 1.0])
    assert octaves.drop_final_rings(notes, loud, np.array([20.0, 3.5, 0.5, 1.0])) == notes
    # Rings read as notes that touch (hall check r020's alto sax ended in four): all dropped.
    chained = (e5, d5, ring_d, Note(23.3, 23.6, 76))
    assert octaves.drop_final_rings(chained, accent, np.array([20.0, 3.5, 0.5, 1.0])) == (e5, d5)
    # A quiet note touching a played one is kept (below), and so is one touching a note that is no ring.
    assert octaves.drop_final_rings(chained, accent, np.array([20.0, 3.5, 30.0, 1.0])) == chained


def test_a_quiet_echo_inside_the_piece_or_a_new_pitch_at_the_end_stays() -> None:
    e5, d5 = Note(22.0, 22.5, 76), Note(22.5, 23.3, 74)
    echo, later = Note(23.35, 23.6, 74), Note(24.0, 24.5, 79)
    rises = np.array([20.0, 3.5, 0.5, 15.0])
    # Followed by a note played: inside the piece nothing is dropped.
    assert octaves.drop_final_rings((e5, d5, echo, later), np.array([-12.0, -13.0, -22.0, -12.0]), rises) == (e5, d5, echo, later)
    # At the end but at no harmonic of the notes before it (G#4 after E5 D5): kept.
    odd = Note(23.35, 23.6, 68)
    assert octaves.drop_final_rings((e5, d5, odd), np.array([-12.0, -13.0, -22.0]), rises[:3]) == (e5, d5, odd)
    # Touching the note before (no break): kept.
    touching = Note(23.3, 23.6, 74)
    assert octaves.drop_final_rings((e5, d5, touching), np.array([-12.0, -13.0, -22.0]), rises[:3]) == (e5, d5, touching)
