"""A hummed take's repeated notes: where the level dips on one pitch, a new note is hummed."""

from __future__ import annotations

import numpy as np

from ... import features

#: A hummed take re-hums a repeated note: the level dips and the pitch comes back. The onset
#: model, fitted on syllables, misses many such onsets and either holds one note through the dip
#: or ends it there and leaves the rest of the held sound unwritten (a rest where a note was
#: hummed). In a take that reads as hummed (:func:`rehummed_end`), a dip of the level at least
#: :data:`REPEAT_DIP_DB` below the louder of the :data:`REPEAT_SIDE_FRAMES` frames on each side,
#: inside a note, or at its end with the sound held on at its pitch (:data:`REPEAT_SAME_ST`) for
#: :data:`REPEAT_HELD_FRAMES` frames, ends the note there; a new note starts there too where the
#: tracker stays sure of the voice through the dip (:data:`REPEAT_SURE_CONFIDENCE`), else at the
#: likeliest onset within :data:`REPEAT_SEARCH_FRAMES` frames after it. An onset the network put
#: just after such a dip moves to its bottom (:func:`at_dip_bottoms`).
REPEAT_DIP_DB, REPEAT_SIDE_FRAMES, REPEAT_HELD_FRAMES, REPEAT_SAME_ST, REPEAT_SEARCH_FRAMES = 6.0, 8, 10, 0.5, 8
#: The pitch tracker's confidence a hummed repeat's dip keeps (:func:`at_dip_bottoms`): the 23
#: dips of 12 hummed takes keep 0.58 or more; the unvoiced breaks between syllables of three
#: SSVD takes read as hummed fall to 0.0-0.33.
REPEAT_SURE_CONFIDENCE = 0.5


def dip_depths_db(loud_db: np.ndarray) -> np.ndarray:
    """Per frame of ``loud_db`` (shape (m,), dB), how far it lies below the louder of the
    :data:`REPEAT_SIDE_FRAMES` frames on each side where it is a local minimum with that many
    frames on both sides; -inf elsewhere."""
    side, m = REPEAT_SIDE_FRAMES, len(loud_db)
    depth = np.full(m, -np.inf)
    if m <= 2 * side:
        return depth
    before, after = features.below_sides_db(loud_db, side)
    k = np.arange(side, m - side)
    lowest = (loud_db[k] <= loud_db[k - 1]) & (loud_db[k] <= loud_db[k + 1])
    depth[k] = np.where(lowest, np.minimum(before[k], after[k]), -np.inf)
    return depth


def rehummed_end(loud_db: np.ndarray, midi: np.ndarray, voiced: np.ndarray, note: tuple[int, int], nxt: int) -> int | None:
    """Where a hummed note = (first frame, end frame) re-hummed on its pitch ends (a frame), or
    ``None``: at the bottom of the deepest dip of at least :data:`REPEAT_DIP_DB` inside it; or at
    its end, where the level dips that deep there (within three frames) and the sound goes on at
    its pitch (within :data:`REPEAT_SAME_ST`) for :data:`REPEAT_HELD_FRAMES` frames before the
    next onset ``nxt``."""
    a, b = note
    depth = dip_depths_db(loud_db[a:b])
    if len(depth) and depth.max() >= REPEAT_DIP_DB:
        return a + int(np.argmax(depth))
    off = np.flatnonzero(~voiced[b:nxt])
    run = int(off[0]) if len(off) else nxt - b
    held = midi[a:b][voiced[a:b]]
    if run < REPEAT_HELD_FRAMES or not len(held):
        return None
    if abs(float(np.median(midi[b : b + run])) - float(np.median(held))) > REPEAT_SAME_ST:
        return None
    lo, hi = max(a, b - REPEAT_SIDE_FRAMES - 3), min(nxt, b + REPEAT_SIDE_FRAMES + 4)
    around = dip_depths_db(loud_db[lo:hi])[max(0, b - 3 - lo) : b + 4 - lo]
    return b if len(around) and around.max() >= REPEAT_DIP_DB else None


def at_dip_bottoms(starts: np.ndarray, loud_db: np.ndarray, midi: np.ndarray, voiced: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """Onsets (frames, sorted, shape (k,)) of a hummed take moved to the bottom of the dip of the
    level before them where that dip is a repeat re-hummed: at most :data:`REPEAT_SEARCH_FRAMES`
    before the onset (after the onset before it), at least :data:`REPEAT_DIP_DB` deep
    (:func:`dip_depths_db`), the pitch on both sides the same (medians of
    :data:`REPEAT_HELD_FRAMES` voiced frames within :data:`REPEAT_SAME_ST`) and the tracker sure
    of the voice through the dip (confidence at least :data:`REPEAT_SURE_CONFIDENCE`: a hum's
    throat closing a moment, not a consonant's break). The re-hummed note's sound starts to swell
    at the bottom; the onset network, fitted on syllables, fires where the level is back, 30-60 ms
    later, as SSVD's annotators place a syllable's onset after its consonant."""
    out = np.asarray(starts, dtype=np.int64).copy()
    depth_db = dip_depths_db(loud_db)
    for i in range(1, len(out)):
        s = int(out[i])
        lo = max(int(out[i - 1]) + 1, s - REPEAT_SEARCH_FRAMES)
        if s - lo < 1:
            continue
        depth = depth_db[lo : s + 1]
        if not len(depth) or depth.max() < REPEAT_DIP_DB:
            continue
        k = lo + int(np.argmax(depth))
        if float(np.min(confidence[k : s + 1])) < REPEAT_SURE_CONFIDENCE:
            continue
        span_before, span_after = slice(max(0, k - REPEAT_HELD_FRAMES), k), slice(s, s + REPEAT_HELD_FRAMES)
        before, after = midi[span_before][voiced[span_before]], midi[span_after][voiced[span_after]]
        if len(before) and len(after) and abs(float(np.median(before)) - float(np.median(after))) <= REPEAT_SAME_ST:
            out[i] = k
    return out
