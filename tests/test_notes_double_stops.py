"""Double stops are written at their upper note (transcribe.notes.double_stops)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import transcribe
from tests.synth import SR, melody, render
from transcribe.notes import double_stops
from transcribe.types import Note
from transcribe.units import midi_to_hz

#: A melody in A major and the lower notes played with some of it: a fourth, sixths, a fifth.
TOP = [69, 71, 73, 74, 76, 74, 73, 71, 69]
LOWER = {2: 64, 3: 66, 4: 69, 6: 64, 8: 62}


def partials(*f0s_hz: float, n: int = 8, detune_cents: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The partials of harmonic tones (1/k amplitudes), as spectral_peaks gives them."""
    freqs, power = [], []
    for f0 in f0s_hz:
        for k in range(1, n + 1):
            freqs.append(k * f0 * 2 ** (detune_cents / 1200))
            power.append(1.0 / k**2)
    return np.array(freqs), np.array(power)


def test_two_voices_are_told_from_one() -> None:
    d4, a4 = midi_to_hz(62), midi_to_hz(69)
    # One voice: nothing to add, whatever the tracker read.
    assert double_stops.voices_hz(*partials(a4), tracked_hz=a4) is None
    # D4 + A4 (a fifth): read at D4, or at their common sub-harmonic D3.
    for tracked in (d4, d4 / 2):
        pair = double_stops.voices_hz(*partials(d4, a4), tracked_hz=tracked)
        assert pair is not None and abs(pair[0] - d4) < 3 and abs(pair[1] - a4) < 3
    # A detuned copy of the same note (a chorus) is not a second voice.
    f, p = partials(a4)
    f2, p2 = partials(a4, detune_cents=30)
    assert double_stops.voices_hz(np.append(f, f2), np.append(p, p2), tracked_hz=a4) is None


def test_a_melody_with_double_stops_is_written_at_its_top_notes() -> None:
    line = melody([(m, 1) for m in TOP], bpm=90)
    stops = [(on, off, LOWER[i]) for i, (on, off, _) in enumerate(line) if i in LOWER]
    res = transcribe.transcribe(render(line + stops), sr=SR)
    assert [n.midi for n in res.notes] == TOP
    # The same melody without them is unchanged.
    assert [n.midi for n in transcribe.transcribe(render(line), sr=SR).notes] == TOP


def test_in_a_long_room_the_notes_come_back_unchanged() -> None:
    notes = (Note(0.0, 0.5, 62),)

    def peaks(times_s: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        return [partials(midi_to_hz(62), midi_to_hz(69)) for _ in times_s]

    def level(times_s: np.ndarray, pitches: tuple[tuple[float, float | None], ...], n_harmonics: int) -> list[np.ndarray | None]:
        return [np.array([-60.0] + [0.0] * (len(times_s) - 1)) for _ in pitches]

    assert double_stops.top_voice(notes, peaks, level, tuning_cents=0.0) == (Note(0.0, 0.5, 69, 0.0, notes[0].confidence),)
    long_room = double_stops.MAX_RT60_S + 0.5
    assert double_stops.top_voice(notes, peaks, level, tuning_cents=0.0, rt60_s=long_room) == notes


def test_an_upper_voice_fading_from_before_the_note_is_a_ring_and_one_held_is_a_string() -> None:
    notes = (Note(1.0, 1.5, 62),)

    def peaks(times_s: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        return [partials(midi_to_hz(62), midi_to_hz(69)) for _ in times_s]

    def levels(middle_db: list[float], lower_db: float = -6.0):
        # One level per pitch asked for: the upper voice (A4) 0 dB before the onset, then
        # ``middle_db``; the lower one (D4) ``lower_db`` throughout.
        def level(times_s: np.ndarray, pitches: tuple[tuple[float, float | None], ...], n_harmonics: int) -> list[np.ndarray | None]:
            return [np.array([0.0, *middle_db])[-len(times_s) :] if f0 > 400.0 else np.full(len(times_s), lower_db) for f0, _ in pitches]

        return level

    # No louder than before the onset and falling at a room's rate: the ring of an earlier note.
    fading = levels([-1.0, -3.0, -5.0, -7.0, -9.0])
    assert double_stops.top_voice(notes, peaks, fading, tuning_cents=0.0) == notes
    # Level through the note and above the lower string (bowed on with a new one under it): the
    # upper note; held as quietly as the lower one it may still be sounding from before: not.
    held = levels([-0.5, -0.2, 0.0, -0.3, -0.4])
    assert double_stops.top_voice(notes, peaks, held, tuning_cents=0.0)[0].midi == 69
    assert double_stops.top_voice(notes, peaks, levels([-0.5, -0.2, 0.0, -0.3, -0.4], lower_db=0.0), tuning_cents=0.0) == notes


@settings(derandomize=True, max_examples=80, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.floats(0.05, 0.6), st.floats(0.0, 0.1), st.integers(40, 90), st.integers(0, 3)), min_size=1, max_size=12),
    st.floats(-40.0, 10.0),
)
def test_double_stops_keep_the_notes_in_order_and_never_lower_one(spans: list[tuple[float, float, int, int]], level_db: float) -> None:
    # Notes from (length, gap, midi, kind); kind 0: one voice, 1-3: a second voice 3, 6 or 9
    # semitones above the note.
    notes, upper, t = [], [], 0.0
    for length, gap, midi, kind in spans:
        notes.append(Note(t, t + length, midi))
        upper.append(None if kind == 0 else midi + 3 * kind)
        t += length + gap

    def peaks(times_s: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for time in times_s:
            k = max(i for i, n in enumerate(notes) if n.onset_s <= time + 1e-9)
            voices = [midi_to_hz(notes[k].midi)] + ([] if upper[k] is None else [midi_to_hz(upper[k])])
            out.append(partials(*voices))
        return out

    def level(times_s: np.ndarray, pitches: tuple[tuple[float, float | None], ...], n_harmonics: int) -> list[np.ndarray | None]:
        return [np.linspace(-60.0, level_db, len(times_s)) for _ in pitches]

    out = double_stops.top_voice(tuple(notes), peaks, level, tuning_cents=0.0)
    assert 1 <= len(out) <= len(notes)
    assert all(a.offset_s <= b.onset_s + 1e-9 for a, b in itertools.pairwise(out))
    assert out[0].onset_s == notes[0].onset_s and out[-1].offset_s == notes[-1].offset_s
    # Every note written is an input note, or that note (or a run of them) at its upper voice.
    for n in out:
        under = [k for k, m in enumerate(notes) if m.onset_s >= n.onset_s - 1e-9 and m.offset_s <= n.offset_s + 1e-9]
        assert under and all(n.midi in (notes[k].midi, upper[k]) for k in under)
        assert all(notes[k].midi <= n.midi for k in under)
