"""Pitches beyond a backend's range, read from the audio moved an octave into it.

SwiftF0 is searched from 50 Hz to 2 kHz (its model ends at 46.9 Hz and 2.09 kHz), which leaves
out a bass guitar's or double bass's lowest notes (E1, 41 Hz, to G1) and a whistled tune, a
piccolo or a violin's top notes (2-4 kHz). Where a recording may hold such a pitch, the backend
reads it a second time on the audio moved an octave: upsampled two times and read at the
backend's own rate, every frequency is halved; taken every other sample (after a low-pass),
doubled. A backend names the range it is searched over directly as ``BOTTOM_HZ`` and ``TOP_HZ``;
one that names none (pYIN, SPICE) is searched over the whole range asked for.

Where nothing lies beyond the range (a voice, a flute's and a cello's usual notes, every
benchmark set), no frame is read twice and the track is the first reading's.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from ..audio.samples import resample
from ..features import share_above
from ..types import Audio, PitchTrack

#: The edges: a frame may hold a pitch beyond the range if the first reading is not sure of one
#: inside ``EDGE_SHARE x TOP_HZ`` and ``BOTTOM_HZ / EDGE_SHARE`` (near its ends a model reads
#: 10-40 cents off, and at the very end with confidence 0: SwiftF0 asked for up to 2 kHz reads a
#: tone at 1.95 kHz at 0.99, at 1.98 kHz at 0), and it takes a reading beyond them.
EDGE_SHARE = 0.95
#: Sure: a first reading this confident inside the edges stands.
SURE = 0.9
#: A second reading beyond the edges is taken this confident (SwiftF0's voicing threshold; hiss
#: 20 dB under a melody, tests/golden's noisy jig, reads above 2 kHz at 0.4 at most; GM whistles
#: and MuseScore's piccolo read their top notes an octave down at 0.6-0.9).
TAKE = 0.7
#: Above the top edge, a second reading a whole number of times (4 and more, within 50 cents)
#: a first one at least this confident is that tone's harmonic, not a higher tone: a clarinet's
#: A4 read at 0.7-0.8 as the next note starts in a hall, its fifth harmonic at 2.2 kHz holding
#: 90 % of the power a moment (rendered hall check r002), is left as it was. (Two and three
#: times are taken: the model reads a piccolo's or a whistle's top notes an octave or a twelfth
#: low at up to 0.56.)
HARMONIC_OF = 0.5
#: Loud: at most this far (dB) under the recording's loud level (its 99th-percentile frame);
#: the hiss of a silence lies mostly above 2 kHz too.
LEVEL_DB = 30.0
#: Above the top edge, a frame is looked at again where at least this share of its power lies
#: above the edge (a whistle: 0.99 and more; a clarinet's A#4 with its fifth harmonic ringing
#: as the next note starts in a hall: up to 0.8).
ABOVE_POWER_SHARE = 0.9
#: Below the bottom edge, only where the frame is at most this far (dB) under the loud level: a
#: bass line is the main sound of its recording (its low notes 2-15 dB under it on four
#: soundfonts, 5th to 50th percentile), while mains hum or a voice's fry at the end of a sung take
#: lie 20-30 dB under and read near 50 Hz at 0.7-0.8 (ssvd-dev 1079, 1189, 1208, 1213, 1217, 1221).
BELOW_LEVEL_DB = 18.0
#: Below the bottom edge, where at least this share lies under four times the edge, 210 Hz (a
#: double bass's or bass guitar's low E, 41 Hz: 0.67-0.99 over four soundfonts, though under
#: 105 Hz only 0.25-0.4 for some).
BELOW_POWER_SHARE = 0.5
#: A second reading is taken only in runs of this many frames or more (80 ms: a note is 70 ms
#: at the least); a frame or two of a bright tone's harmonic, read as the note changes in a hall,
#: would cut its note (a clarinet's fifth: 1-4 frames; a violin's sixth: 1-2).
MIN_RUN_FRAMES = 5
#: Frames read a second time either side of each such stretch (the backend's context; they
#: keep their first reading).
PAD_FRAMES = 16


def read_beyond(module: ModuleType, audio: Audio, first: PitchTrack, *, fmin_hz: float, fmax_hz: float, **options: Any) -> PitchTrack:
    """``first`` with the frames that hold a pitch beyond ``module``'s range read an octave away.

    Args:
        module: The backend (frames every ``hop`` samples, centred on sample ``hop * i``; its
            ``BOTTOM_HZ`` and ``TOP_HZ``, where it has them, the range ``first`` was read over).
        audio: The audio ``first`` was read from, at the backend's rate.
        first: The backend's reading over its range.
        fmin_hz: The lowest pitch searched.
        fmax_hz: The highest pitch searched.
        **options: The backend's own options.

    Returns:
        The track: frames beyond the edges (see :data:`EDGE_SHARE`) where the recording is loud
        (:data:`LEVEL_DB`; below, :data:`BELOW_LEVEL_DB`), its power lies there (:data:`ABOVE_POWER_SHARE`,
        :data:`BELOW_POWER_SHARE`) and the first reading is not sure (:data:`SURE`) of a pitch
        inside them take the second reading where it is :data:`TAKE` sure and beyond the edge
        (above, not a harmonic of a first reading, :data:`HARMONIC_OF`), in runs of
        :data:`MIN_RUN_FRAMES` or more.
    """
    top_hz, bottom_hz = getattr(module, "TOP_HZ", None), getattr(module, "BOTTOM_HZ", None)
    wants_above = top_hz is not None and fmax_hz > top_hz
    wants_below = bottom_hz is not None and fmin_hz < bottom_hz
    if len(first) < 2 or not (wants_above or wants_below):
        return first
    f0, conf = first.f0_hz.copy(), first.confidence.copy()
    under_loud_db = np.percentile(first.loudness_db, 99) - first.loudness_db  # under the loud level
    loud = under_loud_db <= LEVEL_DB
    hop = int(round((first.times_s[1] - first.times_s[0]) * audio.sr))
    if wants_above:
        edge_hz = EDGE_SHARE * top_hz
        maybe = loud & ~((first.confidence >= SURE) & (np.nan_to_num(first.f0_hz, nan=np.inf) < edge_hz))
        if maybe.any():
            maybe &= share_above(audio.samples, audio.sr, first.times_s, edge_hz=edge_hz) >= ABOVE_POWER_SHARE
        for start, end in _padded_runs(maybe, PAD_FRAMES):
            stretch = Audio(audio.samples[start * hop : end * hop], audio.sr)
            f0_at, conf_at = _read_octave_down(module, stretch, end - start, fmin_hz=fmin_hz, fmax_hz=fmax_hz, **options)
            harmonic = _harmonic(f0_at, f0[start : start + len(f0_at)], conf[start : start + len(f0_at)])
            _take(f0, conf, maybe, start, f0_at, conf_at, beyond=(np.nan_to_num(f0_at) > edge_hz) & ~harmonic)
    if wants_below:
        edge_hz = bottom_hz / EDGE_SHARE
        maybe = (under_loud_db <= BELOW_LEVEL_DB) & ~((first.confidence >= SURE) & (np.nan_to_num(first.f0_hz) > edge_hz))
        if maybe.any():
            maybe &= share_above(audio.samples, audio.sr, first.times_s, edge_hz=4.0 * edge_hz) <= 1.0 - BELOW_POWER_SHARE
        for start, end in _padded_runs(maybe, PAD_FRAMES):
            stretch = Audio(audio.samples[start * hop : end * hop], audio.sr)
            f0_at, conf_at = _read_octave_up(module, stretch, end - start, fmin_hz=fmin_hz, fmax_hz=fmax_hz, **options)
            _take(f0, conf, maybe, start, f0_at, conf_at, beyond=(np.nan_to_num(f0_at, nan=np.inf) < edge_hz) & (f0_at >= fmin_hz))
    return PitchTrack(first.times_s, f0, conf, first.loudness_db, first.backend)


def _read_octave_down(
    module: ModuleType, stretch: Audio, n_frames: int, *, fmin_hz: float, fmax_hz: float, **options: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Pitch (Hz) and confidence of the ``n_frames`` frames of ``stretch``, read on it upsampled
    two times at the backend's rate (every frequency halved), each shape (n_frames,) at most.

    Frame i of the slowed reading is centred on sample hop * i / 2 of the stretch: every other
    one is a frame of the first reading."""
    up = resample(stretch.samples, stretch.sr, 2 * stretch.sr)
    _, f0_half, conf_half = frames_of(module, up, fmin_hz=fmin_hz / 2, fmax_hz=fmax_hz / 2, **options)
    return 2.0 * f0_half[::2][:n_frames], conf_half[::2][:n_frames]


