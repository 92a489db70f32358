"""Unit tests per stage: pitch backends, gating, tuning, notes, harmony, options."""

from __future__ import annotations

import numpy as np
import pytest

from tests.synth import melody, render, tone
from transcribe import audio, form, gating, harmony, notes, pitch, transcribe
from transcribe.config import TUNING_MIN_STEADINESS, Options, parse_key, parse_time_signature
from transcribe.errors import OptionError
from transcribe.features import onset_strength
from transcribe.notes import attack, release
from transcribe.tuning import Tuning, measure_tuning
from transcribe.types import FrameArrays, Note, PitchTrack


def _cents(hz: np.ndarray, ref_hz: float) -> np.ndarray:
    return 1200.0 * np.log2(hz / ref_hz)


@pytest.mark.parametrize("backend", ["swift", "pyin"])
@pytest.mark.parametrize("freq", [110.0, 220.0, 440.0, 880.0])
def test_backend_reads_tone_within_cents(backend: str, freq: float) -> None:
    midi = 69 + 12 * np.log2(freq / 440.0)
    y = tone(midi, 1.0, sr=16000)
    track = pitch.estimate(audio.from_array(y, 16000, target_sr=16000), backend=backend, fmin_hz=50.0, fmax_hz=2000.0)
    steady = (track.times_s > 0.2) & (track.times_s < 0.8)
    assert np.all(track.confidence[steady] > 0.5)
    assert abs(float(np.median(_cents(track.f0_hz[steady], freq)))) < 15.0


def test_track_is_nan_where_gated() -> None:
    y = np.concatenate([np.zeros(8000, dtype=np.float32), tone(69, 0.5, sr=16000), np.zeros(8000, dtype=np.float32)])
    raw = pitch.estimate(audio.from_array(y, 16000, target_sr=16000))
    mask = gating.voiced_mask(raw, confidence=0.5, loudness_floor_db=45.0)
    gated = gating.gate(raw, mask)
    assert np.isnan(gated.f0_hz[raw.times_s < 0.4]).all()
    assert np.isfinite(gated.f0_hz[(raw.times_s > 0.6) & (raw.times_s < 0.9)]).all()


def test_one_dropped_frame_is_bridged() -> None:
    n = 50
    times = np.arange(n) * 0.016
    f0 = np.full(n, 440.0)
    conf = np.full(n, 0.9)
    conf[25] = 0.1  # one frame the model doubted
    track = PitchTrack(times, f0, conf, np.full(n, -20.0))
    strict = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0)
    bridged = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0, max_gap_s=0.05)
    assert not strict[25] and bridged[25] and bridged.all()


@pytest.mark.parametrize("offset", [45.0, -45.0, 49.0, 0.0, 20.0])
def test_tuning_is_circular(offset: float) -> None:
    rng = np.random.default_rng(1)
    midi = rng.integers(55, 80, 500) + offset / 100.0 + rng.normal(0, 0.1, 500)
    got = measure_tuning(midi).cents
    error = abs((got - offset + 50) % 100 - 50)
    assert error < 5.0
    # The tutorial's plain mean of wrapped offsets is wrong near the wrap.
    if abs(offset) >= 45:
        plain = float(np.mean(midi - np.round(midi))) * 100.0
        assert abs(plain - offset) > max(10.0, 3 * error)


def test_tuning_steadiness_tells_a_steady_tuning_from_a_wandering_one() -> None:
    # 40 held notes of 10 frames each: all 30 cents sharp, or each its own distance from A440.
    rng = np.random.default_rng(2)
    base = np.repeat(rng.integers(55, 80, 40), 10).astype(np.float64)
    steady = measure_tuning(base + 0.3 + rng.normal(0, 0.05, base.size))
    wandering = measure_tuning(base + np.repeat(rng.uniform(-0.5, 0.5, 40), 10))
    assert abs(steady.cents - 30.0) < 3.0 and steady.steadiness > 0.85 > TUNING_MIN_STEADINESS
    assert wandering.steadiness < 0.3 < TUNING_MIN_STEADINESS
    assert measure_tuning(np.array([np.nan, 60.0])) == Tuning(0.0, 0.0)


