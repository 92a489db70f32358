"""Splitting one pitch run where a repeated note is re-attacked (:mod:`.reattack` decides)."""

from __future__ import annotations

import numpy as np

from ..types import FrameArrays
from . import reattack
from .params import SegmentParams


def split_reattacks(
    frames: FrameArrays, span: tuple[int, int], p: SegmentParams, recording: reattack.Recording, *, min_len: int, guard: int = 0
) -> list[tuple[int, int]]:
    """Split the frames ``span`` = [start, end) of one note at re-attacks.

    Evidence of a re-attack, strongest first: the voicing drops out and comes
    back with an onset or a loudness dip (a breath or a re-bowed note); a
    loudness dip or onset peak that the re-attack network
    (:mod:`transcribe.notes.reattack`) takes for a new note. Each part keeps
    ``min_len`` frames, and no part starts in the last ``guard`` frames.

    Args:
        frames: The whole track's arrays as the note search sees them (pitch with
            the tuning removed, the voicing before gap bridging).
        span: The note's frames, ``(start, end)``.
        p: Segmentation parameters.
        recording: What the re-attack network reads of the whole recording.
        min_len: Shortest part (frames).
        guard: Frames at the end where no part may start.

    Returns:
        ``(first_frame, end_frame_exclusive)`` per part; a gap between parts is a rest.
    """
    start, end = span
    min_len = max(min_len, 2)
    if end - start < 2 * min_len:
        return [(start, end)]
    w = frames.window(start, end)
    onset, loud_db, sure = w.onset, w.loudness_db, w.voiced
    n = end - start
    cands: list[tuple[float, int, int]] = []  # (priority, new_onset, previous_end) relative to start

    # (a) voicing gaps inside the note.
    edges = np.flatnonzero(np.diff(sure.astype(np.int8)))
    for e in edges:
        if sure[e] and e + 1 < n:  # a gap starts at e + 1
            later = edges[edges > e]
            if not len(later):
                break
            g0, g1 = e + 1, int(later[0]) + 1
            left = loud_db[max(0, g0 - 12) : g0].max()
            right = loud_db[g1 : g1 + 12].max() if g1 < n else -np.inf
            depth = float(min(left, right) - loud_db[g0:g1].min())
            if float(onset[max(0, g1 - 2) : g1 + 3].max()) >= p.gap_onset or depth >= p.gap_dip_db:
                cands.append((4.0, g1, g0))
    # (b) loudness dips and onset peaks the network takes for re-attacks (priority 2-3).
    splits, feats = reattack.run_candidates(w, recording, start=start)
    if len(splits):
        for split, prob in zip(splits, reattack.probability(feats)):
            if prob >= p.reattack_min_prob:
                cands.append((2.0 + float(prob), int(split), int(split)))
    return _cut(cands, start, n, min_len, guard)


def _cut(cands: list[tuple[float, int, int]], start: int, n: int, min_len: int, guard: int) -> list[tuple[int, int]]:
    """Split a run of ``n`` frames at ``cands`` (priority, new onset, previous end), strongest first."""
    # Keep a candidate only if every part it leaves sounds min_len frames: a part runs from one
    # cut's new onset to the next cut's previous end (before a voicing gap, that end comes first).
    cuts: list[tuple[int, int]] = []
    for _, new_on, prev_end in sorted(cands, key=lambda c: -c[0]):
        if new_on < min_len or n - new_on < max(min_len, guard) or prev_end < min_len:
            continue
        if any((c[1] - new_on if new_on <= c[0] else prev_end - c[0]) < min_len for c in cuts):
            continue
        cuts.append((new_on, prev_end))
    cuts.sort()
    parts = []
    a = start
    for new_on, prev_end in cuts:
        parts.append((a, start + prev_end))
        a = start + new_on
    parts.append((a, start + n))
    return [(x, y) for x, y in parts if y > x]
