"""Legato steps of a sung pitch track: where the pitch moves from one steady stretch to another
with no onset the network saw (a note sung on one vowel, a hummed tune's steps under vibrato)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import semimarkov
from .inputs import shift, window_stats

if TYPE_CHECKING:
    from .model import SungModel

#: Frames either side of a legato step whose median pitches it compares, the share of them
#: that must be voiced and their largest spread (median absolute deviation, semitones).
STEP_FRAMES, STEP_VOICED, STEP_SPREAD_ST = 8, 0.8, 0.35
#: Larger steps are the tracker's octave errors, not a sung legato step (semitones).
STEP_MAX_ST = 7.0
#: Legato steps under vibrato, where the network and the steps above miss them (a tune hummed,
#: or sung on one vowel, with a vibrato of 20-50 cents: ``python -m benchmarks.hummed``): the
#: voiced pitch's running median over :data:`LEGATO_SMOOTH_FRAMES` (192 ms, a vibrato cycle at
#: 5.2 Hz), the medians of it over the :data:`LEGATO_FRAMES` frames before and after a frame at
#: least :data:`LEGATO_MIN_ST` apart, both stretches voiced and steady (spread at most
#: :data:`LEGATO_SPREAD_ST`), at least :data:`LEGATO_QUICK_SHARE` of the step made within
#: :data:`LEGATO_QUICK_FRAMES` either side (a learner's slow slide onto the pitch is no new
#: note), and no other onset within :data:`LEGATO_FRAMES` frames. Chosen on the hummed takes,
#: with SSVD's and vocadito's figures as the check on real singing (docs/models/sung-onsets.md).
LEGATO_SMOOTH_FRAMES, LEGATO_FRAMES, LEGATO_SPREAD_ST, LEGATO_MIN_ST = 12, 14, 0.25, 0.8
LEGATO_QUICK_FRAMES, LEGATO_QUICK_SHARE = 4, 0.6
#: The share of the steps away from every onset from which a take reads as hummed, and the
#: smallest step that is a note in a take sung on syllables (:func:`legato_steps`; 1.5 chosen
#: against 2.0 and none on SSVD and vocadito, docs/models/sung-onsets.md).
LEGATO_TAKE_SHARE, LEGATO_SYLLABLE_MIN_ST = 0.15, 1.5


def peaks(prob: np.ndarray, minimum: float, min_gap: int) -> np.ndarray:
    """Indices of local maxima of ``prob`` at least ``minimum``, strongest first kept
    where two lie within ``min_gap`` frames; sorted."""
    cand = semimarkov.local_maxima(prob, minimum)
    kept: list[int] = []
    taken = np.zeros(len(prob), dtype=bool)
    for i in cand[np.argsort(-prob[cand], kind="stable")]:
        if not taken[max(0, i - min_gap + 1) : i + min_gap].any():
            kept.append(int(i))
            taken[i] = True
    return np.sort(np.asarray(kept, dtype=np.int64))


def step_sizes(midi: np.ndarray, voiced: np.ndarray, w: int, spread_st: float) -> np.ndarray:
    """Per frame, the step (semitones) between the median pitches of the ``w`` frames before it
    and from it on, where both stretches are voiced (:data:`STEP_VOICED`) and steady (spread at
    most ``spread_st``) and the step is at most :data:`STEP_MAX_ST`; 0 elsewhere. Shape (n,)."""
    mb, sb, vb = window_stats(midi, voiced, w, after=False)
    ma, sa, va = window_stats(midi, voiced, w, after=True)
    step = np.nan_to_num(np.abs(ma - mb))
    steady = (vb >= STEP_VOICED) & (va >= STEP_VOICED) & (sb <= spread_st) & (sa <= spread_st) & (step <= STEP_MAX_ST)
    return np.where(steady, step, 0.0)


def clear_steps(midi: np.ndarray, voiced: np.ndarray, model: SungModel) -> np.ndarray:
    """Frames where the pitch steps clearly (a legato step, :attr:`.model.SungModel.step_min_st`); sorted."""
    if not np.isfinite(model.step_min_st):
        return np.zeros(0, dtype=np.int64)
    return peaks(step_sizes(midi, voiced, STEP_FRAMES, STEP_SPREAD_ST), model.step_min_st, STEP_FRAMES)


def away_from(steps: np.ndarray, starts: np.ndarray, frames: int) -> np.ndarray:
    """The ``steps`` at least ``frames`` frames from every one of ``starts``."""
    if len(starts) and len(steps):
        return steps[np.min(np.abs(steps[:, None] - starts[None, :]), axis=1) >= frames]
    return steps


def with_steps(starts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """``starts`` and the legato ``steps`` (:func:`clear_steps`) at least :data:`STEP_FRAMES` frames
    from every one of them; sorted."""
    return np.union1d(starts, away_from(steps, starts, STEP_FRAMES))


def running_median(midi: np.ndarray, voiced: np.ndarray, w: int) -> np.ndarray:
    """The median of the voiced pitch over the ``w`` frames around each frame, shape (n,); NaN
    where fewer than :data:`STEP_VOICED` of them are voiced. A vibrato cycle's median is its
    centre; a frame or two of the tracker an octave off move it not at all."""
    n, half = len(midi), w // 2
    # The stretch from each frame on, of the track moved ``half`` unvoiced frames later.
    med, _, share = window_stats(np.pad(midi, (half, 0)), np.pad(voiced, (half, 0)), w, after=True)
    return np.where(share[:n] >= STEP_VOICED, med[:n], np.nan)


def legato_steps(starts: np.ndarray, midi: np.ndarray, voiced: np.ndarray) -> tuple[np.ndarray, bool]:
    """The legato steps under vibrato at least :data:`LEGATO_FRAMES` frames from every one of
    ``starts`` (sorted), and whether the take reads as hummed.

    A take sung on syllables has an onset at nearly every such step, and what is left is mostly
    a learner's slide or correction inside one syllable (SSVD's and vocadito's takes: at most 17 %
    of the steps away from an onset, nine in ten under 10 %); a hummed one leaves many (a median
    of 26 % over the hummed takes of ``benchmarks.hummed``). From :data:`LEGATO_TAKE_SHARE` the
    take reads as hummed and every step of :data:`LEGATO_MIN_ST` is a note; under it, only steps
    of :data:`LEGATO_SYLLABLE_MIN_ST`, and early offsets stand (:func:`.read.read_notes`).
    """
    centre = running_median(midi, voiced, LEGATO_SMOOTH_FRAMES)
    step = step_sizes(centre, np.isfinite(centre) & voiced, LEGATO_FRAMES, LEGATO_SPREAD_ST)
    # Most of the step is made within LEGATO_QUICK_FRAMES either side: a glide, not a slow slide.
    moved = np.abs(shift(centre, LEGATO_QUICK_FRAMES, np.nan) - shift(centre, -LEGATO_QUICK_FRAMES, np.nan))
    quick = np.nan_to_num(moved) >= LEGATO_QUICK_SHARE * step
    steps = peaks(np.where(quick, step, 0.0), LEGATO_MIN_ST, LEGATO_FRAMES)
    far = away_from(steps, starts, LEGATO_FRAMES)
    hummed = len(steps) > 0 and len(far) >= LEGATO_TAKE_SHARE * len(steps)
    return (far if hummed else far[step[far] >= LEGATO_SYLLABLE_MIN_ST]), hummed


def holds_one_pitch(midi: np.ndarray, voiced: np.ndarray) -> bool:
    """Whether a stretch of frames (shape (m,) each) holds one pitch: at least :data:`STEP_VOICED`
    of it voiced, its voiced pitch within :data:`STEP_SPREAD_ST` of its median (median absolute
    deviation), as either side of a legato step (:func:`step_sizes`)."""
    if not voiced.size or voiced.mean() < STEP_VOICED:
        return False
    held = midi[voiced]
    return float(np.median(np.abs(held - np.median(held)))) <= STEP_SPREAD_ST
