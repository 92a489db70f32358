"""SwiftF0: a 135 kB CNN in ONNX, the embedded offline default backend."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000


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
    from swift_f0 import SwiftF0

    # A detector per call: construction takes ~20 ms, and a module-level cache
    # would outlive the caller's choice of threads.
    detector = SwiftF0(spin=False)
    result = detector.detect(samples, SAMPLE_RATE, fmin=fmin_hz, fmax=fmax_hz)
    return result.timestamps, result.pitch_hz, result.confidence
