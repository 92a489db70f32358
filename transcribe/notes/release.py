"""Where a note really ends: the release under the room's reverb.

The pitch tracker follows a note for as long as its pitch is audible, and the
reverb (or a piano's damper-less decay) carries it well past the moment the
player let go, often right up to the next note. Listeners and the written
rhythm put the end where the sound was released. Each frame of a note after
its first ``min_note_s`` is described by :data:`FEATURES` (its level against
the note's own attack and decay, how the level moves, onset strength, the
tracker's confidence, where the frame sits in the note, and the room's
reverberation time read from the recording), a small network
gives the probability that the note has already ended there, and the note's
end is the change point that agrees best with those probabilities. The weights
are fitted by ``python -m benchmarks.fit_release`` on rendered sets the
benchmark does not score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import models
from ..types import FrameArrays, Note
from . import network

#: Differences in dB are clipped here, times in seconds there: beyond them frames look alike.
MAX_DB, MAX_S = 40.0, 4.0

FEATURES: tuple[str, ...] = (
    "below_attack_db",  # the frame below the note's attack peak
    "below_line_db",  # the frame below the line fitted to the note's first half (its decay)
    "step_1_db",  # level change over one frame
    "step_3_db",  # ... over three frames
    "comes_back_db",  # how far the level rises again later in the note
    "falls_further_db",  # how far the level still falls later in the note
    "onset",  # onset strength at the frame
    "onset_later",  # strongest onset strength later in the note
    "confidence",  # the tracker's confidence at the frame
    "confidence_drop",  # the note's median confidence minus the frame's
    "pitch_off_cents",  # the frame's pitch from the note's (capped at 100)
    "since_start_s",
    "to_end_s",
    "position",  # 0 at the note's start, 1 at its (current) end
    "duration_s",
    "gap_after_s",  # silence after the note before the next one (capped at 1 s)
    "decay_db_per_s",  # slope of the fitted line (0 for a held note)
    "voiced",  # the frame passed the voicing gate
    "ahead_3_db",  # level change over the next three frames (past the note's end too)
    "room_rt60_s",  # the room's reverberation time read from the recording (0: none read)
)


def note_features(
    note: Note, next_onset_s: float | None, frames: FrameArrays, *, min_note_s: float, rt60_s: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate end frames of one note and their features.

    Args:
        note: The note.
        next_onset_s: Onset of the next note (seconds), ``None`` for the last.
        frames: The recording's per-frame arrays.
        min_note_s: The note keeps at least this length (seconds).
        rt60_s: The room's reverberation time (seconds, :func:`transcribe.dereverb.estimate_rt60_s`;
            0 where none was read): after a release the level falls at the room's rate.

    Returns:
        ``(frames, features)``: track frame indices where the note could end,
        shape (k,), and their features, shape (k, len(FEATURES)).
    """
    times = frames.times_s
    a, b = (int(x) for x in np.searchsorted(times, [note.onset_s, note.offset_s]))
    first = int(np.searchsorted(times, note.onset_s + min_note_s))
    if b - a < 6 or first >= b:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))
    loud = frames.loudness_db[a:b]
    t = times[a:b]
    n = b - a
    peak = float(loud[: min(4, n)].max())
    fit_end = max(4, n // 2)
    body = np.arange(min(2, n - 1), fit_end)
    if len(body) >= 3:
        # Least-squares slope in closed form (np.polyfit costs more than the rest of the note).
        tb, lb = t[body] - t[body].mean(), loud[body]
        slope = min(0.0, float(tb @ (lb - lb.mean()) / (tb @ tb)))
        level = float(np.median(lb - slope * t[body]))
    else:
        slope, level = 0.0, float(np.median(loud))
    line = level + slope * t
    ks = np.arange(first - a, n)
    later_max = np.maximum.accumulate(loud[::-1])[::-1]
    later_min = np.minimum.accumulate(loud[::-1])[::-1]
    on = frames.onset[a:b]
    later_on = np.maximum.accumulate(on[::-1])[::-1]
    conf = frames.confidence[a:b]
    conf_med = float(np.median(conf))
    midi = frames.midi[a:b]
    off = np.where(np.isfinite(midi), np.minimum(np.abs(midi - note.midi) * 100.0, 100.0), 100.0)
    gap = 1.0 if next_onset_s is None else float(np.clip(next_onset_s - note.offset_s, 0.0, 1.0))
    dur = min(note.offset_s - note.onset_s, MAX_S)

    def clip_db(x: np.ndarray) -> np.ndarray:
        return np.clip(x, -MAX_DB, MAX_DB)

    step1 = loud[ks] - loud[np.maximum(ks - 1, 0)]
    step3 = loud[ks] - loud[np.maximum(ks - 3, 0)]
    whole = frames.loudness_db
    ahead3 = whole[np.minimum(a + ks + 3, len(whole) - 1)] - loud[ks]
    rows = np.column_stack(
        [
            clip_db(peak - loud[ks]),
            clip_db(line[ks] - loud[ks]),
            clip_db(step1),
            clip_db(step3),
            clip_db(later_max[ks] - loud[ks]),
            clip_db(loud[ks] - later_min[ks]),
            np.minimum(on[ks], 3.0),
            np.minimum(later_on[ks], 3.0),
            conf[ks],
            conf_med - conf[ks],
            off[ks],
            np.minimum(t[ks] - t[0], MAX_S),
            np.minimum(note.offset_s - t[ks], MAX_S),
            ks / n,
            np.full(len(ks), dur),
            np.full(len(ks), gap),
            np.full(len(ks), max(slope, -60.0)),
            frames.voiced[a:b][ks].astype(np.float64),
            clip_db(ahead3),
            np.full(len(ks), network.rt60_input(rt60_s)),
        ]
    )
    return a + ks, rows


def fitted_weights() -> dict[str, np.ndarray]:
    """The fitted network (``transcribe/models/release.npz``, written by ``benchmarks/fit_release.py``)."""
    return models.checked("release", FEATURES).group("net")


def probability(features: np.ndarray, *, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Probability that the note has ended at each frame, shape (k,).

    Args:
        features: Shape (k, len(FEATURES)), from :func:`note_features`.
        weights: In :func:`transcribe.notes.network.probability`'s layout; :func:`fitted_weights` when ``None``.
    """
    return network.probability(features, fitted_weights() if weights is None else weights)


def end_frame(prob: np.ndarray) -> int:
    """Index of the change point that best explains ``prob`` (``len(prob)`` for none).

    Frames before it should be "still sounding" and frames from it on "ended":
    the split maximises the summed log-likelihood of both, so one stray frame
    does not end a note early.
    """
    p = np.clip(np.asarray(prob, dtype=np.float64), 1e-6, 1 - 1e-6)
    before = np.concatenate([[0.0], np.cumsum(np.log1p(-p))])  # log P(sounding) of frames < k
    after = np.concatenate([np.cumsum(np.log(p)[::-1])[::-1], [0.0]])  # log P(ended) of frames >= k
    return int(np.argmax(before + after))


def refine_offsets(
    notes: tuple[Note, ...],
    frames: FrameArrays,
    *,
    min_note_s: float,
    rt60_s: float = 0.0,
    weights: dict[str, np.ndarray] | None = None,
) -> tuple[Note, ...]:
    """End each note where the network says it was released (never later than now).

    Args:
        notes: Notes in time order, not overlapping.
        frames: The recording's per-frame arrays (the notes' pitch track, onset strength, voicing).
        min_note_s: A note keeps at least this length (seconds).
        rt60_s: The room's reverberation time (seconds; 0 where none was read).
        weights: Network weights; :func:`fitted_weights` when ``None``.

    Returns:
        The notes, some offsets earlier; onsets and pitches unchanged.
    """
    weights = fitted_weights() if weights is None else weights
    out = []
    for i, note in enumerate(notes):
        nxt = notes[i + 1].onset_s if i + 1 < len(notes) else None
        ends, feats = note_features(note, nxt, frames, min_note_s=min_note_s, rt60_s=rt60_s)
        if len(ends):
            k = end_frame(probability(feats, weights=weights))
            if k < len(ends):
                end = float(frames.times_s[ends[k]])
                if note.onset_s + min_note_s <= end < note.offset_s:
                    note = replace(note, offset_s=end)
        out.append(note)
    return tuple(out)
