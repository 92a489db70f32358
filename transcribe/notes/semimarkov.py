"""Onsets chosen by a semi-Markov decode: how sure each one is, and how long the notes it makes are.

A peak-picker takes every peak of an onset probability above a threshold, one at a time. The
decode here chooses the whole set of onsets at once among the probability's local maxima
(down to a low floor), maximising the sum of each chosen onset's log-odds against the
threshold plus a log-normal prior on the length of the note each one starts: a weak peak in
the middle of a note twice as long as the recording's typical note is taken (a re-sung
repeated note in one breath), one that would cut a note into two short ones is not. Without
the prior (weight 0) it takes the same onsets as the peak-picker, up to ties. The length of
the note an onset starts runs to the next onset or to the end of the sound it starts in
(:func:`sound_ends`), whichever comes first, so that rests do not count as long notes.
"""

from __future__ import annotations

import numpy as np

#: Onsets farther apart than this (frames) are not linked directly by the decode: the note
#: before the later one is taken to have ended (its length capped by its sound's end, and by
#: this span), and the later onset continues the best path that ended so.
MAX_SPAN_FRAMES = 400
_EPS = 1e-6


def sound_ends(voiced: np.ndarray, *, bridge_frames: int = 2) -> np.ndarray:
    """Per frame, the frame after the end of the voiced run it is in (unvoiced gaps of at most
    ``bridge_frames`` bridged); ``len(voiced)`` for a frame outside every run.

    Args:
        voiced: Per-frame voicing, shape (n,).
        bridge_frames: Longest unvoiced gap inside one run (frames).
    """
    v = np.asarray(voiced, dtype=bool).copy()
    n = len(v)
    idx = np.flatnonzero(v)
    if len(idx) > 1:
        for a, gap in zip(idx[:-1], np.diff(idx)):
            if 1 < gap <= bridge_frames + 1:
                v[a : a + gap] = True
    first_unvoiced = np.minimum.accumulate(np.where(~v, np.arange(n), n)[::-1])[::-1]
    return np.where(first_unvoiced > np.arange(n), first_unvoiced, n)


def note_lengths(starts: np.ndarray, ends: np.ndarray, n: int) -> np.ndarray:
    """Length (frames, at least 1) of the note each of ``starts`` begins: to the next start or to
    its sound's end (``ends``, :func:`sound_ends`), whichever is first."""
    return _lengths(starts, np.append(starts[1:], n), ends)


def _lengths(starts: np.ndarray, stops: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Length (frames, at least 1) of notes from ``starts`` to ``stops``, each cut at its sound's end."""
    return np.maximum(np.minimum(stops, ends[starts]) - starts, 1)


def local_maxima(prob: np.ndarray, floor: float) -> np.ndarray:
    """Indices of the local maxima of ``prob`` (shape (n,)) at least ``floor``, sorted; on a
    plateau the first frame; none when ``n < 3``."""
    if len(prob) < 3:
        return np.zeros(0, dtype=np.int64)
    left = np.concatenate([[-1.0], prob[:-1]])
    right = np.concatenate([prob[1:], [-1.0]])
    return np.flatnonzero((prob >= floor) & (prob > left) & (prob >= right))


def _log_odds(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return np.log((p + _EPS) / (1.0 - p + _EPS))


def onsets(
    prob: np.ndarray, *, ends: np.ndarray, threshold: float, floor: float, weight: float, typical_frames: float, min_gap: int
) -> np.ndarray:
    """The onsets (frame indices, sorted) that maximise the decode's score.

    Args:
        prob: Per-frame onset probability, shape (n,).
        ends: :func:`sound_ends` of the same frames.
        threshold: The probability whose log-odds a chosen onset is scored against (a peak above
            it gains, one below it costs).
        floor: Weakest local maximum of ``prob`` considered.
        weight: Weight of the length prior, ``-weight * log(length / typical_frames) ** 2`` per note.
        typical_frames: The recording's typical note length (frames), at least 1.
        min_gap: Fewest frames between two onsets.
    """
    n = len(prob)
    c = local_maxima(prob, floor)
    m = len(c)
    if m == 0:
        return c.astype(np.int64)
    gain = _log_odds(prob[c]) - _log_odds(threshold)
    typical = max(float(typical_frames), 1.0)

    def prior(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        return -weight * np.log(_lengths(start, stop, ends) / typical) ** 2

    best = gain.copy()
    back = np.full(m, -1)
    lo = 0
    # The best path ending at an onset that has left the window, its last note ended by its
    # sound (or after MAX_SPAN_FRAMES): an onset after a long silence continues that path
    # rather than starting a new one, which would lose every note before the silence.
    closed, closed_at = -np.inf, -1
    for j in range(1, m):
        while c[j] - c[lo] > MAX_SPAN_FRAMES:
            ended = best[lo] + prior(c[lo : lo + 1], c[lo : lo + 1] + MAX_SPAN_FRAMES)[0]
            if ended > closed:
                closed, closed_at = ended, lo
            lo += 1
        if closed_at >= 0 and closed + gain[j] > best[j]:
            best[j], back[j] = closed + gain[j], closed_at
        hi = int(np.searchsorted(c, c[j] - min_gap, side="right"))  # predecessors at least min_gap before
        if hi <= lo:
            continue
        i = np.arange(lo, hi)
        v = best[i] + prior(c[i], np.full(len(i), c[j])) + gain[j]
        k = len(v) - 1 - int(np.argmax(v[::-1]))  # ties: the latest predecessor
        if v[k] > best[j]:
            best[j], back[j] = v[k], i[k]
    total = best + prior(c, np.full(m, n))
    j = int(np.argmax(total))
    out = []
    while j >= 0:
        out.append(int(c[j]))
        j = int(back[j])
    return np.asarray(out[::-1], dtype=np.int64)
