"""Late-reverberation suppression (transcribe.dereverb)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.synth import tone

SR = 16000


def _room(rt60_s: float, seed: int) -> np.ndarray:
    """A synthetic room: the direct sound, then seeded noise decaying 60 dB in ``rt60_s``
    (direct-to-reverberant ratio 0 dB)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(1.5 * rt60_s * SR)) / SR
    tail = rng.standard_normal(len(t)) * np.exp(-6.91 * t / rt60_s)
    tail[: int(0.02 * SR)] = 0.0  # 20 ms pre-delay
    tail *= 1.0 / np.sqrt(np.sum(tail**2))
    tail[0] += 1.0
    return tail


def _pair(gap_s: float = 0.0) -> np.ndarray:
    """Two tones, A4 (440 Hz) for 1 s then E5 (659 Hz) for 1 s, with 10 ms fades, and a second of silence."""
    fade = np.minimum(1.0, np.minimum(np.arange(SR), np.arange(SR)[::-1]) / (0.01 * SR))
    a, b = tone(69, 1.0, sr=SR) * fade, tone(76, 1.0, sr=SR) * fade
    return np.concatenate([a, np.zeros(int(gap_s * SR)), b, np.zeros(SR)]).astype(np.float32)


def _level_db(y: np.ndarray, f_hz: float, t0_s: float, t1_s: float) -> float:
    """Level of ``y`` at ``f_hz`` (one bin of a Hann-windowed FFT) between two times, in dB."""
    seg = y[int(t0_s * SR) : int(t1_s * SR)]
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    k = int(round(f_hz * len(seg) / SR))
    return float(10 * np.log10(spec[k - 2 : k + 3].sum() + 1e-20))


def test_the_previous_notes_ring_under_the_next_note_is_cut() -> None:
    from transcribe.dereverb import estimate_rt60_s, suppress
    from transcribe.pipeline import RT60_SCALE

    wet = np.convolve(_pair(), _room(1.8, seed=0))[: 3 * SR].astype(np.float32)
    rt60_s = estimate_rt60_s(wet, SR)
    assert 0.5 < rt60_s < 2.4  # read from the recording's decays alone (0.81 s: the steepest read)
    dry = suppress(wet, SR, rt60_s=RT60_SCALE * rt60_s)
    assert dry.shape == wet.shape and dry.dtype == wet.dtype
    # A4's ring 0.2-0.5 s into E5: at least 4 dB less (4.9 dB) ...
    assert _level_db(wet, 440.0, 1.2, 1.5) - _level_db(dry, 440.0, 1.2, 1.5) > 4.0
    # ... where E5 itself loses little (0.9 dB).
    assert _level_db(wet, 659.3, 1.2, 1.5) - _level_db(dry, 659.3, 1.2, 1.5) < 1.5


def test_a_dry_recording_is_nearly_untouched() -> None:
    from transcribe.dereverb import estimate_rt60_s, suppress
    from transcribe.pipeline import RT60_SCALE

    dry_in = _pair(gap_s=0.3)
    rt60_s = estimate_rt60_s(dry_in, SR)
    assert 0 < rt60_s < 0.2  # its notes stop dead (0.08 s)
    out = suppress(dry_in, SR, rt60_s=RT60_SCALE * rt60_s)
    for f_hz, t0 in ((440.0, 0.2), (659.3, 1.5)):
        assert abs(_level_db(dry_in, f_hz, t0, t0 + 0.5) - _level_db(out, f_hz, t0, t0 + 0.5)) < 0.1


def test_a_longer_room_reads_longer() -> None:
    from transcribe.dereverb import estimate_rt60_s

    short = estimate_rt60_s(np.convolve(_pair(0.5), _room(0.6, seed=1))[: 4 * SR], SR)
    long = estimate_rt60_s(np.convolve(_pair(0.5), _room(2.0, seed=1))[: 4 * SR], SR)
    assert 0 < short < long


@pytest.mark.parametrize("samples", [np.zeros(0, np.float32), np.zeros(SR, np.float32), 0.1 * np.ones(SR // 10, np.float32)])
def test_nothing_to_read_gives_zero_and_zero_leaves_the_signal(samples: np.ndarray) -> None:
    from transcribe.dereverb import estimate_rt60_s, suppress

    assert estimate_rt60_s(samples, SR) == 0.0
    out = suppress(samples, SR, rt60_s=0.0)
    assert np.array_equal(out, samples) and out is not samples


def test_the_chunks_join_without_a_seam(monkeypatch: pytest.MonkeyPatch) -> None:
    from transcribe import dereverb

    wet = np.convolve(_pair(), _room(1.5, seed=2))[: 3 * SR].astype(np.float32)
    whole = dereverb.suppress(wet, SR, rt60_s=1.5)
    monkeypatch.setattr(dereverb, "SUPPRESS_CHUNK_FRAMES", 37)
    chunked = dereverb.suppress(wet, SR, rt60_s=1.5)
    assert np.allclose(whole, chunked, atol=1e-6)


def test_a_slow_fade_is_not_read_as_an_endless_room() -> None:
    from transcribe.dereverb import MAX_RT60_S, estimate_rt60_s

    t = np.arange(4 * SR) / SR
    fade = (tone(69, 4.0, sr=SR) * 10 ** (-10.0 * t / 20)).astype(np.float32)  # 10 dB/s: 6 s to fall 60 dB
    assert estimate_rt60_s(fade, SR) == MAX_RT60_S
