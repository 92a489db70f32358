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

#: SwiftF0 is unsure of a pure sinusoid (a sine tone, a tone generator's melody, a whistle-like
#: sound): it reads its pitch within a few cents but with confidence 0.4-0.8 between 200 and
#: 500 Hz (a sine at middle C at most 0.61), under the gate's 0.7, so a sine melody lost most of
#: its notes. A frame whose sound is nearly all at its f0 (at least :data:`PURE_TONE_SHARE` of the
#: power in a :data:`PURE_TONE_WIN` Hann window centred on it lies within :data:`PURE_TONE_BINS`
#: bins of the f0; a sine gives 99.9 % and more, a voice ending a note on "oo" up to 99.7 %), in a
#: run of at least :data:`PURE_TONE_MIN_FRAMES` such frames, is taken at least
#: :data:`PURE_TONE_CONFIDENCE` sure (:func:`pure_tone_share`).
#: Only frames less sure than that and louder than :data:`PURE_TONE_MIN_DB` (RMS in the window,
#: dB re full scale) are looked at.
PURE_TONE_WIN, PURE_TONE_BINS, PURE_TONE_SHARE = 1024, 2.5, 0.998
PURE_TONE_MIN_FRAMES, PURE_TONE_CONFIDENCE, PURE_TONE_MIN_DB = 4, 0.9, -65.0

#: Frames whose spectra :func:`pure_tone_share` takes at a time (memory stays bounded).
PURE_TONE_CHUNK_FRAMES = 128


def estimate(samples: np.ndarray, *, fmin_hz: float, fmax_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run SwiftF0 on 16 kHz mono audio: the model's frames (:func:`model_frames`), a pure
    tone's taken sure (:data:`PURE_TONE_SHARE`).

    Args:
        samples: float32 mono at 16 kHz, shape (n,).
        fmin_hz: Lowest pitch in Hz (clipped to the model's 46.875 Hz).
        fmax_hz: Highest pitch in Hz (clipped to the model's 2093.75 Hz).

    Returns:
        ``(times_s, f0_hz, confidence)``, each shape (n // 256,) or (1,): one
        frame per 16 ms, frame i centred on sample 256 i.
    """
    from swift_f0 import core

    times_s, f0_hz, confidence = model_frames(samples, fmin_hz=fmin_hz, fmax_hz=fmax_hz)
    return times_s, f0_hz, _sure_of_pure_tones(samples, f0_hz, confidence, hop=core.HOP)


def model_frames(samples: np.ndarray, *, fmin_hz: float, fmax_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SwiftF0's own frames of 16 kHz mono audio, as :func:`estimate` takes them (the same
    arguments and shapes), read in segments of :data:`SEGMENT_FRAMES`."""
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


def pure_tone_share(
    samples: np.ndarray, f0_hz: np.ndarray, *, where: np.ndarray | None = None, hop: int = 256, min_db: float = -np.inf
) -> np.ndarray:
    """The share of each frame's power that lies at its pitch, shape (len(f0_hz),).

    Args:
        samples: Mono audio at :data:`SAMPLE_RATE`, shape (n,).
        f0_hz: A pitch per frame (frame ``i`` centred on sample ``hop * i``; NaN or 0: none).
        where: The frames to look at, bool shape (len(f0_hz),); ``None``: all.
        hop: Samples per frame.
        min_db: Frames whose window is quieter than this (RMS, dB re full scale) are not looked at.

    Returns:
        Per frame, the power within :data:`PURE_TONE_BINS` bins of ``f0_hz`` over the power above
        the lowest two bins, in a :data:`PURE_TONE_WIN`-sample Hann window centred on the frame;
        0 where the frame has no pitch, no power or is not looked at. A sinusoid gives about 1, a
        voice or an instrument with its harmonics far less.
    """
    samples = np.asarray(samples)
    f0_hz = np.asarray(f0_hz, dtype=np.float64)
    out = np.zeros(len(f0_hz))
    look = np.isfinite(f0_hz) & (f0_hz > 0)
    if where is not None:
        look &= np.asarray(where, dtype=bool)
    todo = np.flatnonzero(look)
    if not len(todo) or not len(samples):
        return out
    offsets = np.arange(PURE_TONE_WIN) - PURE_TONE_WIN // 2
    window = np.hanning(PURE_TONE_WIN)
    bin_hz = SAMPLE_RATE / PURE_TONE_WIN
    for a in range(0, len(todo), PURE_TONE_CHUNK_FRAMES):
        idx = todo[a : a + PURE_TONE_CHUNK_FRAMES]
        at = idx[:, None] * hop + offsets[None, :]
        frames = np.where((at >= 0) & (at < len(samples)), samples[np.clip(at, 0, len(samples) - 1)], 0.0).astype(np.float64)
        loud = 10.0 * np.log10(np.maximum(np.mean(frames**2, axis=1), 1e-14)) >= min_db
        idx, frames = idx[loud], frames[loud]
        if not len(idx):
            continue
        power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
        # The power up to each bin, so the band around each frame's f0 is one difference.
        upto = np.concatenate([np.zeros((len(idx), 1)), np.cumsum(power, axis=1)], axis=1)
        centre = f0_hz[idx] / bin_hz
        lo = np.clip(np.ceil(centre - PURE_TONE_BINS), 0, power.shape[1]).astype(np.int64)
        hi = np.clip(np.floor(centre + PURE_TONE_BINS) + 1, 0, power.shape[1]).astype(np.int64)
        rows = np.arange(len(idx))
        at_f0 = upto[rows, hi] - upto[rows, lo]
        total = upto[:, -1] - upto[:, 2]
        out[idx] = np.where(total > 0, at_f0 / np.maximum(total, 1e-30), 0.0)
    return out


def _sure_of_pure_tones(samples: np.ndarray, f0_hz: np.ndarray, confidence: np.ndarray, *, hop: int) -> np.ndarray:
    """``confidence`` raised to :data:`PURE_TONE_CONFIDENCE` on the runs of frames that are a pure
    tone at their pitch (:func:`pure_tone_share`), shape (len(f0_hz),); frame ``i`` is centred on
    sample ``hop * i``."""
    confidence = np.asarray(confidence, dtype=np.float64)
    looked = confidence < PURE_TONE_CONFIDENCE
    pure = pure_tone_share(samples, f0_hz, where=looked, hop=hop, min_db=PURE_TONE_MIN_DB) >= PURE_TONE_SHARE
    edges = np.flatnonzero(np.diff(np.concatenate([[0], pure.astype(np.int8), [0]])))
    out = confidence.copy()
    for a, b in zip(edges[::2], edges[1::2]):
        if b - a >= PURE_TONE_MIN_FRAMES:
            out[a:b] = np.maximum(out[a:b], PURE_TONE_CONFIDENCE)
    return out


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
