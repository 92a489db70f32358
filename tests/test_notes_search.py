"""The note search (transcribe.notes.search, .split, .cleanup): vibrato, re-attacks, glides, octave slips."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.synth import melody, render
from transcribe import audio, gating, notes, pitch
from transcribe.features import onset_strength
from transcribe.types import Note, PitchTrack


def _segment(y: np.ndarray, sr: int = 16000, params: notes.SegmentParams | None = None) -> tuple[Note, ...]:
    a = audio.from_array(y, sr, target_sr=16000)
    track = pitch.estimate(a)
    sure = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0)
    mask = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0, max_gap_s=0.05)
    onset = onset_strength(a.samples, a.sr, track.times_s)
    attack = onset_strength(a.samples, a.sr, track.times_s, win_s=0.032)
    return notes.segment(track, mask, onset, sure=sure, attack=attack, tuning_cents=0.0, min_note_s=0.07, params=params)


def test_vibrato_is_one_note() -> None:
    y = render([(0.2, 2.2, 64)], sr=16000, vibrato_cents=60.0)
    found = _segment(y)
    assert [n.midi for n in found] == [64]
    assert found[0].duration_s > 1.8


def test_repeated_notes_are_split() -> None:
    y = render(melody([(67, 1), (67, 1), (67, 1), (67, 2)], bpm=120, gap_s=0.03), sr=16000)
    found = _segment(y)
    assert [n.midi for n in found] == [67, 67, 67, 67]
    assert np.allclose([n.onset_s for n in found], [0.3, 0.8, 1.3, 1.8], atol=0.05)


def test_beating_note_is_one_note() -> None:
    # A held note whose level swells and dips 9 dB three times a second with no
    # onset (a choir or ensemble patch beats like this): one note, not a re-attack.
    sr = 16000
    t = np.arange(int(2.0 * sr)) / sr
    f = 440.0 * 2 ** ((64 - 69) / 12)
    tone = sum(0.6**k * np.sin(2 * np.pi * (k + 1) * f * t) for k in range(5))
    swell = 1.0 - 0.65 * (0.5 - 0.5 * np.cos(2 * np.pi * 3.0 * t))
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    y = np.concatenate([np.zeros(3200), 0.2 * tone * swell * fade, np.zeros(3200)]).astype(np.float32)
    found = _segment(y, sr)
    assert [n.midi for n in found] == [64]
    assert found[0].duration_s > 1.8


def _dipped_tone(sr: int, dip_db: float, *, strike: bool, ramp_s: float = 0.06) -> np.ndarray:
    """A 2 s E4 with no break in it whose level sinks by ``dip_db`` towards 1.0 s.

    With ``strike`` it sinks over 60 ms and comes back at once with a short noise burst (a
    re-tongued or re-struck note); without, it sinks and swells back over ``ramp_s`` each way.
    """
    rng = np.random.default_rng(5)
    t = np.arange(int(2.0 * sr)) / sr
    f = 440.0 * 2 ** ((64 - 69) / 12)
    tone = sum(0.6**k * np.sin(2 * np.pi * (k + 1) * f * t) for k in range(5))
    low = 10 ** (-dip_db / 20)
    if strike:
        sink = np.clip((t - 0.94) / 0.06, 0, 1)
        env = np.where(t < 1.0, 1 - (1 - low) * sink, low + (1 - low) * np.clip((t - 1.0) / 0.005, 0, 1))
    else:
        env = low + (1 - low) * np.clip(np.abs(t - 1.0) / ramp_s, 0, 1)
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    y = 0.2 * tone * env * fade
    if strike:
        burst = (t >= 1.0) & (t < 1.012)
        y[burst] += 0.08 * rng.standard_normal(int(burst.sum()))
    return np.concatenate([np.zeros(3200), y, np.zeros(3200)]).astype(np.float32)


@pytest.mark.parametrize("dip_db", [4.0, 8.0, 14.0])
def test_restruck_note_without_a_break_is_split(dip_db: float) -> None:
    # No voicing gap: only the re-attack network can split it.
    found = _segment(_dipped_tone(16000, dip_db, strike=True))
    assert [n.midi for n in found] == [64, 64]
    assert abs(found[1].onset_s - 1.2) < 0.05


@pytest.mark.parametrize("dip_db", [6.0, 10.0])
def test_slow_swell_is_one_note(dip_db: float) -> None:
    # A dynamic swell: the level sinks and comes back over 150 ms each way, no attack.
    found = _segment(_dipped_tone(16000, dip_db, strike=False, ramp_s=0.15))
    assert [n.midi for n in found] == [64]


def test_scoop_is_part_of_the_note() -> None:
    sr = 16000
    t = np.arange(int(0.9 * sr)) / sr
    # A 100 ms glide from 62 up to 64, then 64 held: one note, E4.
    midi = np.where(t < 0.1, 62 + 2 * t / 0.1, 64.0)
    phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12)) / sr
    y = (0.3 * sum(0.6**k * np.sin((k + 1) * phase) for k in range(5))).astype(np.float32)
    y = np.concatenate([np.zeros(3200, dtype=np.float32), y, np.zeros(3200, dtype=np.float32)])
    assert [n.midi for n in _segment(y, sr)] == [64]


@pytest.mark.parametrize("sharp_s", [0.09, 0.12])
def test_a_sung_note_started_a_semitone_sharp_is_one_note(sharp_s: float) -> None:
    # A voice that starts a note a semitone sharp (65) and settles on 64 without
    # gliding: with the voice's parameters it is one note, E4; an instrument's
    # parameters keep the short first note, as a played grace note would be.
    sr = 16000
    t = np.arange(int(0.8 * sr)) / sr
    midi = np.where(t < sharp_s, 65.0, 64.0)
    phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12)) / sr
    y = (0.3 * sum(0.6**k * np.sin((k + 1) * phase) for k in range(5))).astype(np.float32)
    y = np.concatenate([np.zeros(3200, dtype=np.float32), y, np.zeros(3200, dtype=np.float32)])
    assert [n.midi for n in _segment(y, sr, notes.SegmentParams(note_cost=4.5, max_glide_s=0.14, blip_st=1.0))] == [64]
    assert [n.midi for n in _segment(y, sr)] == [65, 64]


def test_octave_slip_is_fixed() -> None:
    # A run of notes where the middle one was tracked an octave up.
    runs = [(0, 10, 60), (10, 20, 62), (20, 40, 76), (40, 50, 65), (50, 60, 64)]
    fixed = notes.search._fix_octaves(runs, notes.SegmentParams())
    assert [r[2] for r in fixed] == [60, 62, 64, 65, 64]


def _slip_track(middle: list[float], conf: float) -> PitchTrack:
    """A4, then a note whose frames are ``middle`` (MIDI) at confidence ``conf``, then E5."""
    midi = np.array([69.0] * 20 + middle + [76.0] * 20)
    c = np.full(len(midi), 0.95)
    c[20 : 20 + len(middle)] = conf
    return PitchTrack(np.arange(len(midi)) * 0.016, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), c, np.full(len(midi), -20.0))


@pytest.mark.parametrize("middle", [[72.0] * 4 + [84.0] * 4 + [72.0] * 4, [72.0] * 5 + [84.0] * 5, [72.0] * 7 + [84.0] * 5])
@pytest.mark.parametrize("conf", [0.5, 0.9])
def test_octave_slip_inside_a_note_keeps_the_note(middle: list[float], conf: float) -> None:
    # The tracker jumping to the second harmonic for part of a weak note must
    # neither lose the note nor give it a pitch between the octaves (78).
    track = _slip_track(middle, conf)
    n = len(track)
    found = notes.segment(track, np.ones(n, dtype=bool), np.zeros(n), tuning_cents=0.0, min_note_s=0.07)
    assert [x.midi for x in found] == [69, 72, 76]


def _scooped_track(scoop: list[float]) -> PitchTrack:
    """G3, then a note whose frames are ``scoop`` (MIDI), then E4."""
    midi = np.array([55.0] * 20 + scoop + [64.0] * 20)
    n = len(midi)
    return PitchTrack(np.arange(n) * 0.016, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), np.full(n, 0.95), np.full(n, -20.0))


def test_a_scooped_note_takes_the_pitch_it_settles_on() -> None:
    # A saxophone note played 40 cents flat, reached by a slow scoop from a semitone and a half
    # below: the median of all its frames (59.3) names the semitone below; the settled part (59.6)
    # names the note.
    track = _scooped_track([58.6, 58.8, 59.0, 59.2, 59.4, 59.6, 59.6, 59.6])
    n = len(track)
    found = notes.segment(track, np.ones(n, dtype=bool), np.zeros(n), tuning_cents=0.0, min_note_s=0.07)
    assert [x.midi for x in found] == [55, 60, 64]
    assert found[1].cents == pytest.approx(-40.0, abs=1.0)
    plain = notes.SegmentParams(settle_slope_st_per_s=0.0)  # the median of every frame
    found = notes.segment(track, np.ones(n, dtype=bool), np.zeros(n), tuning_cents=0.0, min_note_s=0.07, params=plain)
    assert [x.midi for x in found] == [55, 59, 64]


def test_settled_centre() -> None:
    frames = np.array([57.0, 57.6, 58.2, 58.8, 59.4, 59.6, 59.6, 59.6])
    assert notes.search.settled_centre(frames, max_slope_st=0.128) == pytest.approx(59.6)
    assert notes.search.settled_centre(frames, max_slope_st=0.0) == pytest.approx(59.1)  # the plain median
    # A glide with no steady stretch of three frames: the median of all of them.
    glide = np.array([57.0, 57.5, 58.0, 58.5, 59.0])
    assert notes.search.settled_centre(glide, max_slope_st=0.128) == pytest.approx(58.0)
    # Vibrato (6 Hz, +-0.3 semitones around 60.1): its centre, not one of its swings.
    t = np.arange(40) * 0.016
    vib = 60.1 + 0.3 * np.sin(2 * np.pi * 6.0 * t)
    assert abs(notes.search.settled_centre(vib, max_slope_st=0.128) - 60.1) < 0.1


def test_a_note_the_tracker_reads_two_octaves_up_after_its_start_keeps_its_start() -> None:
    # A clarinet's F4 read right for its first 240 ms and two octaves up after (rendered r037):
    # the frames at F4 were taken for a scoop into the note's median pitch (F6) and the note
    # started 240 ms late.
    n = 150
    times = np.arange(n) * 0.016
    midi = np.full(n, 62.0)
    midi[40:55] = 65.0
    midi[55:95] = 89.0
    midi[95:] = 62.0
    hz = 440.0 * 2.0 ** ((midi - 69.0) / 12.0)
    track = PitchTrack(times, hz, np.full(n, 0.9), np.full(n, -20.0), "test")
    voiced = np.ones(n, dtype=bool)
    onset = np.zeros(n)
    onset[[0, 40, 95]] = 2.0
    found = notes.segment(track, voiced, onset, tuning_cents=0.0, min_note_s=0.07)
    assert [x.midi for x in found] == [62, 65, 62]
    assert abs(found[1].onset_s - (40 * 0.016 - 0.008)) < 0.02


def _frame_times(n: int, hop_s: float = 0.01) -> np.ndarray:
    return np.arange(n) * hop_s + hop_s / 2  # frame centres


def test_a_note_is_held_to_the_end_of_its_pitch_run() -> None:
    times = _frame_times(200)
    # A note the level cut at 0.5 s inside a run of its pitch that lasts to 0.9 s, then a
    # rest (no run: the search passes note runs only) and another note: the first is held to
    # its run's end, not over the rest; the second keeps its end.
    runs = [(10, 90, 60), (100, 150, 62)]
    found = (Note(0.1, 0.5, 60, 0.0, 0.9), Note(1.0, 1.5, 62, 0.0, 0.9))
    held = notes.search.hold_to_run_ends(found, runs, times, hop_s=0.01)
    assert [(n.onset_s, n.offset_s) for n in held] == [(0.1, pytest.approx(0.9)), (1.0, pytest.approx(1.5))]
    assert [(n.midi, n.cents, n.confidence) for n in held] == [(60, 0.0, 0.9), (62, 0.0, 0.9)]


def test_a_held_note_stops_at_the_next_onset_and_is_never_shortened() -> None:
    times = _frame_times(200)
    # One run split by a re-attack at 0.7 s: the first part is held to the split, not over it.
    runs = [(10, 90, 60)]
    found = (Note(0.1, 0.5, 60, 0.0, 0.9), Note(0.7, 0.8, 60, 0.0, 0.9))
    held = notes.search.hold_to_run_ends(found, runs, times, hop_s=0.01)
    assert [n.offset_s for n in held] == [pytest.approx(0.7), pytest.approx(0.9)]
    # A note already past its run's end (a merged glide) keeps its end.
    longer = (Note(0.1, 1.2, 60, 0.0, 0.9),)
    assert notes.search.hold_to_run_ends(longer, runs, times, hop_s=0.01) == longer


def test_a_decaying_note_ends_where_its_pitch_does() -> None:
    # A plucked-style E4 falling 30 dB over 1.5 s: the level passes 15 dB below its peak
    # half-way, but the tracker holds the pitch to the end, and so does the note.
    sr = 16000
    t = np.arange(int(1.5 * sr)) / sr
    f = 440.0 * 2 ** ((64 - 69) / 12)
    tone = sum(0.6**k * np.sin(2 * np.pi * (k + 1) * f * t) for k in range(5))
    env = 10 ** (-30.0 * t / 1.5 / 20) * np.minimum(1.0, (t[-1] - t) / 0.02)
    y = np.concatenate([np.zeros(3200), 0.3 * tone * env, np.zeros(6400)]).astype(np.float32)
    found = _segment(y, sr)
    assert [n.midi for n in found] == [64]
    assert found[0].offset_s > 0.2 + 1.3


def _note(onset_s: float, offset_s: float, midi: int, cents: float = 0.0) -> Note:
    return Note(onset_s=onset_s, offset_s=offset_s, midi=midi, cents=cents, confidence=0.9)


def test_join_octave_runs_joins_only_across_the_trackers_octave() -> None:
    first, second = _note(0.0, 0.1, 77, -40.0), _note(0.1, 0.6, 77, -18.0)
    # The first run held frames an octave off (joined by the octave fix): one note, the longer part's cents.
    (one,) = notes.search.join_octave_runs([(first, 0), (second, 1)], [(0, 6, 76), (6, 37, 77)], {0})
    assert (one.onset_s, one.offset_s, one.midi, one.cents) == (0.0, 0.6, 77, -18.0)
    # Runs an octave apart: the path's change was the tracker's octave.
    assert len(notes.search.join_octave_runs([(first, 0), (second, 1)], [(0, 6, 65), (6, 37, 77)], set())) == 1
    # Runs a semitone apart whose frames lie in one octave: a repeat (or a step the pitch rounds over) stays.
    assert len(notes.search.join_octave_runs([(first, 0), (second, 1)], [(0, 6, 76), (6, 37, 77)], set())) == 2
    # Runs that do not touch (a rest between) stay apart, and so do notes of different pitches.
    assert len(notes.search.join_octave_runs([(first, 0), (second, 1)], [(0, 6, 76), (7, 37, 77)], {0})) == 2
    other = _note(0.1, 0.6, 76)
    assert len(notes.search.join_octave_runs([(first, 0), (other, 1)], [(0, 6, 76), (6, 37, 77)], {0})) == 2


def test_a_note_whose_start_the_tracker_reads_an_octave_low_is_one_note() -> None:
    # A flute's F5 after an E5 under a hall (held-out r023's frames): its first 140 ms read about
    # an octave low, then rising into F5. Written before as a sixteenth and a dotted eighth of F.
    low = [63.92, 63.90, 64.18, 64.49, 64.63, 64.61, 64.64, 64.46, 64.31]
    high = [76.60, 76.68, 76.77, 76.78, 76.82, 76.84, 76.85, 76.85] + [76.9] * 22
    midi = np.array([76.0] * 40 + low + high + [74.0] * 30)
    loud = np.array([-30.0] * 40 + [-36.6, -32.8, -27.1, -23.5, -24.4, -26.0, -25.9, -25.4, -26.0])
    loud = np.concatenate([loud, [-30.9, -31.5, -31.5, -31.7, -33.1, -33.9, -34.2, -31.8] + [-30.0] * 52])
    n = len(midi)
    track = PitchTrack(np.arange(n) * 0.016, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), np.full(n, 0.8), loud, "test")
    onset = np.zeros(n)
    onset[[0, 40, 79]] = 2.0
    found = notes.segment(track, np.ones(n, dtype=bool), onset, tuning_cents=0.0, min_note_s=0.07)
    assert [x.midi for x in found] == [76, 77, 74]
    assert abs(found[1].onset_s - 40 * 0.016) < 0.02


# Runs of the path: each (frames, MIDI) with a flag for "octave-fixed", and per run 1-3 notes of
# pitch MIDI or MIDI +- 1 (a note's own pitch may round away from its run's).
_runs_strategy = st.lists(
    st.tuples(st.integers(3, 30), st.integers(55, 80), st.booleans(), st.integers(1, 3), st.integers(-1, 1), st.booleans()),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_runs_strategy)
def test_join_octave_runs_only_joins_neighbours_across_runs(spec: list[tuple[int, int, bool, int, int, bool]]) -> None:
    runs, made, joined, frame = [], [], set(), 0
    for i, (length, midi, fixed, pieces, shift, rest_before) in enumerate(spec):
        frame += int(rest_before)  # a rest frame between runs
        runs.append((frame, frame + length, midi))
        if fixed:
            joined.add(i)
        edges = np.linspace(frame, frame + length, pieces + 1)
        for a, b in itertools.pairwise(edges):
            made.append((_note(a * 0.016, b * 0.016, midi + shift), i))
        frame += length
    notes_in = [n for n, _ in made]
    out = notes.search.join_octave_runs(made, runs, joined)
    # Never more notes; in order and apart; every start and end and pitch one of the input's;
    # every input note's middle still inside a note; and no two notes from runs apart by a rest
    # or of different pitch were joined.
    assert len(out) <= len(notes_in)
    assert all(a.offset_s <= b.onset_s + 1e-9 for a, b in itertools.pairwise(out))
    assert {n.onset_s for n in out} <= {n.onset_s for n in notes_in}
    assert {n.offset_s for n in out} <= {n.offset_s for n in notes_in}
    assert {n.midi for n in out} <= {n.midi for n in notes_in}
    held_by: dict[int, list[int]] = {}
    for note, i in made:
        middle = 0.5 * (note.onset_s + note.offset_s)
        ((k, holder),) = [(k, o) for k, o in enumerate(out) if o.onset_s <= middle <= o.offset_s]
        assert holder.midi == note.midi
        held_by.setdefault(k, []).append(i)
    for members in held_by.values():
        for i, j in itertools.pairwise(sorted(set(members))):
            assert j == i + 1 and runs[i][1] == runs[j][0]  # runs that touch
            apart_st = runs[j][2] - runs[i][2]
            assert (apart_st != 0 and apart_st % 12 == 0) or i in joined or j in joined  # the tracker's octave
    # Nothing to join without an octave between runs and no octave-fixed run.
    same_octave_runs = [(a, b, m if k % 2 else m + 1) for k, (a, b, m) in enumerate(runs)]
    assert notes.search.join_octave_runs(made, same_octave_runs, set()) == notes_in
