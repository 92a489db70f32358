"""Re-attacks inside a held pitch: is this loudness dip or onset a new note?

A repeated note leaves the pitch track unchanged; only the level and the
spectrum show it. A re-bowed or re-tongued note dips and comes back with an
onset, a struck one rises out of its decay, while a choir's beating or a
vibrato dips just as deep with no new note. No single threshold separates them
(the rules this replaced split 0.70 of their picks right and found 0.58 of the
repeats on the rendered set), so a small network weighs the evidence. Its
weights are fitted by ``python -m benchmarks.fit_reattack`` on rendered sets the
benchmark does not score.

Every candidate is a frame of one note's run: a local loudness minimum at least
:data:`MIN_DIP_DB` below both sides, or an onset-strength peak away from any such
minimum. :func:`run_candidates` describes each one with :data:`FEATURES`, and
:func:`probability` scores them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import features, models
from ..types import FrameArrays
from . import network

#: Shallowest loudness dip (dB below the louder parts on both sides) that is a candidate.
MIN_DIP_DB = 2.0
#: Weakest onset-strength peak (95th percentile = 1) that is a candidate.
MIN_ONSET_PEAK = 0.2
#: An onset-strength peak on a held level that falls this much (dB) within
#: :data:`RELEASE_FRAMES` frames is the note's release (its spectrum changes as it stops), not
#: a new note's attack, and is no candidate (:func:`releases`).
RELEASE_FALL_DB = 6.0
RELEASE_FRAMES = 3
#: Most the level may have risen (dB) over the frames before a release: it is held there.
RELEASE_HELD_DB = 3.0
#: Frames either side of a dip over which its depth is measured.
SIDE_FRAMES = 12
#: Frames before / after the low point where the new note's onset may show.
WINDOW_BEFORE, WINDOW_AFTER = 3, 5
#: Position features are clipped here (seconds): longer notes look alike.
MAX_POSITION_S = 2.0
#: Onset strengths are clipped here: a stronger onset is no more of a re-attack, and a clean
#: synthetic note's onset (10 and more) must not take the network far outside its training.
MAX_ONSET = 3.0
#: Loudness differences are clipped here (dB), for the same reason.
MAX_DB = 30.0
#: Positions measured in the recording's own note spacing are clipped here: a split four
#: notes from either end of its run looks like one forty notes away.
MAX_POSITION_NOTES = 4.0
#: The note spacing taken when the recording gives none (fewer than three runs), seconds.
DEFAULT_NOTE_SPACING_S = 0.3

#: The last columns of :data:`FEATURES`, what :func:`band_rises` gives: how the spectrum rises
#: at the split, band by band (:data:`BAND_EDGES_HZ`): the level over the split's first three
#: frames minus, in turn, the held note's median (frames 12 to 4 before the split: held) and the
#: three frames before it (prev); each as its mean over the low, middle and high third of the
#: bands and the share of bands rising 3 dB or more.
BAND_FEATURES: tuple[str, ...] = tuple(
    f"bands_{ref}_{part}" for ref in ("held", "prev") for part in ("low_db", "mid_db", "high_db", "share")
)

FEATURES: tuple[str, ...] = (
    "depth_db",  # the dip below the lower of the two sides
    "drop_db",  # below the level before it
    "rise_db",  # below the level after it
    "onset",  # strongest onset strength around the low point
    "attack",  # strongest short-window onset strength there
    "slope_db",  # rise over the three frames after the low point
    "dips_per_s",  # dips of 3 dB and more per second in this note (beating, tremolo)
    "onset_above_note",  # onset minus the note's median onset strength
    "pitch_step_cents",  # pitch after minus before the dip (absolute, capped at 100)
    "confidence_min",  # lowest tracker confidence around the low point
    "unvoiced",  # a frame around the low point is unvoiced
    "below_peak_db",  # the low point below the note's loudest frame
    "since_start_s",  # from the note's start to the split
    "to_end_s",  # from the split to the note's end
    "is_dip",  # 1 for a loudness dip, 0 for a bare onset peak
    "note_onset",  # the note's median onset strength
    "depth_capped_db",  # depth, capped at 15 dB
    "depth_x_onset",  # depth times onset
    "log_onset",
    "log_attack",
    "fall_db",  # fall over the three frames before the low point (a beat falls as fast as it rises)
    "rise_1_db",  # rise over the first frame after the low point (an attack is sudden)
    "between_rise_db",  # rise of the level between the harmonics at the split over the note before it
    "ratio_rise_db",  # the same for that level relative to the level at the harmonics
    "since_start_notes",  # since_start_s in the recording's note spacing (a repeat is about a note in)
    "to_end_notes",  # to_end_s in the same unit
    "run_notes",  # the whole run's length in the same unit (a run of many notes' length hides repeats)
    "room_rt60_s",  # the room's reverberation time read from the recording (0: none read)
    *BAND_FEATURES,
)

#: Band edges (Hz) of the spectrum's rise at a split: 24 bands, even in log frequency from 60 Hz
#: to 7.5 kHz. A new note's attack lifts the bands across the spectrum; under a long ring a
#: re-tongued or re-bowed repeat shows there more than in the level, filled by the ring.
BAND_EDGES_HZ: tuple[float, ...] = tuple(float(f) for f in np.geomspace(60.0, 7500.0, 25))
#: A band rising this much (dB) counts towards the share.
BAND_RISE_DB = 3.0

#: Frames around the split where an attack's broadband burst shows, and the stretch before it
#: (frames back from the split) whose median is the held note's own level.
BURST_BEFORE, BURST_AFTER = 3, 4
HELD_FROM, HELD_TO = 12, 4


@dataclass(frozen=True, eq=False)
class Recording:
    """What the re-attack network reads of the whole recording, beside a run's own frames.

    Attributes:
        hop_s: Frame hop (seconds).
        partials: Level at the pitch's harmonics and between them (dB) per frame of the whole
            track, each shape (n,), from :func:`transcribe.features.partials_db`; ``None`` gives
            their features 0 (no burst).
        note_spacing_s: The recording's typical time from one note to the next (seconds;
            :func:`typical_spacing_s`), the unit of the ``*_notes`` features: a held run
            several notes long in a recording of short notes is where repeats hide.
            ``None``: :data:`DEFAULT_NOTE_SPACING_S`.
        rt60_s: The room's reverberation time (seconds, :func:`transcribe.dereverb.estimate_rt60_s`;
            0 where none was read): in a long ring a dip between two notes of one pitch is
            shallower, and the next, different note's rise under the old one's ring looks
            like a re-attack of it.
        bands_db: Level (dB) in the bands of :data:`BAND_EDGES_HZ` per frame of the whole track,
            shape (n, len(BAND_EDGES_HZ) - 1), from :func:`transcribe.features.band_levels_db`;
            ``None`` gives the ``bands_*`` features 0.
    """

    hop_s: float
    partials: tuple[np.ndarray, np.ndarray] | None = None
    note_spacing_s: float | None = None
    rt60_s: float = 0.0
    bands_db: np.ndarray | None = None


def run_candidates(run: FrameArrays, recording: Recording, *, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Candidate re-attacks in one note's frames and their features.

    Args:
        run: The note's frames (:meth:`transcribe.types.FrameArrays.window`): its loudness (dB),
            onset and short-window onset (attack) strengths, pitch (fractional MIDI, NaN where
            unvoiced), tracker confidence and voicing, each shape (n,).
        recording: What the network reads of the whole recording.
        start: The run's first frame in the recording (where its frames of
            ``recording.partials`` begin).

    Returns:
        ``(split, features)``: the frame (index into the note) where the new note
        would start, shape (k,), and the features, shape (k, len(FEATURES)).
    """
    loud_db, onset, attack, midi, confidence, voiced = run.loudness_db, run.onset, run.attack, run.midi, run.confidence, run.voiced
    hop_s, note_spacing_s, partials = recording.hop_s, recording.note_spacing_s, recording.partials
    if partials is not None:
        partials = (partials[0][start : start + len(loud_db)], partials[1][start : start + len(loud_db)])
    n = len(loud_db)
    if n < 4:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))
    loud = np.asarray(loud_db, dtype=np.float64)
    on = np.minimum(np.asarray(onset, dtype=np.float64), MAX_ONSET)
    att = np.minimum(np.asarray(attack, dtype=np.float64), MAX_ONSET)
    drop, rise, dips = _level_dips(loud)
    dips_per_s = float(np.count_nonzero(np.minimum(drop[dips], rise[dips]) >= 3.0)) / (n * hop_s)
    lows, splits, dip_flag = _candidates(loud, on, dips)
    if not lows:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))

    note_onset = float(np.median(on))
    peak = float(loud.max())
    unit = hop_s / (note_spacing_s if note_spacing_s is not None and note_spacing_s > 0 else DEFAULT_NOTE_SPACING_S)
    vm = np.where(voiced, midi, np.nan)
    if partials is not None:
        between = np.asarray(partials[1], dtype=np.float64)
        ratio = between - np.asarray(partials[0], dtype=np.float64)
    room = network.rt60_input(recording.rt60_s)
    bands = band_rises(recording.bands_db, start + np.asarray(splits, dtype=int))
    rows = []
    for d, s, is_dip in zip(lows, splits, dip_flag):
        w0, w1 = max(0, d - WINDOW_BEFORE), d + WINDOW_AFTER
        before, after = vm[max(0, d - 9) : max(d - 1, 0)], vm[d + 2 : d + 10]
        before, after = before[np.isfinite(before)], after[np.isfinite(after)]
        step = min(abs(float(np.median(after) - np.median(before))) * 100.0, 100.0) if len(before) and len(after) else 0.0
        depth = float(min(drop[d], rise[d])) if is_dip else 0.0
        on_max, att_max = float(on[w0:w1].max()), float(att[w0:w1].max())
        between_rise = ratio_rise = 0.0
        if partials is not None:
            burst, held = slice(max(0, s - BURST_BEFORE), s + BURST_AFTER), slice(max(0, s - HELD_FROM), max(1, s - HELD_TO))
            between_rise = float(np.clip(between[burst].max() - np.median(between[held]), -MAX_DB, MAX_DB))
            ratio_rise = float(np.clip(ratio[burst].max() - np.median(ratio[held]), -MAX_DB, MAX_DB))
        rows.append(
            (
                depth,
                float(drop[d]) if is_dip else 0.0,
                float(rise[d]) if is_dip else 0.0,
                on_max,
                att_max,
                min(float(loud[d + 1 : d + 4].max() - loud[d]), MAX_DB) if d + 1 < n else 0.0,
                dips_per_s,
                on_max - note_onset,
                step,
                float(confidence[w0:w1].min()),
                float(not np.all(voiced[w0:w1])),
                min(peak - float(loud[d]), MAX_DB),
                min(s * hop_s, MAX_POSITION_S),
                min((n - s) * hop_s, MAX_POSITION_S),
                is_dip,
                note_onset,
                min(depth, 15.0),
                depth * on_max,
                float(np.log(on_max + 0.05)),
                float(np.log(att_max + 0.05)),
                min(float(loud[max(0, d - 3) : d].max() - loud[d]), MAX_DB) if d > 0 else 0.0,
                min(float(loud[d + 1] - loud[d]), MAX_DB) if d + 1 < n else 0.0,
                between_rise,
                ratio_rise,
                min(s * unit, MAX_POSITION_NOTES),
                min((n - s) * unit, MAX_POSITION_NOTES),
                min(n * unit, 2.0 * MAX_POSITION_NOTES),
                room,
            )
        )
    return np.asarray(splits, dtype=int), np.hstack([np.asarray(rows, dtype=np.float64), bands])