def _read_octave_up(
    module: ModuleType, stretch: Audio, n_frames: int, *, fmin_hz: float, fmax_hz: float, **options: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Pitch (Hz) and confidence of the ``n_frames`` frames of ``stretch``, read on every other
    sample of it (after a low-pass) at the backend's rate (every frequency doubled), each shape
    (n_frames,), or empty for a stretch too short to read.

    Frame i of the hastened reading is centred on sample 2 hop i of the stretch: each frame of
    the first reading takes the nearest."""
    down = resample(stretch.samples, stretch.sr, stretch.sr // 2)
    _, f0_twice, conf_twice = frames_of(module, down, fmin_hz=2.0 * fmin_hz, fmax_hz=2.0 * fmax_hz, **options)
    if len(f0_twice) == 0:
        return np.zeros(0), np.zeros(0)
    nearest = np.minimum((np.arange(n_frames) + 1) // 2, len(f0_twice) - 1)
    return f0_twice[nearest] / 2.0, conf_twice[nearest]


def frames_of(module: ModuleType, samples: np.ndarray, *, fmin_hz: float, fmax_hz: float, **options: Any) -> tuple[np.ndarray, ...]:
    """A backend's frames of ``samples`` (read at its own rate) as float arrays: times (s), f0
    (Hz; NaN for no pitch: 0, NaN or inf) and confidence (in [0, 1]), each shape (n,)."""
    times, f0, conf = module.estimate(samples, fmin_hz=fmin_hz, fmax_hz=fmax_hz, **options)
    f0 = np.asarray(f0, dtype=np.float64)
    conf = np.clip(np.nan_to_num(np.asarray(conf, dtype=np.float64), nan=0.0), 0.0, 1.0)
    return np.asarray(times, dtype=np.float64), np.where((f0 > 0) & np.isfinite(f0), f0, np.nan), conf


def _take(
    f0: np.ndarray, conf: np.ndarray, maybe: np.ndarray, start: int, f0_at: np.ndarray, conf_at: np.ndarray, *, beyond: np.ndarray
) -> None:
    """Frames ``start...`` that may hold a pitch beyond the range take the second reading
    (``f0_at``, ``conf_at``) where it is ``beyond`` the edge and :data:`TAKE` sure, for
    :data:`MIN_RUN_FRAMES` frames in a row or more (in place)."""
    at = np.arange(start, start + len(f0_at))
    take = maybe[at] & beyond & (conf_at >= TAKE)
    for a, b in _padded_runs(take, 0):
        if b - a < MIN_RUN_FRAMES:
            take[a:b] = False
    f0[at[take]], conf[at[take]] = f0_at[take], conf_at[take]


def _harmonic(f0_hz: np.ndarray, first_hz: np.ndarray, first_conf: np.ndarray) -> np.ndarray:
    """Whether each ``f0_hz`` is a harmonic (4th and up, within 50 cents) of a first reading
    :data:`HARMONIC_OF` confident, shape (n,) bool."""
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.round(f0_hz / first_hz)
        off_cents = 1200.0 * np.abs(np.log2(f0_hz / (k * first_hz)))
    return (first_conf >= HARMONIC_OF) & (k >= 4) & (off_cents < 50.0)


def _padded_runs(mask: np.ndarray, pad: int) -> list[tuple[int, int]]:
    """The runs of ``mask`` (start, end frame), each widened by ``pad`` frames either side within
    the mask's length, overlapping ones joined."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    runs: list[tuple[int, int]] = []
    for a, b in zip(edges[::2], edges[1::2]):
        a, b = max(0, int(a) - pad), min(len(mask), int(b) + pad)
        if runs and a <= runs[-1][1]:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs
