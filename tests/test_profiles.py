"""The voice and instrument presets (transcribe.profiles): which one each option, tuning and pitch motion picks."""

from __future__ import annotations

import itertools

import numpy as np

from transcribe import profiles
from transcribe.config import TUNING_MIN_STEADINESS
from transcribe.notes import SegmentParams
from transcribe.tuning import Tuning

STEADY = profiles.Performer(Tuning(12.0, TUNING_MIN_STEADINESS + 0.1), 0.0)
WANDERING = profiles.Performer(Tuning(12.0, TUNING_MIN_STEADINESS - 0.1), 0.0)
#: A tuning that wanders, but a pitch that moves by jumps: a fast scooped sax lick.
JUMPING = profiles.Performer(Tuning(12.0, 0.45), 0.7)
HOP_S = 0.016


def test_auto_picks_the_instrument_for_a_steady_tuning_and_the_voice_for_a_wandering_one() -> None:
    assert profiles.choose(STEADY, "auto") is profiles.INSTRUMENT
    assert profiles.choose(WANDERING, "auto") is profiles.VOICE


def test_auto_picks_the_instrument_for_a_wandering_tuning_whose_pitch_jumps() -> None:
    # the real sax lick's figures; a singer's as unsteady tuning with a sung share of jumps is a voice
    assert profiles.choose(profiles.Performer(Tuning(12.0, 0.45), 0.3), "auto") is profiles.VOICE
    # the less the tuning holds, the more of the motion must be jumps
    assert profiles.choose(profiles.Performer(Tuning(12.0, 0.1), 0.7), "auto") is profiles.VOICE
    assert profiles.choose(JUMPING, "auto") is profiles.INSTRUMENT
    assert not profiles.sung_writing(JUMPING, "auto")
    # ... but its tuning, unsteady, is not trusted for rounding
    assert profiles.rounding_tuning_cents(JUMPING, "auto") == 0.0


def test_a_forced_onsets_option_wins_over_the_evidence() -> None:
    assert profiles.choose(WANDERING, "attack") is profiles.INSTRUMENT
    assert profiles.choose(STEADY, "pitch") is profiles.VOICE
    assert profiles.choose(JUMPING, "pitch") is profiles.VOICE


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
    # The tuning option rounds the notes; a voice's rhythm stays a voice's.
    assert profiles.voice_rhythm(WANDERING) and not profiles.voice_rhythm(STEADY) and not profiles.voice_rhythm(JUMPING)


def _jumps(notes: list[int], frames_per_note: int, glide_frames: int, rng: np.random.Generator) -> np.ndarray:
    """A pitch track through ``notes``: each held, reached by a linear glide of ``glide_frames``, with 3 cents of jitter."""
    out: list[float] = [float(notes[0])] * frames_per_note
    for a, b in itertools.pairwise(notes):
        out += list(np.linspace(a, b, glide_frames + 2)[1:-1]) + [float(b)] * frames_per_note
    return np.asarray(out) + rng.normal(0.0, 0.03, len(out))


def test_jump_share_is_high_where_the_pitch_jumps_and_low_where_it_glides() -> None:
    rng = np.random.default_rng(0)
    notes = [60, 62, 64, 65, 67, 65, 64, 62, 60]
    keyed = _jumps(notes, 6, 0, rng)  # a key change: the next frame is on the new note
    sung = _jumps(notes, 20, 6, rng)  # a 100 ms glide between held notes
    voiced = np.ones(len(keyed), bool)
    assert profiles.jump_share(keyed, voiced, HOP_S) > 0.8
    assert profiles.jump_share(sung, np.ones(len(sung), bool), HOP_S) < 0.2


def test_jump_share_leaves_out_unvoiced_frames_and_octave_slips() -> None:
    midi = np.array([60.0, 60.0, 72.0, 60.0, 60.0, np.nan, 67.0, 67.0, 67.5, 68.0])
    voiced = np.isfinite(midi)
    # only the glide 67 -> 67.5 -> 68 remains (0.5 per frame < 0.8): no jump at all
    assert profiles.jump_share(midi, voiced, HOP_S) == 0.0
    assert profiles.jump_share(np.array([60.0, 62.0]), np.array([True, False]), HOP_S) == 0.0
    assert profiles.jump_share(np.array([60.0, 62.0]), np.array([True, True]), HOP_S) == 1.0


def test_performer_is_measured_from_the_voiced_frames_only() -> None:
    from transcribe.types import PitchTrack

    n = 200
    times = np.arange(n) * HOP_S
    # held notes a semitone apart, 20 cents sharp of A440, joined by jumps; the unvoiced frames'
    # pitch sits half a semitone off (counted, its glides there and back would bring the jump share to 0.17)
    midi = 69.2 + (np.arange(n) // 25)
    voiced = np.arange(n) % 10 != 9
    f0 = 440.0 * 2.0 ** ((np.where(voiced, midi, midi + 0.5) - 69.0) / 12.0)
    raw = PitchTrack(times, f0, np.where(voiced, 0.9, 0.1), np.full(n, -20.0), "test")
    who = profiles.Performer.measure(raw, voiced)
    assert abs(who.tuning.cents - 20.0) < 2.0 and who.tuning.steadiness > 0.9
    assert who.jump_share > 0.9
    silent = profiles.Performer.measure(raw, np.zeros(n, dtype=bool))
    assert silent == profiles.Performer(Tuning(0.0, 0.0), 0.0)


def test_an_instrument_gate_holds_its_runs_further_down_unless_the_user_sets_it() -> None:
    def hysteresis(profile: profiles.Profile, backend: str, override: float | None = None) -> float:
        return profiles.gate_hysteresis(profile, backend=backend, default=0.5, override=override)

    assert hysteresis(profiles.INSTRUMENT, "swift") == profiles.INSTRUMENT_HYSTERESIS["swift"] < 0.5
    assert hysteresis(profiles.VOICE, "swift") == 0.5
    assert hysteresis(profiles.INSTRUMENT, "pyin") == 0.5  # no instrument value for that backend
    assert hysteresis(profiles.INSTRUMENT, "swift", override=0.8) == 0.8


def test_only_a_voice_read_by_swiftf0_drops_its_unsure_lead() -> None:
    floor = profiles.VOICE_LEAD_MIN_CONFIDENCE["swift"]
    assert 0.0 < floor < 1.0
    assert profiles.lead_min_confidence(profiles.VOICE, backend="swift") == floor
    assert profiles.lead_min_confidence(profiles.VOICE, backend="pyin") == 0.0  # another confidence scale
    assert profiles.lead_min_confidence(profiles.INSTRUMENT, backend="swift") == 0.0