def band_rises(bands_db: np.ndarray | None, at: np.ndarray) -> np.ndarray:
    """The :data:`BAND_FEATURES` at the track frames ``at`` (where new notes would start), shape
    (len(at), len(BAND_FEATURES)); zeros where ``bands_db`` (shape (n, b)) is ``None``.
    Frames past the track's ends read its first or last frame."""
    if bands_db is None or not len(at):
        return np.zeros((len(at), len(BAND_FEATURES)))
    level = np.asarray(bands_db, dtype=np.float64)
    last = len(level) - 1

    def frames(offsets: range) -> np.ndarray:  # shape (len(offsets), len(at), b)
        return np.stack([level[np.clip(at + d, 0, last)] for d in offsets])

    after = frames(range(0, 3)).mean(axis=0)
    refs = (np.median(frames(range(-12, -3)), axis=0), frames(range(-3, 0)).mean(axis=0))
    thirds = np.array_split(np.arange(level.shape[1]), 3)
    cols = []
    for ref in refs:
        rise = np.clip(after - ref, -MAX_DB, MAX_DB)
        cols += [rise[:, part].mean(axis=1) for part in thirds]
        cols.append((rise >= BAND_RISE_DB).mean(axis=1))
    return np.column_stack(cols)


def _level_dips(loud: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A run's level (dB, shape (n,)) below the loudest of the :data:`SIDE_FRAMES` frames before
    each frame (``drop``) and after it (``rise``), both clipped at :data:`MAX_DB`, and its dips: the
    local minima at least :data:`MIN_DIP_DB` below both sides (frame indices)."""
    before, after = features.below_sides_db(loud, SIDE_FRAMES)
    drop, rise = np.minimum(before, MAX_DB), np.minimum(after, MAX_DB)
    idx = np.arange(1, len(loud) - 1)
    is_min = (loud[idx] <= loud[idx - 1]) & (loud[idx] < loud[idx + 1])
    return drop, rise, idx[is_min & (np.minimum(drop[idx], rise[idx]) >= MIN_DIP_DB)]


def _candidates(loud: np.ndarray, on: np.ndarray, dips: np.ndarray) -> tuple[list[int], list[int], list[float]]:
    """A run's candidates from its level (dB) and clipped onset strength (each shape (n), n >= 4)
    and its dips (:func:`_level_dips`): per candidate its low point, the frame where the new note
    would start (a dip's strongest onset within four frames after it; an onset peak's own frame),
    and 1 for a dip, 0 for an onset-strength peak away from every dip (not at a release)."""
    n = len(loud)
    lows, splits, dip_flag = [], [], []
    for d in dips:
        lows.append(int(d))
        splits.append(int(d) + 1 + int(np.argmax(on[d + 1 : d + 5])))
        dip_flag.append(1.0)
    onset_peaks = np.arange(2, n - 1)
    if len(onset_peaks):
        local = np.lib.stride_tricks.sliding_window_view(np.concatenate([on, np.zeros(2)]), 5)[onset_peaks - 2]
        peaks = (on[onset_peaks] >= MIN_ONSET_PEAK) & (on[onset_peaks] >= local.max(axis=1))
        onset_peaks = onset_peaks[peaks & ~releases(loud)[onset_peaks]]
    for i in onset_peaks:
        if not len(dips) or np.abs(dips - i).min() > 3:
            lows.append(int(i))
            splits.append(int(i))
            dip_flag.append(0.0)
    return lows, splits, dip_flag


def releases(loud_db: np.ndarray) -> np.ndarray:
    """Frames where a held note lets go: the level (dB, shape (n,)) has not risen more than
    :data:`RELEASE_HELD_DB` over the last :data:`RELEASE_FRAMES` frames and falls
    :data:`RELEASE_FALL_DB` or more over the next ones (the track's first and last levels
    standing for those past its ends). The spectrum changes there as much as at an attack (a
    clarinet's release peaks the onset strength as high as a tongued repeat), but no note
    starts; a note that swells and falls at once (a synthesized choir's "ooh") rose into it
    and is no release. Shape (n,), bool."""
    loud = np.asarray(loud_db, dtype=np.float64)
    idx = np.arange(len(loud))
    ahead = loud[np.minimum(idx + RELEASE_FRAMES, len(loud) - 1)]
    behind = np.full(len(loud), np.inf)
    for k in range(1, RELEASE_FRAMES + 1):
        behind = np.minimum(behind, loud[np.maximum(idx - k, 0)])
    return (loud - ahead >= RELEASE_FALL_DB) & (loud - behind <= RELEASE_HELD_DB)


#: Frames from a point where a candidate counts as a re-attack there (:func:`candidate_near`).
NEAR_FRAMES = 4


def candidate_near(frames: FrameArrays, span_s: tuple[float, float], at_s: float) -> bool:
    """Whether the frames of ``span_s`` = (start, end) seconds, read as one note's run, hold a
    re-attack candidate (:func:`run_candidates`: a level dip or an onset peak, whatever the
    network would make of it) within :data:`NEAR_FRAMES` frames of ``at_s``."""
    a, b, at = (int(i) for i in np.searchsorted(frames.times_s, (span_s[0], span_s[1], at_s)))
    run = frames.window(a, b)
    if len(run.loudness_db) < 4:
        return False
    loud = np.asarray(run.loudness_db, dtype=np.float64)
    _, splits, _ = _candidates(loud, np.minimum(np.asarray(run.onset, dtype=np.float64), MAX_ONSET), _level_dips(loud)[2])
    return bool(np.any(np.abs(np.asarray(splits, dtype=int) + a - at) <= NEAR_FRAMES))


def typical_spacing_s(run_starts: np.ndarray, *, hop_s: float) -> float | None:
    """The recording's typical time from one note to the next: the median spacing of the
    starts of its pitch runs (frames, sorted) in seconds; ``None`` with fewer than three runs.
    Repeats merged into one run make it longer than the true spacing, never shorter."""
    starts = np.asarray(run_starts, dtype=np.float64)
    if len(starts) < 3:
        return None
    return float(np.median(np.diff(starts))) * hop_s


def fitted_weights() -> dict[str, np.ndarray]:
    """The fitted network (``transcribe/models/reattack.npz``, written by ``benchmarks/fit_reattack.py``)."""
    return models.checked("reattack", FEATURES).group("net")


def probability(features: np.ndarray, *, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Probability that each candidate is a new note, shape (k,).

    Args:
        features: Shape (k, len(FEATURES)), from :func:`run_candidates`.
        weights: In :func:`transcribe.notes.network.probability`'s layout; :func:`fitted_weights` when ``None``.
    """
    return network.probability(features, fitted_weights() if weights is None else weights)
