"""The onset network and shift (transcribe.notes.attack)."""

from __future__ import annotations

import numpy as np
import pytest

from transcribe.notes import attack, network
from transcribe.types import FrameArrays, Note, PitchTrack


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


def test_own_level_features_follow_the_rise_of_the_new_notes_harmonics() -> None:
    found, frames = _peak_frames(47)
    step_s = 0.7  # the new note's own harmonics rise 30 dB here, under the old note's ring
    seen: list[tuple[int, int | None]] = []

    def own_level(times_s: np.ndarray, note: Note, prev: Note | None) -> np.ndarray:
        seen.append((note.midi, None if prev is None else prev.midi))
        return np.where(times_s >= step_s, -20.0, -50.0)

    starts, feats = attack.onset_features(found[1], found[0], frames, min_note_s=0.07, own_level=own_level)
    assert seen == [(72, 69)]
    t = frames.times_s[starts]
    rise = feats[:, attack.FEATURES.index("own_rise_db")]
    below = feats[:, attack.FEATURES.index("own_below_db")]
    # A frame two frames or less before the rise sees it coming; the others see none.
    coming = (t < step_s) & (t + 2 * 0.016 >= step_s - 1e-9)
    assert np.all(rise[coming] == 30.0) and np.all(rise[~coming] == 0.0) and coming.any()
    assert np.all(below[t >= step_s - 1e-9] == 0.0) and np.all(below[t < step_s - 1e-9] == 30.0)
    # Without the level (or where it has none) both features are 0.
    _, plain = attack.onset_features(found[1], found[0], frames, min_note_s=0.07)
    _, none = attack.onset_features(found[1], found[0], frames, min_note_s=0.07, own_level=lambda *_: None)
    cols = [attack.FEATURES.index("own_rise_db"), attack.FEATURES.index("own_below_db")]
    assert not plain[:, cols].any() and not none[:, cols].any()
    others = [k for k in range(len(attack.FEATURES)) if k not in cols]
    np.testing.assert_array_equal(plain[:, others], feats[:, others])


def test_onset_features_carry_the_rooms_reverberation_time() -> None:
    # Every candidate frame gets the room's RT60 (clipped at network.MAX_RT60_INPUT_S) as its last input; no
    # other feature moves with it.
    found, frames = _peak_frames(47)
    _, dry = attack.onset_features(found[1], found[0], frames, min_note_s=0.07)
    _, hall = attack.onset_features(found[1], found[0], frames, min_note_s=0.07, rt60_s=1.8)
    _, huge = attack.onset_features(found[1], found[0], frames, min_note_s=0.07, rt60_s=12.0)
    room = attack.FEATURES.index("room_rt60_s")
    assert len(dry) and np.all(dry[:, room] == 0.0) and np.all(hall[:, room] == 1.8)
    assert np.all(huge[:, room] == network.MAX_RT60_INPUT_S)
    others = [k for k in range(len(attack.FEATURES)) if k != room]
    np.testing.assert_array_equal(dry[:, others], hall[:, others])


SR_FINE = 16000


def _fine_level(samples: np.ndarray) -> attack.FineLevel:
    from transcribe.features import loudness_db

    return lambda times_s: loudness_db(samples, SR_FINE, times_s, win_s=attack.FINE_WIN_S)


def _plucked_after_mute(*, swell_s: float = 0.0) -> np.ndarray:
    """A 110 Hz note muted at 0.47 s (level 40 dB down), then a 147 Hz note from 0.50 s:
    abrupt, or rising over ``swell_s`` by 40 dB in equal steps of dB."""
    t = np.arange(int(1.0 * SR_FINE)) / SR_FINE
    first = 0.3 * np.sin(2 * np.pi * 110.0 * t) * np.where(t < 0.47, 1.0, 0.01) * (t < 0.5)
    gain_db = np.clip((t - 0.5) / swell_s, 0.0, 1.0) * 40.0 - 40.0 if swell_s > 0 else np.zeros_like(t)
    second = 0.3 * np.sin(2 * np.pi * 147.0 * t) * 10 ** (gain_db / 20) * (t >= 0.5)
    return first + second


def _rise_args() -> dict[str, float]:
    return {"min_note_s": 0.07, "rise_db": 15.0, "search_s": 0.04}


def test_onset_in_the_quiet_before_an_abrupt_attack_moves_to_it() -> None:
    level = _fine_level(_plucked_after_mute())
    notes = (Note(0.1, 0.47, 45), Note(0.47, 0.9, 50))  # the second put on the mute, 30 ms early
    moved = attack.onsets_at_abrupt_rises(notes, level, **_rise_args())
    assert moved[0] == notes[0]
    assert 0.488 <= moved[1].onset_s <= 0.5
    assert moved[1].offset_s == notes[1].offset_s


def test_abrupt_rise_search_does_not_move_an_onset_back_to_an_earlier_attack() -> None:
    level = _fine_level(_plucked_after_mute())
    notes = (Note(0.1, 0.47, 45), Note(0.52, 0.9, 50))  # already after the attack
    assert attack.onsets_at_abrupt_rises(notes, level, **_rise_args()) == notes


def test_a_slow_swell_keeps_its_onset() -> None:
    # 40 dB over 80 ms: 4 dB per 8 ms, no abrupt rise anywhere in the search.
    level = _fine_level(_plucked_after_mute(swell_s=0.08) + 0.003 * np.sin(2 * np.pi * 110.0 * np.arange(SR_FINE) / SR_FINE))
    notes = (Note(0.1, 0.47, 45), Note(0.47, 0.9, 50))
    assert attack.onsets_at_abrupt_rises(notes, level, **_rise_args()) == notes


def test_abrupt_rise_search_keeps_both_notes_their_shortest_length() -> None:
    level = _fine_level(_plucked_after_mute())
    # The attack at 0.50 s would leave the second note 50 ms: shorter than min_note_s.
    notes = (Note(0.1, 0.47, 45), Note(0.47, 0.55, 50))
    assert attack.onsets_at_abrupt_rises(notes, level, **_rise_args()) == notes
