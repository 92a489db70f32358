"""What each frame of a sung take is described by for the onset and offset networks (:data:`FEATURES`)."""

from __future__ import annotations

import warnings

import numpy as np

from ...features import BAND_EDGES_HZ
from ...types import FrameArrays

#: Frames either side whose evidence a frame's features include.
CONTEXT = (-4, -3, -2, -1, 0, 1, 2, 3, 4)
#: Frames either side whose band levels (:func:`transcribe.features.band_levels_db`) a frame's features include.
BAND_CONTEXT = (-3, -2, -1, 1, 2, 3)
#: Level differences are clipped here (dB), pitch differences here (semitones).
MAX_DB, MAX_ST = 30.0, 3.0


def _names() -> tuple[str, ...]:
    names = []
    for k in CONTEXT:
        names += [f"onset{k:+d}", f"attack{k:+d}", f"level{k:+d}_db", f"voiced{k:+d}", f"confidence{k:+d}"]
    names += ["level_db", "level_below_top_db"]
    for b in range(len(BAND_EDGES_HZ) - 1):
        names += [f"band{b}_db", *(f"band{b}{k:+d}_db" for k in BAND_CONTEXT)]
    for w in (2, 4, 8):
        names += [f"pitch_step{w}_st", f"pitch_spread_before{w}_st", f"pitch_spread_after{w}_st", f"voiced_before{w}", f"voiced_after{w}"]
    return tuple(names)


#: What each frame is described by, in order.
FEATURES: tuple[str, ...] = _names()


def shift(a: np.ndarray, k: int, fill: float) -> np.ndarray:
    """``a`` moved so that entry ``i`` holds ``a[i + k]`` (``fill`` outside)."""
    out = np.full_like(a, fill)
    n = len(a)
    if abs(k) >= n:
        return out
    if k >= 0:
        out[: n - k] = a[k:]
    else:
        out[-k:] = a[: n + k]
    return out


def window_stats(midi: np.ndarray, voiced: np.ndarray, w: int, after: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median pitch, spread (median absolute deviation) and voiced share of the ``w`` frames
    before each frame (``after`` False) or from it on, shape (n,) each; NaN pitch where none voiced."""
    ks = range(0, w) if after else range(-w, 0)
    stack = np.stack([shift(np.where(voiced, midi, np.nan), k, np.nan) for k in ks])
    share = np.mean(np.isfinite(stack), axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows in rests
        med = np.nanmedian(stack, axis=0)
        spread = np.nanmedian(np.abs(stack - med[None, :]), axis=0)
    return med, np.nan_to_num(spread, nan=MAX_ST), share


def frame_features(frames: FrameArrays, bands_db: np.ndarray) -> np.ndarray:
    """The :data:`FEATURES` of every frame, shape (n, len(FEATURES)).

    Args:
        frames: The recording's per-frame arrays.
        bands_db: :func:`transcribe.features.band_levels_db` at the same frames, shape (n, bands).
    """
    loud = np.asarray(frames.loudness_db, dtype=np.float64)
    midi = np.asarray(frames.midi, dtype=np.float64)
    voiced = np.asarray(frames.voiced, dtype=bool) & np.isfinite(midi)
    onset = np.minimum(frames.onset, 5.0)
    attack = np.minimum(frames.attack, 5.0)
    conf = np.asarray(frames.confidence, dtype=np.float64)
    cols = []
    for k in CONTEXT:
        cols += [
            shift(onset, k, 0.0),
            shift(attack, k, 0.0),
            np.clip(shift(loud, k, -140.0) - loud, -MAX_DB, MAX_DB),
            shift(voiced.astype(np.float64), k, 0.0),
            shift(conf, k, 0.0),
        ]
    top = float(np.percentile(loud, 99)) if len(loud) else 0.0
    cols += [loud - top, np.clip(top - loud, 0.0, 60.0)]
    for b in range(bands_db.shape[1]):
        level = np.asarray(bands_db[:, b], dtype=np.float64)
        cols.append(np.clip(level - float(np.percentile(level, 99)), -60.0, 0.0) if len(level) else level)
        cols += [np.clip(shift(level, k, -140.0) - level, -MAX_DB, MAX_DB) for k in BAND_CONTEXT]
    for w in (2, 4, 8):
        mb, sb, vb = window_stats(midi, voiced, w, after=False)
        ma, sa, va = window_stats(midi, voiced, w, after=True)
        step = np.abs(ma - mb)
        cols += [np.where(np.isfinite(step), np.minimum(step, MAX_ST), MAX_ST), np.minimum(sb, MAX_ST), np.minimum(sa, MAX_ST), vb, va]
    return np.stack(cols, axis=1)
