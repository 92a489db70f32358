"""pYIN from librosa: probabilistic YIN with an HMM, no model file."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
HOP = 256
FRAME = 1024


def estimate(samples: np.ndarray, *, fmin_hz: float, fmax_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run pYIN on 16 kHz mono audio.

    Args:
        samples: float32 mono at 16 kHz, shape (n,).
        fmin_hz: Lowest pitch in Hz.
        fmax_hz: Highest pitch in Hz.

    Returns:
        ``(times_s, f0_hz, confidence)``; one frame per 16 ms centred on
        sample 256 i; f0 is pYIN's best guess even in unvoiced frames and the
        confidence is its voicing probability.
    """
    import librosa

    # pYIN needs two periods of fmin in a frame; widen the frame for low voices.
    frame = max(FRAME, 1 << int(np.ceil(np.log2(2.2 * SAMPLE_RATE / fmin_hz))))
    padded = samples if len(samples) >= frame else np.pad(samples, (0, frame - len(samples)))
    f0, _, prob = librosa.pyin(
        padded,
        fmin=fmin_hz,
        fmax=min(fmax_hz, SAMPLE_RATE / 4),
        sr=SAMPLE_RATE,
        frame_length=frame,
        hop_length=HOP,
        fill_na=None,
        center=True,
    )
    n = max(1, len(samples) // HOP)
    times = np.arange(len(f0)) * HOP / SAMPLE_RATE
    return times[:n], f0[:n], prob[:n]
