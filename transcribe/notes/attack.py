"""Where an instrument's note starts: the frame its attack begins.

The segmentation puts a note's onset where its pitch takes over, and the
attack search (:func:`transcribe.notes.segment`) moves it back to the start of
the strongest attack-strength peak. A slow attack (a cello, a choir patch) or
one under the previous note's reverb has no single clear peak, and the onset
stays 50-100 ms late. Here every frame from :data:`BEFORE_S` before to
:data:`AFTER_S` after the onset is described by :data:`FEATURES` (attack and
onset strength and their shape, how the level and the pitch move, where the
previous note is, and how the level at the note's own harmonics moves), a small network gives the probability that the note starts
at that frame, and the onset moves to the likeliest frame. That frame is still
late on average where the level rises slowly (a bowed note is heard some
20 ms after the bow starts it), so a regression on the chosen frame's
features and the probabilities around it (:data:`SHIFT_FEATURES`) moves the
onset by the expected error, at most :data:`MAX_EARLIER_S` earlier or
:data:`MAX_LATER_S` later. Both are fitted by ``python -m benchmarks.fit_attack``
on rendered sets the benchmark does not score.

Both read 16 ms frames, and the network learned from soundfont notes whose sound
builds up after the note-on; a real plucked or tongued note that starts abruptly
after a dip (a bass player's mute before the next pluck) was put on the last quiet
frame and moved earlier still, 20-40 ms before it sounds.
:func:`onsets_at_abrupt_rises` then moves such an onset to where a steep rise of the
level read in 4 ms windows starts (later, or at most :data:`FINE_BEFORE_S` earlier).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .. import models
from ..types import FrameArrays, Note
from . import network

#: The window searched around each onset (seconds before and after it).
BEFORE_S, AFTER_S = 0.15, 0.05
#: Strengths and level differences are clipped here (their scale beyond is not informative).
MAX_STRENGTH, MAX_DB = 3.0, 30.0

FEATURES: tuple[str, ...] = (
    "dt_s",  # the frame's time minus the current onset
    "attack",  # short-window onset strength at the frame
    "attack_share",  # ... over the window's strongest
    "attack_before",  # ... one frame earlier
    "attack_after",  # ... one frame later
    "onset",  # onset strength at the frame
    "onset_share",  # ... over the window's strongest
    "rise_db",  # level two frames later minus now
    "step_db",  # level now minus one frame earlier
    "below_top_db",  # the window's loudest level minus the frame's
    "confidence",
    "pitch_off_cents",  # the frame's pitch from the note's (capped at 200)
    "prev_pitch_off_cents",  # ... from the previous note's (200 when none)
    "voiced",
    "in_prev",  # the frame lies inside the previous note
    "gap_s",  # silence between the previous note and this onset (capped at 0.5 s)
    "duration_s",  # the note's length (capped at 2 s)
    "own_rise_db",  # level at the note's own harmonics two frames later minus now (0 without it)
    "own_below_db",  # the window's loudest level at those harmonics minus the frame's (0 without it)
    "room_rt60_s",  # the room's reverberation time read from the recording (0: none read)
)

#: ``own_level(times_s, note, prev)``: the level (dB) at ``note``'s harmonics that ``prev``'s
#: do not share, at each time, or ``None`` (see :func:`transcribe.features.harmonic_levels_db`).
#: Under a hall the previous note's ring hides the new pitch from the tracker for 80-130 ms;
#: the new note's own partials rise where it starts.
OwnLevel = Callable[[np.ndarray, Note, Note | None], np.ndarray | None]


#: What the onset shift sees: the chosen frame's :data:`FEATURES`, then the
#: network's probabilities at it and around it, and where it lies in the window.
SHIFT_FEATURES: tuple[str, ...] = (
    *FEATURES,
    "prob",  # probability at the chosen frame
    "prob_before",  # ... one frame earlier
    "prob_before2",  # ... two frames earlier
    "prob_before3",  # ... three frames earlier
    "prob_after",  # ... one frame later
    "position",  # the chosen frame's index over the number of candidate frames (0 = earliest)
)
#: ``level(times_s)``: the level (dB) of :data:`FINE_WIN_S` of audio centred on each time.
FineLevel = Callable[[np.ndarray], np.ndarray]
#: The abrupt-rise search: the level's window, the step between windows and the span a
#: rise is measured over (seconds), and how far before the onset the search starts.
FINE_WIN_S, FINE_HOP_S, FINE_SPAN_S, FINE_BEFORE_S = 0.004, 0.002, 0.008, 0.004

#: The onset shift's range (seconds): earlier, later.
MAX_EARLIER_S, MAX_LATER_S = 0.05, 0.016
#: Standardised shift features are clipped here before squaring (outliers do not swing the shift).
MAX_Z = 4.0


def _search_window_s(note: Note, prev: Note | None, *, before_s: float, after_s: float, min_note_s: float) -> tuple[float, float]:
    """Where ``note``'s onset may move: from ``before_s`` before it to ``after_s`` after it
    (seconds), never before the recording's start, leaving this note and ``prev`` at least
    ``min_note_s`` each; empty when the first bound is not under the second."""
    lo_s = max(note.onset_s - before_s, 0.0)
    if prev is not None:
        lo_s = max(lo_s, prev.onset_s + min_note_s)
    return lo_s, min(note.onset_s + after_s, note.offset_s - min_note_s)


def onset_features(
    note: Note, prev: Note | None, frames: FrameArrays, *, min_note_s: float, own_level: OwnLevel | None = None, rt60_s: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate onset frames of one note and their features.

    Args:
        note: The note.
        prev: The note before it, ``None`` for the first.
        frames: The recording's per-frame arrays.
        min_note_s: Both this note and the previous keep at least this length (seconds).
        own_level: The level at a note's own harmonics (:data:`OwnLevel`); without it (or
            where it gives ``None``) the two features on it are 0.
        rt60_s: The room's reverberation time (seconds, :func:`transcribe.dereverb.estimate_rt60_s`;
            0 where none was read): under a long ring the new pitch takes over later after
            its attack.

    Returns:
        ``(frames, features)``: track frame indices, shape (k,), and features, shape
        (k, len(FEATURES)).
    """
    times = frames.times_s
    lo_s, hi_s = _search_window_s(note, prev, before_s=BEFORE_S, after_s=AFTER_S, min_note_s=min_note_s)
    lo, hi = int(np.searchsorted(times, lo_s, side="left")), int(np.searchsorted(times, hi_s, side="right"))
    if hi - lo < 2:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))
    n = len(times)
    j = np.arange(lo, hi)
    loud, midi = frames.loudness_db, frames.midi

    def at(x: np.ndarray, k: np.ndarray) -> np.ndarray:
        return x[np.clip(k, 0, n - 1)]

    def strength(x: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.minimum(at(x, k), MAX_STRENGTH)

    att_j, on_j = strength(frames.attack, j), strength(frames.onset, j)

    def cents(ref: float) -> np.ndarray:
        m = midi[j]
        return np.where(np.isfinite(m), np.minimum(np.abs(m - ref) * 100.0, 200.0), 200.0)

    top_att, top_on = max(float(att_j.max()), 1e-3), max(float(on_j.max()), 1e-3)
    gap = 0.5 if prev is None else float(np.clip(note.onset_s - prev.offset_s, 0.0, 0.5))
    own_rise, own_below = np.zeros(len(j)), np.zeros(len(j))
    own = None if own_level is None else own_level(times[np.clip(np.arange(lo, hi + 2), 0, n - 1)], note, prev)
    if own is not None:
        own_rise = np.clip(own[2:] - own[:-2], -MAX_DB, MAX_DB)
        own_below = np.minimum(float(own.max()) - own[:-2], MAX_DB)
    rows = np.column_stack(
        [
            times[j] - note.onset_s,
            att_j,
            att_j / top_att,
            strength(frames.attack, j - 1),
            strength(frames.attack, j + 1),
            on_j,
            on_j / top_on,
            np.clip(at(loud, j + 2) - loud[j], -MAX_DB, MAX_DB),
            np.clip(loud[j] - at(loud, j - 1), -MAX_DB, MAX_DB),
            np.minimum(float(loud[j].max()) - loud[j], MAX_DB),
            frames.confidence[j],
            cents(note.midi),
            cents(prev.midi) if prev is not None else np.full(len(j), 200.0),
            frames.voiced[j].astype(np.float64),
            (times[j] < prev.offset_s).astype(np.float64) if prev is not None else np.zeros(len(j)),
            np.full(len(j), gap),
            np.full(len(j), min(note.offset_s - note.onset_s, 2.0)),
            own_rise,
            own_below,
            np.full(len(j), network.rt60_input(rt60_s)),
        ]
    )
    return j, rows


def fitted_weights() -> dict[str, np.ndarray]:
    """The fitted onset network (``transcribe/models/attack.npz``, written by ``benchmarks/fit_attack.py``)."""
    return models.checked("attack", FEATURES).group("net")


def fitted_shift() -> dict[str, np.ndarray]:
    """The fitted onset shift (:func:`onset_shift_s`'s ``shift``; ``transcribe/models/attack.npz``)."""
    return models.checked("attack", SHIFT_FEATURES, key="shift_features").group("shift")


def probability(features: np.ndarray, *, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Probability that the note starts at each candidate frame, shape (k,).

    Args:
        features: Shape (k, len(FEATURES)), from :func:`onset_features`.
        weights: In :func:`transcribe.notes.network.probability`'s layout; :func:`fitted_weights` when ``None``.
    """
    return network.probability(features, fitted_weights() if weights is None else weights)


def shift_features(features: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """The onset shift's inputs for candidate ``k``, shape (len(SHIFT_FEATURES),).

    Args:
        features: Shape (n, len(FEATURES)), from :func:`onset_features`.
        p: The network's probabilities, shape (n,).
        k: The chosen candidate.
    """
    last = len(p) - 1
    around = [p[k], p[max(k - 1, 0)], p[max(k - 2, 0)], p[max(k - 3, 0)], p[min(k + 1, last)], k / len(p)]
    return np.append(features[k], around)


def onset_shift_s(x: np.ndarray, shift: dict[str, np.ndarray]) -> np.ndarray:
    """Expected error of the chosen onset frame (seconds, positive: the note starts later).

    Args:
        x: :func:`shift_features` rows, shape (m, len(SHIFT_FEATURES)) or (len(SHIFT_FEATURES),).
        shift: ``mean``, ``scale`` (standardisation), ``bias``, ``linear`` and
            ``square`` (weights of the standardised features and of their squares).

    Returns:
        Shape ``x.shape[:-1]``, clipped to ``[-MAX_EARLIER_S, MAX_LATER_S]``; 0 where ``x`` holds a NaN.
    """
    z = np.clip((x - shift["mean"]) / shift["scale"], -MAX_Z, MAX_Z)
    raw = shift["bias"] + z @ shift["linear"] + (z * z) @ shift["square"]
    # A frame described by a missing value keeps its time rather than move by NaN.
    return np.clip(np.nan_to_num(raw, nan=0.0), -MAX_EARLIER_S, MAX_LATER_S)


def refine_onsets(
    notes: tuple[Note, ...],
    frames: FrameArrays,
    *,
    min_note_s: float,
    min_prob: float = 0.3,
    weights: dict[str, np.ndarray] | None = None,
    shift: dict[str, np.ndarray] | None = None,
    own_level: OwnLevel | None = None,
    rt60_s: float = 0.0,
) -> tuple[Note, ...]:
    """Move each note's onset to the frame the network finds likeliest, then by the
    expected error of that frame (:func:`onset_shift_s`).

    A note moves only where that frame's probability reaches ``min_prob``; a
    previous note that would overlap the moved onset ends there.

    Args:
        notes: Notes in time order, not overlapping.
        frames: The recording's per-frame arrays (the notes' pitch track, onset and attack
            strength, voicing).
        min_note_s: Notes keep at least this length (seconds).
        min_prob: Weakest probability that moves an onset.
        weights: Network weights; :func:`fitted_weights` when ``None``.
        shift: Onset shift weights (see :func:`onset_shift_s`); :func:`fitted_shift` when ``None``.
        own_level: The level at a note's own harmonics (:data:`OwnLevel`), or ``None``.
        rt60_s: The room's reverberation time (seconds; 0 where none was read).

    Returns:
        The notes with some onsets moved (and previous offsets cut to them).
    """
    weights = fitted_weights() if weights is None else weights
    shift = fitted_shift() if shift is None else shift
    out: list[Note] = []
    for note in notes:
        prev = out[-1] if out else None
        starts, feats = onset_features(note, prev, frames, min_note_s=min_note_s, own_level=own_level, rt60_s=rt60_s)
        if len(starts):
            p = probability(feats, weights=weights)
            k = int(np.argmax(p))
            if p[k] >= min_prob:
                frame_s = float(frames.times_s[starts[k]])
                moved = float(onset_shift_s(shift_features(feats, p, k), shift))
                # The shift leaves both notes their shortest length (the chosen frame already does).
                earliest = min(prev.onset_s + min_note_s, frame_s) if prev is not None else 0.0
                latest = max(frame_s, note.offset_s - min_note_s)
                new_on = min(max(frame_s + moved, earliest), latest)
                if prev is not None and prev.offset_s > new_on:
                    out[-1] = replace(prev, offset_s=new_on)
                note = replace(note, onset_s=new_on)
        out.append(note)
    return tuple(out)


def onsets_at_abrupt_rises(
    notes: tuple[Note, ...], level: FineLevel, *, min_note_s: float, rise_db: float, search_s: float
) -> tuple[Note, ...]:
    """Move each onset that lies in the quiet before an abrupt attack to where the attack starts.

    From :data:`FINE_BEFORE_S` before a note's onset to ``search_s`` after it, the level
    is read in :data:`FINE_WIN_S` windows every :data:`FINE_HOP_S`; where the steepest
    rise over :data:`FINE_SPAN_S` reaches ``rise_db``, the onset moves to the start of the
    last quiet window before it (a rendered note-on lies a few ms before its sound).
    A slow swell, a legato change or a note under a room's ring has no such rise and
    keeps its onset.

    Args:
        notes: Notes in time order, not overlapping.
        level: :data:`FineLevel` of the recording.
        min_note_s: This note and the previous keep at least this length (seconds).
        rise_db: The rise (dB over :data:`FINE_SPAN_S`) that marks an abrupt attack.
        search_s: How far after the onset the rise is looked for (seconds).

    Returns:
        The notes, some onsets moved (a previous note that would overlap ends there).
    """
    out = list(notes)
    span = int(round(FINE_SPAN_S / FINE_HOP_S))
    for i, note in enumerate(out):
        prev = out[i - 1] if i else None
        lo_s, hi_s = _search_window_s(note, prev, before_s=FINE_BEFORE_S, after_s=search_s, min_note_s=min_note_s)
        if hi_s <= lo_s:
            continue
        starts = np.arange(lo_s, hi_s + FINE_SPAN_S, FINE_HOP_S)
        if len(starts) <= span:
            continue
        level_db = level(starts + FINE_WIN_S / 2)
        rise = level_db[span:] - level_db[:-span]
        j = int(np.argmax(rise))
        if rise[j] < rise_db:
            continue
        new_on = float(starts[j])
        if prev is not None and prev.offset_s > new_on:
            out[i - 1] = replace(prev, offset_s=new_on)
        out[i] = replace(note, onset_s=new_on)
    return tuple(out)