def _segment(y: np.ndarray, sr: int = 16000, params: notes.SegmentParams | None = None) -> tuple[Note, ...]:
    a = audio.from_array(y, sr, target_sr=16000)
    track = pitch.estimate(a)
    sure = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0)
    mask = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0, max_gap_s=0.05)
    onset = onset_strength(a.samples, a.sr, track.times_s)
    attack = onset_strength(a.samples, a.sr, track.times_s, win_s=0.032)
    return notes.segment(track, mask, onset, sure=sure, attack=attack, tuning_cents=0.0, min_note_s=0.07, params=params)


def test_vibrato_is_one_note() -> None:
    y = render([(0.2, 2.2, 64)], sr=16000, vibrato_cents=60.0)
    found = _segment(y)
    assert [n.midi for n in found] == [64]
    assert found[0].duration_s > 1.8


def test_repeated_notes_are_split() -> None:
    y = render(melody([(67, 1), (67, 1), (67, 1), (67, 2)], bpm=120, gap_s=0.03), sr=16000)
    found = _segment(y)
    assert [n.midi for n in found] == [67, 67, 67, 67]
    assert np.allclose([n.onset_s for n in found], [0.3, 0.8, 1.3, 1.8], atol=0.05)


def test_beating_note_is_one_note() -> None:
    # A held note whose level swells and dips 9 dB three times a second with no
    # onset (a choir or ensemble patch beats like this): one note, not a re-attack.
    sr = 16000
    t = np.arange(int(2.0 * sr)) / sr
    f = 440.0 * 2 ** ((64 - 69) / 12)
    tone = sum(0.6**k * np.sin(2 * np.pi * (k + 1) * f * t) for k in range(5))
    swell = 1.0 - 0.65 * (0.5 - 0.5 * np.cos(2 * np.pi * 3.0 * t))
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    y = np.concatenate([np.zeros(3200), 0.2 * tone * swell * fade, np.zeros(3200)]).astype(np.float32)
    found = _segment(y, sr)
    assert [n.midi for n in found] == [64]
    assert found[0].duration_s > 1.8


def _dipped_tone(sr: int, dip_db: float, *, strike: bool, ramp_s: float = 0.06) -> np.ndarray:
    """A 2 s E4 with no break in it whose level sinks by ``dip_db`` towards 1.0 s.

    With ``strike`` it sinks over 60 ms and comes back at once with a short noise burst (a
    re-tongued or re-struck note); without, it sinks and swells back over ``ramp_s`` each way.
    """
    rng = np.random.default_rng(5)
    t = np.arange(int(2.0 * sr)) / sr
    f = 440.0 * 2 ** ((64 - 69) / 12)
    tone = sum(0.6**k * np.sin(2 * np.pi * (k + 1) * f * t) for k in range(5))
    low = 10 ** (-dip_db / 20)
    if strike:
        sink = np.clip((t - 0.94) / 0.06, 0, 1)
        env = np.where(t < 1.0, 1 - (1 - low) * sink, low + (1 - low) * np.clip((t - 1.0) / 0.005, 0, 1))
    else:
        env = low + (1 - low) * np.clip(np.abs(t - 1.0) / ramp_s, 0, 1)
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    y = 0.2 * tone * env * fade
    if strike:
        burst = (t >= 1.0) & (t < 1.012)
        y[burst] += 0.08 * rng.standard_normal(int(burst.sum()))
    return np.concatenate([np.zeros(3200), y, np.zeros(3200)]).astype(np.float32)


@pytest.mark.parametrize("dip_db", [4.0, 8.0, 14.0])
def test_restruck_note_without_a_break_is_split(dip_db: float) -> None:
    # No voicing gap: only the re-attack network can split it.
    found = _segment(_dipped_tone(16000, dip_db, strike=True))
    assert [n.midi for n in found] == [64, 64]
    assert abs(found[1].onset_s - 1.2) < 0.05


@pytest.mark.parametrize("dip_db", [6.0, 10.0])
def test_slow_swell_is_one_note(dip_db: float) -> None:
    # A dynamic swell: the level sinks and comes back over 150 ms each way, no attack.
    found = _segment(_dipped_tone(16000, dip_db, strike=False, ramp_s=0.15))
    assert [n.midi for n in found] == [64]


