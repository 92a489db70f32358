"""The typed values at the boundary (transcribe.values): parsed once, printed as before."""

from __future__ import annotations

import json
import pickle
from fractions import Fraction

import pytest

from transcribe.config import Options, parse_key, parse_time_signature
from transcribe.errors import OptionError
from transcribe.types import Rhythm
from transcribe.values import Key, TimeSignature


@pytest.mark.parametrize(
    ("text", "measure_q", "beat_q", "compound"),
    [
        ("4/4", 4, 1, False),
        ("3/4", 3, 1, False),
        ("2/2", 4, 2, False),
        ("6/8", 3, Fraction(3, 2), True),
        ("3/8", Fraction(3, 2), Fraction(3, 2), True),
        ("5/8", Fraction(5, 2), Fraction(1, 2), False),
    ],
)
def test_a_time_signature_knows_its_bar_and_beat(text: str, measure_q: Fraction, beat_q: Fraction, compound: bool) -> None:
    ts = TimeSignature(text)
    assert (ts.measure_q, ts.beat_q, ts.is_compound) == (measure_q, beat_q, compound)
    assert str(ts) == text and ts == text and hash(ts) == hash(text)


def test_values_survive_pickle_and_json_as_their_text() -> None:
    ts, key = TimeSignature("12/8"), Key("Bb minor")
    back = pickle.loads(pickle.dumps((ts, key)))
    assert back == (ts, key) and back[0].numerator == 12 and back[1].tonic == "Bb" and back[1].is_minor
    assert json.dumps({"ts": ts, "key": key}) == '{"ts": "12/8", "key": "Bb minor"}'


def test_options_parse_user_text_into_typed_values_once() -> None:
    opts = Options(time_signature=" 6 / 8 ", key="f#m")
    assert isinstance(opts.time_signature, TimeSignature) and opts.time_signature == "6/8" and opts.time_signature.is_compound
    assert isinstance(opts.key, Key) and (opts.key.tonic, opts.key.mode) == ("F#", "minor")
    assert parse_key("Eb") == "Eb major" and parse_time_signature("9/8").numerator == 9
    with pytest.raises(OptionError, match="3/4 or 6/8"):
        parse_time_signature("three")


def test_a_rhythm_holds_its_time_signature_typed() -> None:
    rh = Rhythm(120.0, "3/4", 0.0, Fraction(0), (), ())
    assert isinstance(rh.time_signature, TimeSignature) and rh.measure_q == 3
