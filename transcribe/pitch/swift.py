"""SwiftF0: a 135 kB CNN in ONNX, the embedded offline default backend."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from swift_f0 import SwiftF0

SAMPLE_RATE = 16000

#: The range searched directly (Hz; the model's ends at 46.875 Hz and 2093.75 Hz): asked for up
#: to 2 kHz it reads a steady tone at 1.95 kHz with confidence 0.99 and one at 1.98 kHz with 0;
#: an E1 (41 Hz) it reads an octave high at 0.1. Beyond it, :mod:`transcribe.pitch.beyond`
#: reads the audio moved an octave.
BOTTOM_HZ, TOP_HZ = 50.0, 2000.0

#: Frames per call to the detector (10 s). ONNX Runtime keeps an arena as large
#: as the largest call's activations: 10-second calls hold a 3-minute song's
#: peak at ~180 MiB where SwiftF0's own 30-second windows reach ~320 MiB (with
#: music21 importing alongside), and run ~20 % faster (they stay in cache), with
#: the same frames.
SEGMENT_FRAMES = 625

#: Segments run at once (one ONNX thread each), at most one per core. Each
#: running segment holds its own ~40 MiB of activations.
MAX_WORKERS = 2


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
    from swift_f0 import core

    hop = core.HOP
    n = max(1, len(samples) // hop)
    # A detector per call: construction takes ~20 ms, and a module-level cache
    # would outlive the caller's choice of threads.
    if n <= SEGMENT_FRAMES:
        result = _detector().detect(samples, SAMPLE_RATE, fmin=fmin_hz, fmax=fmax_hz)
        return result.timestamps, result.pitch_hz, result.confidence
    # Segments with the model's receptive field on each side (LEFT_FRAMES before,
    # LOOKAHEAD_FRAMES after) give the frames the whole-signal call gives. One
    # segment per core, each on one thread, keeps the cores busier than one
    # segment at a time on all of them: this small model's layers are too short
    # to split well (3 minutes on 2 cores: ~0.16 s less end to end).
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    detector = _detector(threads=1 if workers > 1 else None)

    def run(start: int) -> tuple[np.ndarray, np.ndarray]:
        end = min(start + SEGMENT_FRAMES, n)
        left = max(0, start - core.LEFT_FRAMES)
        seg = samples[left * hop : (end + core.LOOKAHEAD_FRAMES) * hop] if end < n else samples[left * hop :]
        part = detector.detect(seg, SAMPLE_RATE, fmin=fmin_hz, fmax=fmax_hz)  # thread-safe (swift-f0's docs)
        return part.pitch_hz[start - left : end - left], part.confidence[start - left : end - left]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(run, range(0, n, SEGMENT_FRAMES)))
    f0 = np.concatenate([p for p, _ in parts])
    return np.arange(len(f0)) * (hop / SAMPLE_RATE), f0, np.concatenate([c for _, c in parts])


def _detector(*, threads: int | None = None) -> SwiftF0:
    """A SwiftF0 detector whose ONNX session runs with basic graph optimizations only.

    ``threads`` sets ONNX Runtime's threads per call (``None``: one per core).

    ONNX Runtime's default (all optimizations) converts this small CNN's
    convolutions to a blocked memory layout and back between layers; on the
    2-core benchmark machine that costs about 15 % more time than it saves
    (3 minutes of audio: ~1.0 s -> ~0.9 s), with the same pitches to 1e-4 Hz.
    swift-f0 does not expose the optimization level, so its session is built
    here; ``SwiftF0.detect`` uses only that ``session`` (swift-f0 0.3.x).
    """
    import onnxruntime
    import swift_f0

    class _BasicSwiftF0(swift_f0.SwiftF0):
        def __init__(self) -> None:  # replaces SwiftF0.__init__, which builds the default session
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
            if threads is not None:
                options.intra_op_num_threads = threads
            # Let the thread pool sleep between calls (SwiftF0's spin=False).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            model = os.path.join(os.path.dirname(swift_f0.__file__), "model.onnx")
            self.session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    return _BasicSwiftF0()