def _released_tone(sr: int, release_s: float, drop_db: float) -> np.ndarray:
    """E4 from 0.3 s, let go at ``release_s`` (the level falls ``drop_db`` in 50 ms, then a
    reverb tail fades 20 dB/s until 1.85 s), then G4 from 1.9 to 2.3 s with the same release."""
    t = np.arange(int(2.6 * sr)) / sr
    out = np.zeros_like(t)
    for start, let_go, midi, stop in [(0.3, release_s, 64, 1.85), (1.9, 2.3, 67, 2.6)]:
        f = 440.0 * 2 ** ((midi - 69) / 12)
        tone = sum(0.6**k * np.sin(2 * np.pi * (k + 1) * f * t) for k in range(5))
        after = t - let_go
        env_db = np.where(after < 0, 0.0, -drop_db * np.minimum(after / 0.05, 1) - 20.0 * np.maximum(after - 0.05, 0))
        on = (t >= start) & (t < stop)
        out += 0.2 * tone * np.where(on, 10 ** (env_db / 20), 0.0) * np.minimum(1, np.maximum(t - start, 0) / 0.01)
    return out.astype(np.float32)


@pytest.mark.parametrize("release_s", [1.0, 1.3])
def test_note_ends_at_its_release_not_its_reverb(release_s: float) -> None:
    # A 10 dB release into a 20 dB/s tail: the tracker follows the tail to 1.85 s.
    found = transcribe(_released_tone(16000, release_s, 10.0), sr=16000, tuning="a440").notes
    assert [n.midi for n in found] == [64, 67]
    assert abs(found[0].offset_s - release_s) < 0.05
    assert abs(found[1].offset_s - 2.3) < 0.05


def test_held_note_keeps_its_end() -> None:
    found = transcribe(_released_tone(16000, 1.85, 10.0), sr=16000, tuning="a440").notes
    assert [n.midi for n in found] == [64, 67]
    assert abs(found[0].offset_s - 1.85) < 0.05


def test_release_change_point_ignores_a_stray_frame() -> None:
    p = np.array([0.1] * 6 + [0.8] + [0.1] * 6 + [0.9] * 5)
    assert release.end_frame(p) == 13
    assert release.end_frame(np.full(8, 0.2)) == 8
    assert release.end_frame(np.full(8, 0.8)) == 0


def test_scoop_is_part_of_the_note() -> None:
    sr = 16000
    t = np.arange(int(0.9 * sr)) / sr
    # A 100 ms glide from 62 up to 64, then 64 held: one note, E4.
    midi = np.where(t < 0.1, 62 + 2 * t / 0.1, 64.0)
    phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12)) / sr
    y = (0.3 * sum(0.6**k * np.sin((k + 1) * phase) for k in range(5))).astype(np.float32)
    y = np.concatenate([np.zeros(3200, dtype=np.float32), y, np.zeros(3200, dtype=np.float32)])
    assert [n.midi for n in _segment(y, sr)] == [64]


@pytest.mark.parametrize("sharp_s", [0.09, 0.12])
def test_a_sung_note_started_a_semitone_sharp_is_one_note(sharp_s: float) -> None:
    # A voice that starts a note a semitone sharp (65) and settles on 64 without
    # gliding: with the voice's parameters it is one note, E4; an instrument's
    # parameters keep the short first note, as a played grace note would be.
    sr = 16000
    t = np.arange(int(0.8 * sr)) / sr
    midi = np.where(t < sharp_s, 65.0, 64.0)
    phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12)) / sr
    y = (0.3 * sum(0.6**k * np.sin((k + 1) * phase) for k in range(5))).astype(np.float32)
    y = np.concatenate([np.zeros(3200, dtype=np.float32), y, np.zeros(3200, dtype=np.float32)])
    assert [n.midi for n in _segment(y, sr, notes.SUNG)] == [64]
    assert [n.midi for n in _segment(y, sr)] == [65, 64]


def test_octave_slip_is_fixed() -> None:
    # A run of notes where the middle one was tracked an octave up.
    runs = [(0, 10, 60), (10, 20, 62), (20, 40, 76), (40, 50, 65), (50, 60, 64)]
    fixed = notes.search._fix_octaves(runs, notes.SegmentParams())
    assert [r[2] for r in fixed] == [60, 62, 64, 65, 64]


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


