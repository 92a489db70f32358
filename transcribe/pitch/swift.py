"""SwiftF0: a 135 kB CNN in ONNX, the embedded offline default backend."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000

#: Frames per call to the detector (about 5 minutes). SwiftF0 copies its whole
#: input; calling it on segments keeps that copy small on hour-long audio.
SEGMENT_FRAMES = 18750


def estimate(samples: np.ndarray, *, fmin_hz: float, fmax_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run SwiftF0 on 16 kHz mono audio.

    Args:
        samples: float32 mono at 16 kHz, shape (n,).
        fmin_hz: Lowest pitch in Hz (clipped to the model's 46.875 Hz).
        fmax_hz: Highest pitch in Hz (clipped to the model's 2093.75 Hz).

    Returns:
        ``(times_s, f0_hz, confidence)``, each shape (n // 256,) or (1,): one
        frame per 16 ms, frame i centred on sample 256 i.
    """
    from swift_f0 import SwiftF0, core

    # A detector per call: construction takes ~20 ms, and a module-level cache
    # would outlive the caller's choice of threads.
    detector = SwiftF0(spin=False)
    hop = core.HOP
    n = max(1, len(samples) // hop)
    if n <= SEGMENT_FRAMES:
        result = detector.detect(samples, SAMPLE_RATE, fmin=fmin_hz, fmax=fmax_hz)
        return result.timestamps, result.pitch_hz, result.confidence
    # Segments with the model's receptive field on each side (LEFT_FRAMES before,
    # LOOKAHEAD_FRAMES after) give the frames the whole-signal call gives.
    pitch, conf = [], []
    for start in range(0, n, SEGMENT_FRAMES):
        end = min(start + SEGMENT_FRAMES, n)
        left = max(0, start - core.LEFT_FRAMES)
        seg = samples[left * hop : (end + core.LOOKAHEAD_FRAMES) * hop] if end < n else samples[left * hop :]
        part = detector.detect(seg, SAMPLE_RATE, fmin=fmin_hz, fmax=fmax_hz)
        pitch.append(part.pitch_hz[start - left : end - left])
        conf.append(part.confidence[start - left : end - left])
    f0 = np.concatenate(pitch)
    return np.arange(len(f0)) * (hop / SAMPLE_RATE), f0, np.concatenate(conf)
