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