_TUNE = [67, 64, 69, 67, 71, 69, 67, 64, 62, 64, 67, 69, 71, 72, 71, 69, 67, 64, 62, 60]


def test_opening_returns_find_where_the_opening_comes_back() -> None:
    played_twice = np.array(_TUNE * 2 + _TUNE[:4])
    found = form.opening_returns(played_twice)
    assert (found.start, found.hits.tolist()) == (0, [20, 40])
    # A stray first note: the opening is taken from the second note on.
    stray = np.array([55, *_TUNE, *_TUNE])
    found = form.opening_returns(stray)
    assert (found.start, found.hits.tolist()) == (1, [21])
    assert form.opening_returns(np.array(_TUNE)).hits.size == 0


def test_key_features_count_the_tonic_before_the_opening_returns() -> None:
    found = tuple(Note(i * 0.5, i * 0.5 + 0.4, m) for i, m in enumerate(_TUNE * 2 + _TUNE[:4]))
    feats = harmony.key_features(found)
    col = harmony.KEY_FEATURES.index
    assert feats[0, col("return_tonic")] == 1.0  # C major: the tune ends on C
    assert feats[5, col("return_fifth")] == 1.0  # F major: C is its fifth
    assert feats[7, col("return_tonic")] == feats[7, col("return_fifth")] == 0.0  # G major: neither


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


def _attack_case(gap_frames: int, params: notes.SegmentParams | None = None) -> tuple[Note, ...]:
    """A4, then C5 voiced from frame 50 + gap, its attack rising from 5 frames before that (16 ms frames)."""
    times = np.arange(100) * 0.016
    midi = np.where(np.arange(100) < 50, 69.0, 72.0)
    voiced = np.ones(100, dtype=bool)
    voiced[50 : 50 + gap_frames] = False
    hz = np.where(voiced, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), np.nan)
    track = PitchTrack(times, hz, np.where(voiced, 0.9, 0.0), np.zeros(100), "test")
    attack = np.zeros(100)
    peak = 50 + gap_frames - 4
    attack[[peak - 1, peak, peak + 1]] = [0.5, 1.0, 0.6]
    return notes.segment(track, voiced, np.zeros(100), sure=voiced, attack=attack, tuning_cents=0.0, min_note_s=0.07, params=params)


def test_onset_moves_back_to_the_attack_unless_onsets_follow_the_pitch() -> None:
    legato = _attack_case(0)
    assert [n.midi for n in legato] == [69, 72]
    assert abs(legato[1].onset_s - 45 * 0.016) < 0.005  # where the attack starts rising
    assert legato[0].offset_s == legato[1].onset_s
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


def _slip_track(middle: list[float], conf: float) -> PitchTrack:
    """A4, then a note whose frames are ``middle`` (MIDI) at confidence ``conf``, then E5."""
    midi = np.array([69.0] * 20 + middle + [76.0] * 20)
    c = np.full(len(midi), 0.95)
    c[20 : 20 + len(middle)] = conf
    return PitchTrack(np.arange(len(midi)) * 0.016, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), c, np.full(len(midi), -20.0))


@pytest.mark.parametrize("middle", [[72.0] * 4 + [84.0] * 4 + [72.0] * 4, [72.0] * 5 + [84.0] * 5, [72.0] * 7 + [84.0] * 5])
@pytest.mark.parametrize("conf", [0.5, 0.9])
def test_octave_slip_inside_a_note_keeps_the_note(middle: list[float], conf: float) -> None:
    # The tracker jumping to the second harmonic for part of a weak note must
    # neither lose the note nor give it a pitch between the octaves (78).
    track = _slip_track(middle, conf)
    n = len(track)
    found = notes.segment(track, np.ones(n, dtype=bool), np.zeros(n), tuning_cents=0.0, min_note_s=0.07)
    assert [x.midi for x in found] == [69, 72, 76]


