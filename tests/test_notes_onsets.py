"""Where notes start (transcribe.notes.onsets): the attack search, handovers, vowel onsets."""

from __future__ import annotations

import numpy as np
import pytest

from tests.synth import tone
from transcribe import notes
from transcribe.types import Note, PitchTrack


def _attack_case(gap_frames: int, params: notes.SegmentParams | None = None, *, peak_before: int = 4) -> tuple[Note, ...]:
    """A4, then C5 voiced from frame 50 + gap, its attack peaking ``peak_before`` frames before that (16 ms frames)."""
    times = np.arange(100) * 0.016
    midi = np.where(np.arange(100) < 50, 69.0, 72.0)
    voiced = np.ones(100, dtype=bool)
    voiced[50 : 50 + gap_frames] = False
    hz = np.where(voiced, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), np.nan)
    track = PitchTrack(times, hz, np.where(voiced, 0.9, 0.0), np.zeros(100), "test")
    attack = np.zeros(100)
    peak = 50 + gap_frames - peak_before
    attack[[peak - 1, peak, peak + 1]] = [0.5, 1.0, 0.6]
    return notes.segment(track, voiced, np.zeros(100), sure=voiced, attack=attack, tuning_cents=0.0, min_note_s=0.07, params=params)


def test_onset_moves_back_to_the_attack_unless_onsets_follow_the_pitch() -> None:
    legato = _attack_case(0, peak_before=2)
    assert [n.midi for n in legato] == [69, 72]
    assert abs(legato[1].onset_s - 47 * 0.016) < 0.005  # where the attack starts rising
    assert legato[0].offset_s == legato[1].onset_s
    # A peak 96 ms before a change with no break lies in the previous note (a slur has no
    # attack of its own): the pitch change (the tracker's hand-over) is the onset ...
    slur = _attack_case(0, peak_before=6)
    assert abs(slur[1].onset_s - 49.5 * 0.016) < 0.005
    # ... unless the legato search reaches that far.
    far = _attack_case(0, notes.SegmentParams(attack_search_legato_s=0.1), peak_before=6)
    assert abs(far[1].onset_s - 44 * 0.016) < 0.005  # the search window's first frame, on the rise
    # A flute's breathy attack leaves 30-60 ms unvoiced before its pitch: still the attack.
    breathy = _attack_case(3)
    assert abs(breathy[1].onset_s - 48 * 0.016) < 0.005
    # After a rest too: an instrument's attack starts before its pitch is clear.
    rest = _attack_case(8)
    assert abs(rest[1].onset_s - 53 * 0.016) < 0.005  # the attack, not the voicing edge at frame 58
    # ... unless onsets follow the pitch (a singer's consonant before the vowel).
    rest_pitch = _attack_case(8, notes.SegmentParams(attack_search_s=0.0))
    assert abs(rest_pitch[1].onset_s - 58 * 0.016) < 0.01
    # onsets="pitch" searches nothing before the tracker's onset.
    pitch = _attack_case(0, notes.SegmentParams(attack_search_s=0.0))
    assert abs(pitch[1].onset_s - 50 * 0.016) < 0.01  # the tracker's hand-over


def _handover_track(times: np.ndarray, switch_s: float, *, glide: bool) -> PitchTrack:
    midi = np.where(times < switch_s, 69.0, 72.0)
    if glide:  # a slide through the pitches between in the last 60 ms
        ramp = (times >= switch_s - 0.06) & (times < switch_s)
        midi[ramp] = 69.0 + 3.0 * (times[ramp] - (switch_s - 0.06)) / 0.06
    hz = 440.0 * 2.0 ** ((midi - 69.0) / 12.0)
    return PitchTrack(times, hz, np.ones(len(times)), np.zeros(len(times)), "test")


@pytest.mark.parametrize("glide", [False, True])
def test_late_handover_moves_back_to_where_the_new_note_sounds(glide: bool) -> None:
    # C5 starts sounding at 1.0 s under a long A4, but the tracker hands over only at 1.2 s.
    sr = 16000
    y = np.concatenate([tone(69, 1.0, sr=sr), np.zeros(sr, dtype=np.float32)])
    y[sr:] += tone(72, 1.0, sr=sr)
    y[sr : sr + 4000] += tone(69, 0.25, sr=sr) * np.linspace(1.0, 0.0, 4000, dtype=np.float32)  # the reverb tail
    times = np.arange(0.0, 2.0, 0.016)
    found = (Note(0.0, 1.2, 69), Note(1.2, 2.0, 72))

    def energy(t: np.ndarray, f0: float, ex: float) -> np.ndarray | None:
        from transcribe.features import harmonic_energy_db

        return harmonic_energy_db(y, sr, t, f0_hz=f0, exclude_f0_hz=ex)

    out = notes.retime_handovers(found, _handover_track(times, 1.2, glide=glide), energy, tuning_cents=0.0)
    if glide:
        assert out == found
    else:
        assert abs(out[1].onset_s - 1.0) < 0.05
        assert out[0].offset_s == out[1].onset_s
        assert [n.midi for n in out] == [69, 72]


def test_a_semitone_step_keeps_its_onset_where_the_old_notes_vibrato_reaches_the_new_band() -> None:
    # G#4 with a wide vibrato runs into A4 at 1.2 s: the vibrato sweeps G#4 into A4's bands and
    # lifts their energy long before A4 sounds; the same lift before a whole-tone step (A#4)
    # reads as a late handover and moves the onset back.
    times = np.arange(0.0, 2.0, 0.016)

    def energy(t: np.ndarray, f0: float, ex: float) -> np.ndarray | None:
        swell = 23.0 * (np.abs(t - 0.95) < 0.05)  # the vibrato's peak, 0.25 s before the onset
        return np.where(t >= 1.2, 32.0, 5.0 + swell)

    for new in (69, 70):
        midi = np.where(times < 1.2, 68.0, float(new))
        track = PitchTrack(times, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), np.ones(len(times)), np.zeros(len(times)), "test")
        found = (Note(0.0, 1.2, 68), Note(1.2, 2.0, new))
        out = notes.retime_handovers(found, track, energy, tuning_cents=0.0)
        if new == 69:
            assert out == found
        else:
            assert out[1].onset_s < 1.0


def test_a_repeat_after_a_break_starts_no_earlier_than_the_note_before_it_ends() -> None:
    # A clarinet's A4 let go at 0.86 s peaks the short-window onset strength (0.848 s) as it
    # stops; the repeat tongued at 0.896 s (its pitch back at 0.92 s) took that stronger peak
    # for its attack and started inside the first note (rendered r032: a dotted eighth + sixteenth).
    from transcribe.notes.onsets import refine_onsets

    times = np.arange(120) * 0.016
    attack = np.zeros(120)
    attack[53] = 0.8  # 0.848 s: the release
    attack[56] = 0.6  # 0.896 s: the repeat's attack
    p = notes.SegmentParams()
    out = refine_onsets([Note(0.0, 0.86, 69), Note(0.92, 1.6, 69)], times, attack, p, min_note_s=0.07)
    assert out[0].offset_s == 0.86
    assert abs(out[1].onset_s - 0.896) < 1e-9
    # A different note after the break may still start at the stronger peak, cutting the one before.
    other = refine_onsets([Note(0.0, 0.86, 69), Note(0.92, 1.6, 72)], times, attack, p, min_note_s=0.07)
    assert abs(other[1].onset_s - 0.848) < 1e-9 and other[0].offset_s == other[1].onset_s
