"""The voice and instrument presets (transcribe.profiles): which one each option and tuning picks."""

from __future__ import annotations

from transcribe import profiles
from transcribe.config import TUNING_MIN_STEADINESS
from transcribe.notes import SegmentParams
from transcribe.tuning import Tuning

STEADY = Tuning(12.0, TUNING_MIN_STEADINESS + 0.1)
WANDERING = Tuning(12.0, TUNING_MIN_STEADINESS - 0.1)


def test_auto_picks_the_instrument_for_a_steady_tuning_and_the_voice_for_a_wandering_one() -> None:
    assert profiles.choose(STEADY, "auto") is profiles.INSTRUMENT
    assert profiles.choose(WANDERING, "auto") is profiles.VOICE


def test_a_forced_onsets_option_wins_over_the_tuning() -> None:
    assert profiles.choose(WANDERING, "attack") is profiles.INSTRUMENT
    assert profiles.choose(STEADY, "pitch") is profiles.VOICE


def test_the_instrument_runs_the_search_and_both_networks_the_voice_none_of_them() -> None:
    inst, voice = profiles.INSTRUMENT, profiles.VOICE
    assert inst.segment == SegmentParams() and inst.refine_offsets and inst.refine_onsets and inst.onsets_at == "attack"
    assert voice.segment is None and not voice.refine_offsets and not voice.refine_onsets and voice.onsets_at == "pitch"


def test_notes_are_rounded_in_the_measured_tuning_only_where_it_holds() -> None:
    assert profiles.rounding_tuning_cents(STEADY, "auto") == 12.0
    assert profiles.rounding_tuning_cents(WANDERING, "auto") == 0.0
    assert profiles.rounding_tuning_cents(WANDERING, "performance") == 12.0
    assert profiles.rounding_tuning_cents(STEADY, "a440") == 0.0
    assert profiles.sung_writing(WANDERING, "auto") and not profiles.sung_writing(STEADY, "auto")
    assert not profiles.sung_writing(WANDERING, "a440")