def test_harmonic_energy_follows_the_pitch_it_is_asked_about() -> None:
    from transcribe.features import harmonic_energy_db

    y = tone(69, 1.0, sr=16000)  # A4 = 440 Hz
    times = np.array([0.5])
    at_a = harmonic_energy_db(y, 16000, times, f0_hz=440.0)
    at_bb = harmonic_energy_db(y, 16000, times, f0_hz=466.16)
    assert at_a is not None and at_bb is not None
    assert at_a[0] - at_bb[0] > 20.0
    # Every harmonic of A4 is one of A3's: nothing is left to measure.
    assert harmonic_energy_db(y, 16000, times, f0_hz=440.0, exclude_f0_hz=220.0) is None


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


def _level_track(level_db: np.ndarray) -> PitchTrack:
    times = np.arange(len(level_db)) * 0.016
    return PitchTrack(times, np.full(len(times), 440.0), np.ones(len(times)), level_db, "test")


def test_release_dip_ends_the_note() -> None:
    # A4 let go at 0.92 s: its level falls 20 dB while the reverb still carries the pitch to 1.0 s.
    times = np.arange(0.0, 1.2, 0.016)
    level = np.where(times < 0.92, -20.0, -40.0) + 0.5 * np.sin(2 * np.pi * 5.0 * times)  # with a little tremolo
    out = notes.trim_releases((Note(0.0, 1.0, 69), Note(1.0, 1.2, 72)), _level_track(level))
    assert abs(out[0].offset_s - 0.92) < 0.02
    assert out[0].onset_s == 0.0 and out[1] == Note(1.0, 1.2, 72)


@pytest.mark.parametrize(
    ("level_at", "why"),
    [
        (lambda t: -20.0 - 20.0 * t, "a struck note's steady decay is not a release"),
        (lambda t: np.where(np.abs(t - 0.5) < 0.05, -35.0, -20.0), "a dip in the middle is not in the tail"),
        (lambda t: np.where(t < 0.93, -20.0, -26.0), "a 6 dB fall is not a dip"),
    ],
)
def test_no_release_leaves_the_offset(level_at: object, why: str) -> None:
    times = np.arange(0.0, 1.2, 0.016)
    found = (Note(0.0, 1.0, 69),)
    assert notes.trim_releases(found, _level_track(level_at(times))) == found, why  # type: ignore[operator]


def _attack_peak_weights() -> dict[str, np.ndarray]:
    """A hand-set network that only likes frames whose attack strength exceeds 0.9."""
    f = len(attack.FEATURES)
    hidden = np.zeros((1, f))
    hidden[0, attack.FEATURES.index("attack")] = 10.0
    return {
        "mean": np.zeros(f),
        "scale": np.ones(f),
        "hidden": hidden,
        "hidden_bias": np.array([-9.0]),
        "out": np.array([5.0]),
        "out_bias": np.array(-2.0),
    }


def _constant_shift(bias_s: float) -> dict[str, np.ndarray]:
    """Onset shift weights that move every chosen onset by ``bias_s`` (before clipping)."""
    f = len(attack.SHIFT_FEATURES)
    return {"mean": np.zeros(f), "scale": np.ones(f), "bias": np.array(bias_s), "linear": np.zeros(f), "square": np.zeros(f)}


def _peak_frames(peak: int) -> tuple[tuple[Note, Note], FrameArrays]:
    """Two notes (A4 then C5 from frame 50) and frames whose attack strength peaks at ``peak``."""
    n, hop = 100, 0.016
    times = np.arange(n) * hop
    midi = np.where(np.arange(n) < 50, 69.0, 72.0)
    track = PitchTrack(times, 440.0 * 2 ** ((midi - 69) / 12), np.full(n, 0.9), np.full(n, -20.0))
    strength = np.full(n, 0.05)
    strength[peak] = 1.5
    found = (Note(0.1, 50 * hop, 69), Note(50 * hop, 1.5, 72))
    return found, FrameArrays.of(track, strength, strength, np.ones(n, dtype=bool))


