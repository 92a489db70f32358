"""Where a note ends: release trims on the loudness track."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..types import Note, PitchTrack
from .params import SegmentParams


def trim_releases(
    notes: tuple[Note, ...],
    track: PitchTrack,
    *,
    min_note_s: float = 0.05,
    params: SegmentParams | None = None,
) -> tuple[Note, ...]:
    """End each note where its level falls into the dip after its release.

    A player who lets go of a note before the next one (a breath, a bow
    change, a detached articulation) leaves a dip in the level that the pitch
    tracker bridges: the release and the room's reverb still carry the old
    pitch until the next note sounds. Where the level in a note's last
    ``release_tail_s`` (and the two frames after it) falls at least
    ``release_dip_db`` below the note's own level, the note ends where the
    level first dropped ``release_drop_db`` below it on the way into that dip.
    The note's own level is a line fitted to its body, flat or falling, so a
    plucked or struck note's natural decay is not taken for a release.

    Args:
        notes: Notes in time order, not overlapping.
        track: The pitch track the notes came from (its ``loudness_db``).
        min_note_s: A note keeps at least this length (seconds).
        params: Thresholds; defaults when ``None``.

    Returns:
        The notes, some offsets earlier; onsets and pitches unchanged.
    """
    p = params or SegmentParams()
    times, loud = track.times_s, track.loudness_db
    out = list(notes)
    for i, note in enumerate(out):
        a, b = np.searchsorted(times, [note.onset_s, note.offset_s])
        tail_start = int(np.searchsorted(times, note.offset_s - min(p.release_tail_s, 0.5 * (note.offset_s - note.onset_s))))
        # The first two frames are the attack, louder than the note's level.
        body = np.arange(a + 2, tail_start)
        if len(body) < 4 or b <= tail_start:
            continue
        slope = min(0.0, float(np.polyfit(times[body], loud[body], 1)[0]))
        level = float(np.median(loud[body] - slope * times[body]))
        # Two frames past the end: the dip's floor can sit under the next note's first frame.
        tail = np.arange(tail_start, min(len(times), b + 2))
        below = level + slope * times[tail] - loud[tail]
        floor = int(np.argmax(below))
        if below[floor] < p.release_dip_db:
            continue
        held = np.flatnonzero(below[: floor + 1] < p.release_drop_db)
        if len(held) == 0:
            end = float(times[tail[0]])
        else:
            # Interpolated between the last frame above the drop line and the one after it.
            k = int(held[-1])
            b0, b1 = below[k], below[k + 1]
            end = float(times[tail[k]] + (p.release_drop_db - b0) / (b1 - b0) * (times[tail[k + 1]] - times[tail[k]]))
        end = max(end, note.onset_s + min_note_s)
        if end < note.offset_s:
            out[i] = replace(note, offset_s=end)
    return tuple(out)
