"""The SPICE-tutorial fixed-grid conversion, re-implemented from ``shared/SPICE_TUTORIAL.md``.

It is a *peer* in the benchmark: the floor the product must leave behind.  Steps, as the
tutorial does them:

1. a pitch track with confidence; frames with confidence < 0.9 become rests;
2. tuning offset = the plain (non-circular) mean of ``12*log2(f/C0) - round(...)``;
3. cut the frame sequence into equal groups of N frames (N = 20..64) after a start offset of
   0..N-1 rest frames; a group with > 80 % rest frames is a rest (cost 0.51 per voiced frame),
   otherwise a note ``round(mean(semitone - offset))`` (cost = sum of absolute deviations);
   keep the N/offset with the least total cost (ties: the first found);
4. every group is a half note; tempo mark ``60*60/N`` quarter BPM (the tutorial's 30 frames/s
   assumption); no key; no time signature (music21 writes 4/4 when it exports such a stream).

The tutorial ran on SPICE (32 ms frames).  We feed it SwiftF0 (16 ms frames) decimated to every
second frame, i.e. a 32 ms grid, so N keeps its meaning and its 20..64 range.  Notes are reported
in performance seconds from the real frame times; repeated groups are not merged (as in the
tutorial).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

C0_HZ = 440.0 * 2.0 ** (-4.75)
CONF_GATE = 0.9
N_RANGE = range(20, 65)
REST_SHARE = 0.8
REST_COST = 0.51
FRAME_S = 0.032


@dataclass(frozen=True)
class TutorialResult:
    """Notes ``(onset_s, offset_s, midi)``, the tutorial's tempo mark, N and the tuning offset."""

    notes: tuple[tuple[float, float, int], ...]
    tempo_bpm: float
    n_frames: int
    start_offset: int
    ideal_offset: float


def _groups(semis: np.ndarray, n: int, off: int) -> tuple[np.ndarray, np.ndarray]:
    """Reshape ``[off rests] + semis`` into (groups, n) values (NaN = rest) and an 'exists' mask."""
    total = off + len(semis)
    g = -(-total // n)
    vals = np.full(g * n, np.nan)
    vals[off:total] = semis
    exists = np.zeros(g * n, dtype=bool)
    exists[:total] = True
    return vals.reshape(g, n), exists.reshape(g, n)


def _quantize(semis: np.ndarray, n: int, off: int) -> tuple[float, np.ndarray]:
    """Total cost and per-group note (semitones above C0, NaN for rest) for one N/offset."""
    vals, exists = _groups(semis, n, off)
    voiced = ~np.isnan(vals)
    n_voiced = voiced.sum(axis=1)
    glen = exists.sum(axis=1)
    rest = (glen - n_voiced) > REST_SHARE * glen
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(vals, axis=1) / np.maximum(n_voiced, 1)
    h = np.round(mean)
    dev = np.nansum(np.abs(vals - h[:, None]), axis=1)
    cost = np.where(rest, REST_COST * n_voiced, dev)
    return float(cost.sum()), np.where(rest, np.nan, h)


def convert(times_s: np.ndarray, f0_hz: np.ndarray, confidence: np.ndarray, *, decimate: int = 2) -> TutorialResult:
    """Run the tutorial conversion on a pitch track (``decimate=2`` turns 16 ms into 32 ms frames)."""
    t = np.asarray(times_s, dtype=float)[::decimate]
    f = np.asarray(f0_hz, dtype=float)[::decimate]
    c = np.asarray(confidence, dtype=float)[::decimate]
    hop = float(t[1] - t[0]) if len(t) > 1 else FRAME_S
    ok = (c >= CONF_GATE) & np.isfinite(f) & (f > 0)
    if not ok.any():  # the tutorial crashes here (statistics.mean([])); we return nothing
        return TutorialResult((), math.nan, 0, 0, math.nan)
    raw = 12.0 * np.log2(np.where(ok, f, 1.0) / C0_HZ)
    offs = raw[ok] - np.round(raw[ok])
    ideal = float(np.mean(offs))
    semis = np.where(ok, raw - ideal, np.nan)
    best: tuple[float, int, int, np.ndarray] | None = None
    for n in N_RANGE:
        for off in range(n):
            cost, h = _quantize(semis, n, off)
            if best is None or cost < best[0]:
                best = (cost, n, off, h)
    assert best is not None
    _, n, off, h = best
    t0 = float(t[0]) if len(t) else 0.0
    notes = []
    for gi, val in enumerate(h):
        if np.isnan(val):
            continue
        start = max(0, gi * n - off)
        end = (gi + 1) * n - off
        notes.append((t0 + start * hop, t0 + end * hop, int(val) + 12))  # C0 is MIDI 12
    return TutorialResult(tuple(notes), 60.0 * 60.0 / n, n, off, ideal)


def swift_track(path: str, *, threads: int | None = 1) -> tuple[Any, tuple[np.ndarray, np.ndarray]]:
    """SwiftF0 on a file (channels averaged): its ``PitchResult``, and the (times, f0) track with
    0 Hz where the confidence is under 0.5 (the peers' pitch track for the RPA column)."""
    import soundfile as sf
    from swift_f0 import SwiftF0

    audio, sr = sf.read(path, dtype="float32", always_2d=True)
    res = SwiftF0(threads=threads).detect(audio.mean(axis=1), sr)
    return res, (res.timestamps, np.where(res.confidence >= 0.5, res.pitch_hz, 0.0))


def run_file(path: str, *, threads: int | None = 1) -> tuple[TutorialResult, tuple[np.ndarray, np.ndarray]]:
    """Load audio, track pitch with SwiftF0 and convert; also return the raw (times, f0) track."""
    res, track = swift_track(path, threads=threads)
    return convert(res.timestamps, res.pitch_hz, res.confidence), track