@pytest.mark.parametrize(("bias_s", "moved_s"), [(-0.03, -0.03), (0.01, 0.01), (-1.0, -attack.MAX_EARLIER_S), (1.0, attack.MAX_LATER_S)])
def test_onset_shift_moves_the_chosen_frame_within_its_range(bias_s: float, moved_s: float) -> None:
    found, frames = _peak_frames(47)
    out = attack.refine_onsets(found, frames, min_note_s=0.07, weights=_attack_peak_weights(), shift=_constant_shift(bias_s))
    assert abs(out[1].onset_s - (47 * 0.016 + moved_s)) < 1e-9
    assert out[0].offset_s <= out[1].onset_s


def test_onset_shift_is_bounded_and_ignores_missing_values() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(scale=50.0, size=(200, len(attack.SHIFT_FEATURES)))
    moved = attack.onset_shift_s(x, attack.fitted_shift())
    assert moved.shape == (200,)
    assert moved.min() >= -attack.MAX_EARLIER_S and moved.max() <= attack.MAX_LATER_S
    x[0, 3] = np.nan
    assert attack.onset_shift_s(x[0], attack.fitted_shift()) == 0.0


def test_onset_shift_keeps_the_previous_note_its_shortest_length() -> None:
    found, frames = _peak_frames(44)
    # The previous note starts 104 ms before the chosen frame (0.704 s): 50 ms earlier
    # would leave it less than its shortest 70 ms.
    found = (Note(0.6, 0.8, 69), found[1])
    out = attack.refine_onsets(found, frames, min_note_s=0.07, weights=_attack_peak_weights(), shift=_constant_shift(-1.0))
    assert out[0].onset_s == 0.6
    assert abs(out[1].onset_s - (0.6 + 0.07)) < 1e-9


@pytest.mark.parametrize("peak", [38, 44, 47, 52, 60])
def test_onset_moves_to_the_chosen_frame_within_its_window(peak: int) -> None:
    hop = 0.016
    found, frames = _peak_frames(peak)
    out = attack.refine_onsets(found, frames, min_note_s=0.07, weights=_attack_peak_weights(), shift=_constant_shift(0.0))
    window = 50 * hop - attack.BEFORE_S <= peak * hop <= 50 * hop + attack.AFTER_S
    expected = peak * hop if window else 50 * hop
    assert abs(out[1].onset_s - expected) < 1e-9
    assert out[0].offset_s <= out[1].onset_s  # the previous note is cut, never overlapped
    assert out[0].onset_s == found[0].onset_s and out[1].offset_s == found[1].offset_s


def test_shipped_attack_weights_score_every_frame() -> None:
    n = 60
    times = np.arange(n) * 0.016
    track = PitchTrack(times, np.full(n, 440.0), np.full(n, 0.9), np.full(n, -20.0))
    voiced = np.ones(n, dtype=bool)
    arrays = FrameArrays.of(track, np.zeros(n), np.zeros(n), voiced)
    frames, feats = attack.onset_features(Note(0.4, 0.9, 69), None, arrays, min_note_s=0.07)
    assert feats.shape == (len(frames), len(attack.FEATURES))
    assert times[frames[0]] >= 0.4 - attack.BEFORE_S - 1e-9 and times[frames[-1]] <= 0.4 + attack.AFTER_S + 1e-9
    p = attack.probability(feats)
    assert np.all((p > 0) & (p < 1))


def test_swift_backend_gives_swift_f0_own_pitches() -> None:
    """The backend builds SwiftF0's ONNX session itself (basic graph optimizations) and
    calls it on 10-second segments with the model's context on each side: its frames
    must be the ones SwiftF0's own detector gives on the whole signal, to a hundredth of a cent."""
    from swift_f0 import SwiftF0

    from transcribe.pitch import swift

    rng = np.random.default_rng(3)
    t = np.arange(25 * swift.SAMPLE_RATE) / swift.SAMPLE_RATE
    assert len(t) // 256 > 2 * swift.SEGMENT_FRAMES  # three segments
    hz = 220.0 * 2.0 ** (np.sin(2 * np.pi * 0.5 * t) / 12.0)  # a slow one-semitone swing
    x = (0.3 * np.sin(2 * np.pi * np.cumsum(hz) / swift.SAMPLE_RATE) + 0.01 * rng.standard_normal(len(t))).astype(np.float32)
    ours = swift.estimate(x, fmin_hz=50.0, fmax_hz=2000.0)
    theirs = SwiftF0(spin=False).detect(x, swift.SAMPLE_RATE, fmin=50.0, fmax=2000.0)
    voiced = theirs.confidence > 0.5
    assert voiced.mean() > 0.9
    cents = 1200.0 * np.abs(np.log2(ours[1][voiced] / theirs.pitch_hz[voiced]))
    assert cents.max() < 0.01
    np.testing.assert_allclose(ours[2], theirs.confidence, atol=1e-4)


