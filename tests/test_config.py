"""Options and the parsing of user text (transcribe.config)."""

from __future__ import annotations

import pytest

from transcribe.config import Options, parse_key, parse_time_signature
from transcribe.errors import OptionError


def test_option_parsing() -> None:
    assert parse_key("bb") == "Bb minor"
    assert parse_key("F# major") == "F# major"
    assert parse_time_signature(" 6/8 ") == "6/8"
    for bad in ("H major", "X"):
        with pytest.raises(OptionError):
            parse_key(bad)
    for bad in ("7/0", "3/5", "x/4"):
        with pytest.raises(OptionError):
            parse_time_signature(bad)
    assert Options(pitch="pyin").voicing_threshold == 0.1
    assert Options(confidence=0.7).voicing_threshold == 0.7
    with pytest.raises(OptionError, match="a440"):
        Options(tuning="A=442")
    with pytest.raises(OptionError, match="pitch"):
        Options(onsets="vowel")


def test_pitch_range_defaults_per_backend_and_overrides() -> None:
    from transcribe import pitch

    assert Options().pitch_range_hz == (30.0, 4000.0)  # SwiftF0: a bass's low E to a whistle's top
    assert Options(pitch="pyin").pitch_range_hz == (50.0, 2000.0)
    assert Options(fmin_hz=80.0).pitch_range_hz == (80.0, 4000.0)
    with pytest.raises(OptionError):
        Options(fmin_hz=3000.0, fmax_hz=2500.0)
    with pytest.raises(OptionError):
        Options(fmax_hz=5000.0)
    # What SwiftF0's model reads directly, and what is read on the audio moved an octave.
    assert pitch.searched_directly("swift", fmin_hz=30.0, fmax_hz=4000.0) == (50.0, 2000.0)
    assert pitch.searched_directly("swift", fmin_hz=80.0, fmax_hz=1000.0) == (80.0, 1000.0)
    assert pitch.searched_directly("swift", fmin_hz=2500.0, fmax_hz=4000.0) == (50.0, 2000.0)  # wholly beyond
    assert pitch.searched_directly("pyin", fmin_hz=30.0, fmax_hz=4000.0) == (30.0, 4000.0)
