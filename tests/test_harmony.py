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
