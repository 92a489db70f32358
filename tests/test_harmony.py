"""Key and spelling (transcribe.harmony)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.synth import RETURNING_TUNE
from transcribe import harmony
from transcribe.harmony.key import NATURAL_PC
from transcribe.notation import parse_name
from transcribe.types import Note


@pytest.mark.parametrize(
    ("key", "midi", "name"),
    [("D major", 66, "F#4"), ("F major", 70, "Bb4"), ("E minor", 63, "D#4"), ("Bb major", 63, "Eb4"), ("D major", 60, "C4")],
)
def test_spelling(key: str, midi: int, name: str) -> None:
    assert harmony.spell(midi, key) == name


@pytest.mark.parametrize(
    ("midis", "key", "names"),
    [
        ((48, 49, 50), "F major", ["C3", "C#3", "D3"]),  # up by step: raised (the bass page wrote Db D natural)
        ((50, 49, 48), "F major", ["D3", "Db3", "C3"]),  # down by step: lowered
        ((67, 66, 67), "C major", ["G4", "F#4", "G4"]),  # a lower neighbour
        ((69, 70, 69), "C major", ["A4", "Bb4", "A4"]),  # an upper neighbour
        ((48, 49, 49, 50), "F major", ["C3", "C#3", "C#3", "D3"]),  # repeated, then up
        ((64, 63, 60), "C major", ["E4", "Eb4", "C4"]),  # left by a leap: the way it came
        ((62, 63, 67), "C major", ["D4", "D#4", "G4"]),
        ((60, 66, 60), "C major", ["C4", "F#4", "C4"]),  # leaps both ways: the key's way
        ((65, 66, 65), "Bb major", ["F4", "Gb4", "F4"]),
        ((68, 66, 68), "Ab major", ["Ab4", "Gb4", "Ab4"]),  # a whole tone below: G flat, not F sharp
        ((67, 63, 65), "C major", ["G4", "Eb4", "F4"]),  # a whole tone up to F: E flat, not D sharp
        ((64, 65, 66), "E major", ["E4", "F4", "F#4"]),  # fewer accidentals win: F natural, not E#
        ((71, 72, 71), "A minor", ["B4", "C5", "B4"]),  # scale tones as spell() names them
    ],
)
def test_a_chromatic_tone_is_spelled_by_where_the_line_goes(midis: tuple[int, ...], key: str, names: list[str]) -> None:
    assert harmony.spell_line(midis, key) == names


_KEYS = [harmony.key_name(pc, minor=minor) for pc in range(12) for minor in (False, True)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=36, max_value=84), min_size=1, max_size=16), st.sampled_from(_KEYS))
def test_a_line_names_every_pitch_it_was_given(midis: list[int], key: str) -> None:
    # Each name sounds its MIDI pitch (letter, accidental and octave together); a pitch the key's
    # table names with no accidental keeps that name; none takes two accidentals where spell() has one.
    for midi, name in zip(midis, harmony.spell_line(midis, key)):
        letter, alter, octave = parse_name(name)
        assert 12 * (octave + 1) + NATURAL_PC[letter] + alter == midi
        plain_alter = parse_name(harmony.spell(midi, key))[1]
        if plain_alter == 0:
            assert name == harmony.spell(midi, key)
        assert abs(alter) <= max(1, abs(plain_alter))


def test_key_of_a_scale() -> None:
    scale = [67, 69, 71, 72, 74, 76, 78, 79, 74, 71, 67]
    found = tuple(Note(i * 0.5, i * 0.5 + 0.45, m) for i, m in enumerate(scale))
    assert harmony.estimate_key(found) == "G major"
    assert harmony.key_signature_sharps("G major") == 1
    assert harmony.key_signature_sharps("D minor") == -1


def test_key_features_count_the_tonic_before_the_opening_returns() -> None:
    found = tuple(Note(i * 0.5, i * 0.5 + 0.4, m) for i, m in enumerate(RETURNING_TUNE * 2 + RETURNING_TUNE[:4]))
    feats = harmony.key_features(found)
    col = harmony.KEY_FEATURES.index
    assert feats[0, col("return_tonic")] == 1.0  # C major: the tune ends on C
    assert feats[5, col("return_fifth")] == 1.0  # F major: C is its fifth
    assert feats[7, col("return_tonic")] == feats[7, col("return_fifth")] == 0.0  # G major: neither


@pytest.mark.parametrize(
    ("midis", "key"),
    [((69,), "C major"), ((66, 66, 66), "G major"), ((70,), "F major"), ((67, 64, 67, 64), "C major"), ((61, 66), "D major")],
)
def test_a_held_tone_or_two_note_call_gets_the_plainest_key_that_holds_it(midis: tuple[int, ...], key: str) -> None:
    # A lone A4 held for 8 s came out in D major (two sharps for a note that needs none): one or
    # two pitch classes carry no evidence of a key, so the signature is the one that writes them plainly.
    found = tuple(Note(i * 1.0, i * 1.0 + 0.9, m) for i, m in enumerate(midis))
    assert harmony.estimate_key(found) == key


def test_three_pitch_classes_are_read_by_the_key_model() -> None:
    # A G major arpeggio (three pitch classes, all in C major too) is still read by the key model.
    found = tuple(Note(i * 0.5, i * 0.5 + 0.45, m) for i, m in enumerate([67, 71, 74, 71, 67, 74, 67]))
    assert harmony.estimate_key(found) == "G major"
