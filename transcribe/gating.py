"""Confidence gating: which frames carry a sung or played pitch, and which are rests."""

from __future__ import annotations

import numpy as np

from .types import PitchTrack
from .units import midi_to_hz

#: Frames below this absolute level (dBFS) are silence whatever else holds.
SILENCE_DB = -65.0


def voiced_mask(
    track: PitchTrack, *, confidence: float, loudness_floor_db: float, max_gap_s: float = 0.0, hysteresis: float = 1.0
) -> np.ndarray:
    """Decide per frame whether it is voiced.

    A frame is voiced when the backend is at least ``confidence`` sure of its
    pitch, and it is no more than ``loudness_floor_db`` below the recording's
    loud level (the 95th percentile of confident frames) nor below
    :data:`SILENCE_DB`. Unvoiced runs of at most ``max_gap_s`` between two
    voiced frames within a semitone of each other are bridged, so one dropped
    frame does not split a note.

    Args:
        track: The pitch track.
        confidence: Threshold in [0, 1].
        loudness_floor_db: Allowed distance below the loud level, in dB.
        max_gap_s: Longest gap that is bridged, in seconds.
        hysteresis: Share of ``confidence`` down to which frames stay voiced
            inside a run that reaches ``confidence``; 1 turns this off.

    Returns:
        Boolean mask, shape (len(track),).
    """
    n = len(track)
    if n == 0:
        return np.zeros(0, dtype=bool)
    has_pitch = np.isfinite(track.f0_hz)
    sure = has_pitch & (track.confidence >= confidence)
    loud = track.loudness_db
    ref = float(np.percentile(loud[sure], 95)) if sure.any() else float(np.max(loud))
    audible = loud >= max(ref - loudness_floor_db, SILENCE_DB)
    mask = sure & audible
    if hysteresis < 1.0:
        # Hysteresis: frames down to hysteresis * confidence count when they
        # continue a run that reaches the full threshold somewhere (a note
        # under the ring of the previous one), never on their own (noise).
        weak = has_pitch & (track.confidence >= hysteresis * confidence) & audible
        run_id = np.cumsum(np.diff(weak.astype(np.int8), prepend=0) == 1) * weak
        keep = np.zeros(int(run_id.max()) + 1, dtype=bool)
        keep[run_id[mask]] = True
        keep[0] = False
        mask = mask | keep[run_id]
    return bridge_gaps(track, mask, max_gap_s=max_gap_s)


def bridge_gaps(track: PitchTrack, mask: np.ndarray, *, max_gap_s: float) -> np.ndarray:
    """Fill unvoiced runs of at most ``max_gap_s`` between voiced frames within
    a semitone of each other (a new mask; ``mask`` is not changed)."""
    hop = track.hop_s
    max_gap = int(round(max_gap_s / hop)) if hop > 0 else 0
    if max_gap <= 0 or not mask.any():
        return mask.copy()
    midi = track.midi
    out = mask.copy()
    edges = np.flatnonzero(np.diff(mask.astype(np.int8)))
    # Runs of False strictly inside: starts after a True->False edge, ends at a False->True edge.
    falls = edges[~mask[edges + 1]] + 1
    rises = edges[mask[edges + 1]] + 1
    for start in falls:
        later = rises[rises > start]
        if not len(later):
            break
        end = later[0]
        if end - start <= max_gap and abs(midi[start - 1] - midi[end]) < 1.0:
            out[start:end] = True
    return out


def gate(track: PitchTrack, mask: np.ndarray) -> PitchTrack:
    """The track with f0 set to NaN where ``mask`` is False; bridged frames
    without a pitch get the pitch interpolated from their neighbours."""
    midi = track.midi
    voiced_with_pitch = mask & np.isfinite(midi)
    f0 = np.full(len(track), np.nan)
    if voiced_with_pitch.any():
        idx = np.arange(len(track))
        filled = np.interp(idx, idx[voiced_with_pitch], midi[voiced_with_pitch])
        f0[mask] = midi_to_hz(filled[mask])
    return PitchTrack(track.times_s, f0, track.confidence, track.loudness_db, track.backend)