def test_reading_in_blocks_and_features_in_chunks_change_nothing(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are streamed in blocks (resampled as they come) and frame features are
    computed in chunks, for bounded memory; neither may change a sample or a value:
    small blocks and chunks must give exactly what the defaults give."""
    import soundfile as sf

    from transcribe import features

    rng = np.random.default_rng(5)
    x = render(melody([(60, 1.0), (64, 0.5), (67, 0.5), (72, 2.0)], bpm=120), sr=44100)
    stereo = np.stack([x, 0.5 * x + 0.01 * rng.standard_normal(len(x)).astype(np.float32)], axis=1)
    path = tmp_path / "tune.wav"
    sf.write(path, stereo, 44100, subtype="FLOAT", format="WAV")

    def read_and_measure() -> tuple[np.ndarray, ...]:
        a = audio.load(path, sr=16000)
        times = np.arange(len(a.samples) // 256) * 256 / 16000
        return a.samples, onset_strength(a.samples, a.sr, times), features.loudness_db(a.samples, a.sr, times)

    default = read_and_measure()
    assert len(stereo) < audio.decode.BLOCK_FRAMES and len(default[1]) > 4 * 37  # one block and chunk by default, several below
    monkeypatch.setattr(audio.decode, "BLOCK_FRAMES", 10_007)
    monkeypatch.setattr(features, "CHUNK_FRAMES", 37)
    small = read_and_measure()
    assert len(small[0]) == len(default[0]) > 0
    for a, b in zip(small, default):
        np.testing.assert_array_equal(a, b)


def _level_track(level_db: np.ndarray) -> PitchTrack:
    n = len(level_db)
    times = np.arange(n) * 0.016
    return PitchTrack(times, np.full(n, 220.0), np.full(n, 0.9), np.asarray(level_db, dtype=float))


def test_a_sung_note_starts_at_its_vowel_not_its_consonant() -> None:
    """A voiced consonant 18 dB under the vowel for 64 ms: the sung note starts
    where the vowel opens (within a frame); an instrument's note keeps its onset."""
    level = np.full(60, -60.0)
    level[10:14] = -38.0  # "m" of "mi": pitched, quiet
    level[14:50] = -20.0  # the vowel
    track = _level_track(level)
    note = Note(onset_s=float(track.times_s[10]) - 0.008, offset_s=float(track.times_s[49]) + 0.008, midi=57)
    (sung,) = notes.onsets_at_vowels((note,), track, min_note_s=0.07, params=notes.SUNG)
    assert abs(sung.onset_s - (track.times_s[14] - 0.008)) < 1e-9
    assert sung.offset_s == note.offset_s and sung.midi == note.midi
    assert notes.onsets_at_vowels((note,), track, min_note_s=0.07) == (note,)


def test_a_slow_swell_keeps_its_onset() -> None:
    """A note that swells 12 dB over 130 ms (1.5 dB a frame) has no vowel step: its
    onset stays (it comes within 7 dB of its peak 64 ms in), as it does when the
    quiet start lasts longer than a consonant."""
    level = np.full(60, -60.0)
    level[10:18] = -32.0 + 1.5 * np.arange(8)
    level[18:50] = -20.0
    swell = _level_track(level)
    note = Note(onset_s=float(swell.times_s[10]) - 0.008, offset_s=float(swell.times_s[49]) + 0.008, midi=57)
    assert notes.onsets_at_vowels((note,), swell, min_note_s=0.07, params=notes.SUNG) == (note,)
    level = np.full(60, -60.0)
    level[10:22] = -38.0  # 192 ms before the step: longer than any consonant
    level[22:50] = -20.0
    late = _level_track(level)
    assert notes.onsets_at_vowels((note,), late, min_note_s=0.07, params=notes.SUNG) == (note,)
