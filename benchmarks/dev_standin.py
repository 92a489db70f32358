"""A tiny stand-in for ``transcribe.transcribe`` used only to develop the benchmark harness.

Selected with ``python -m benchmarks.run --standin``.  It follows the public contract (notes,
tempo_bpm, time_signature, key, written) with deliberately naive methods; it is not a baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np


@dataclass(frozen=True)
class _Note:
    onset_s: float
    offset_s: float
    midi: int
    cents: float = 0.0
    confidence: float = 1.0


@dataclass(frozen=True)
class _Written:
    onset_s: float
    offset_s: float
    midi: int
    offset_q: Fraction
    duration_q: Fraction
    measure: int
    beat: float


@dataclass(frozen=True)
class _Result:
    notes: tuple[_Note, ...]
    tempo_bpm: float
    time_signature: str
    key: str
    written: tuple[_Written, ...]
    track: Any = None


def transcribe(path: str, sr: int | None = None, pitch: str = "swift") -> _Result:
    """Naive notes from SwiftF0: runs of confident frames with a constant rounded pitch."""
    import soundfile as sf
    from swift_f0 import SwiftF0

    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    res = SwiftF0(threads=1).detect(audio.mean(axis=1), rate)
    voiced = res.confidence >= 0.5
    midi = np.where(voiced, np.round(69 + 12 * np.log2(np.maximum(res.pitch_hz, 1e-6) / 440.0)), -1)
    notes: list[_Note] = []
    start = 0
    for i in range(1, len(midi) + 1):
        if i == len(midi) or midi[i] != midi[start]:
            if midi[start] >= 0 and (i - start) * 0.016 >= 0.06:
                notes.append(_Note(float(res.timestamps[start]), float(res.timestamps[i - 1] + 0.016), int(midi[start])))
            start = i
    ioi = np.diff([n.onset_s for n in notes]) if len(notes) > 2 else np.array([0.5])
    beat = float(np.median(ioi)) or 0.5
    bpm = 60.0 / beat
    written = tuple(
        _Written(n.onset_s, n.offset_s, n.midi, Fraction(0), Fraction(round((n.offset_s - n.onset_s) / beat * 2), 2), 1, 1.0) for n in notes
    )
    f0 = np.where(voiced, res.pitch_hz, 0.0)
    track = type("T", (), {"times_s": res.timestamps, "f0_hz": f0})()
    return _Result(tuple(notes), bpm, "4/4", "C major", written, track)
