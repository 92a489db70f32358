"""Key and spelling (transcribe.harmony)."""

from __future__ import annotations

import pytest

from tests.synth import RETURNING_TUNE
from transcribe import harmony
from transcribe.types import Note


@pytest.mark.parametrize(
    ("key", "midi", "name"),
    [("D major", 66, "F#4"), ("F major", 70, "Bb4"), ("E minor", 63, "D#4"), ("Bb major", 63, "Eb4"), ("D major", 60, "C4")],
)
def test_spelling(key: str, midi: int, name: str) -> None:
    assert harmony.spell(midi, key) == name


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
