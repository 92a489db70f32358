"""The onset network and shift (transcribe.notes.attack)."""

from __future__ import annotations

import numpy as np
import pytest

from transcribe.notes import attack
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
