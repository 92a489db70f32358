"""Where sung notes start and end: a per-frame onset and offset probability, learned from real singing.

Every frame of the pitch track is described by :data:`FEATURES` (the onset and attack
strengths, how the level, the voicing and the pitch move around it, a few frames either
side), two small networks (:mod:`transcribe.notes.network`) give the probability that a note
starts there and that one ends there, and the notes are read off them: onsets at the
peaks of the onset probability (chosen with a note-length prior, :mod:`transcribe.notes.semimarkov`,
when the model has one) and at clear legato steps of the pitch that the network
missed (at least the model's ``step_min_st`` between two steady stretches), each note
running to the likeliest offset before the next onset (or to that onset, legato), its pitch
the median of its voiced frames (the model's fitted pitch offset is stored, not applied).
Fitted by ``python -m benchmarks.fit_sung_onsets`` on SSVD's training split,
cross-validated by recording (see ``docs/models/sung-onsets.md``); the weights ship as
``transcribe/models/sung_onsets.npz``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from .. import features, models
from ..features import BAND_EDGES_HZ
from ..types import FrameArrays, Note
from . import network, semimarkov

#: Frames either side whose evidence a frame's features include.
CONTEXT = (-4, -3, -2, -1, 0, 1, 2, 3, 4)
#: Frames either side whose band levels (:func:`transcribe.features.band_levels_db`) a frame's features include.
BAND_CONTEXT = (-3, -2, -1, 1, 2, 3)
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
#: smallest step that is a note in a take sung on syllables (:func:`_legato_steps`; 1.5 chosen
#: against 2.0 and none on SSVD and vocadito, docs/models/sung-onsets.md).
LEGATO_TAKE_SHARE, LEGATO_SYLLABLE_MIN_ST = 0.15, 1.5
#: In a hummed take, where the stretch from an onset to the next (or to the end of its sound)
#: is at least this many frames (256 ms), an offset peak within the shortest note is passed over;
#: in any take, where the stretch after the shortest note also holds one pitch (:func:`_held`).
EARLY_END_STRETCH_FRAMES = 16
#: Weakest onset-probability peak the length-prior decode (:mod:`transcribe.notes.semimarkov`) considers.
DECODE_FLOOR = 0.05
#: A note whose sound (:func:`_sound_end`) is followed by at least this much silence before the
#: next onset (frames, about a second) ends with its sound, or at an offset peak at most
#: :data:`END_SLACK_FRAMES` after it: the offset network is not asked about the silence (a
#: pause of several seconds held the note before it into the rest, wherever the silence's noise
#: made the likeliest "end").
LONG_SILENCE_FRAMES = 60
END_SLACK_FRAMES = 8
#: A voiced frame this far (dB) under the loudest of a note's frames is not the note's sound (a
#: room's noise, a voice in the background) when the silence is measured (:func:`_sound_end`):
#: 102819 of ssvd-scores held its phrase's last note through a 4-second printed rest because a
#: few voiced frames of background noise, 25 dB under the singing, sat in it.
SOUND_DROP_DB = 20.0
#: A hummed take re-hums a repeated note: the level dips and the pitch comes back. The onset
#: model, fitted on syllables, misses many such onsets and either holds one note through the dip
#: or ends it there and leaves the rest of the held sound unwritten (a rest where a note was
#: hummed). In a take that reads as hummed (:func:`_rehummed`), a dip of the level at least
#: :data:`REPEAT_DIP_DB` below the louder of the :data:`REPEAT_SIDE_FRAMES` frames on each side,
#: inside a note, or at its end with the sound held on at its pitch (:data:`REPEAT_SAME_ST`) for
#: :data:`REPEAT_HELD_FRAMES` frames, ends the note there; a new note starts there too where the
#: tracker stays sure of the voice through the dip (:data:`REPEAT_SURE_CONFIDENCE`), else at the
#: likeliest onset within :data:`REPEAT_SEARCH_FRAMES` frames after it. An onset the network put
#: just after such a dip moves to its bottom (:func:`_at_dip_bottoms`).
REPEAT_DIP_DB, REPEAT_SIDE_FRAMES, REPEAT_HELD_FRAMES, REPEAT_SAME_ST, REPEAT_SEARCH_FRAMES = 6.0, 8, 10, 0.5, 8
#: The pitch tracker's confidence a hummed repeat's dip keeps (:func:`_at_dip_bottoms`): the 23
#: dips of 12 hummed takes keep 0.58 or more; the unvoiced breaks between syllables of three
#: SSVD takes read as hummed fall to 0.0-0.33.
REPEAT_SURE_CONFIDENCE = 0.5
#: Level differences are clipped here (dB), pitch differences here (semitones).
MAX_DB, MAX_ST = 30.0, 3.0


def _names() -> tuple[str, ...]:
    names = []
    for k in CONTEXT:
        names += [f"onset{k:+d}", f"attack{k:+d}", f"level{k:+d}_db", f"voiced{k:+d}", f"confidence{k:+d}"]
    names += ["level_db", "level_below_top_db"]
    for b in range(len(BAND_EDGES_HZ) - 1):
        names += [f"band{b}_db", *(f"band{b}{k:+d}_db" for k in BAND_CONTEXT)]
    for w in (2, 4, 8):
        names += [f"pitch_step{w}_st", f"pitch_spread_before{w}_st", f"pitch_spread_after{w}_st", f"voiced_before{w}", f"voiced_after{w}"]
    return tuple(names)


#: What each frame is described by, in order.
FEATURES: tuple[str, ...] = _names()


def _shift(a: np.ndarray, k: int, fill: float) -> np.ndarray:
    """``a`` moved so that entry ``i`` holds ``a[i + k]`` (``fill`` outside)."""
    out = np.full_like(a, fill)
    n = len(a)
    if abs(k) >= n:
        return out
    if k >= 0:
        out[: n - k] = a[k:]
    else:
        out[-k:] = a[: n + k]
    return out


def _window_stats(midi: np.ndarray, voiced: np.ndarray, w: int, after: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median pitch, spread (median absolute deviation) and voiced share of the ``w`` frames
    before each frame (``after`` False) or from it on, shape (n,) each; NaN pitch where none voiced."""
    ks = range(0, w) if after else range(-w, 0)
    stack = np.stack([_shift(np.where(voiced, midi, np.nan), k, np.nan) for k in ks])
    share = np.mean(np.isfinite(stack), axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows in rests
        med = np.nanmedian(stack, axis=0)
        spread = np.nanmedian(np.abs(stack - med[None, :]), axis=0)
    return med, np.nan_to_num(spread, nan=MAX_ST), share


def frame_features(frames: FrameArrays, bands_db: np.ndarray) -> np.ndarray:
    """The :data:`FEATURES` of every frame, shape (n, len(FEATURES)).

    Args:
        frames: The recording's per-frame arrays.
        bands_db: :func:`transcribe.features.band_levels_db` at the same frames, shape (n, bands).
    """
    loud = np.asarray(frames.loudness_db, dtype=np.float64)
    midi = np.asarray(frames.midi, dtype=np.float64)
    voiced = np.asarray(frames.voiced, dtype=bool) & np.isfinite(midi)
    onset = np.minimum(frames.onset, 5.0)
    attack = np.minimum(frames.attack, 5.0)
    conf = np.asarray(frames.confidence, dtype=np.float64)
    cols = []
    for k in CONTEXT:
        cols += [
            _shift(onset, k, 0.0),
            _shift(attack, k, 0.0),
            np.clip(_shift(loud, k, -140.0) - loud, -MAX_DB, MAX_DB),
            _shift(voiced.astype(np.float64), k, 0.0),
            _shift(conf, k, 0.0),
        ]
    top = float(np.percentile(loud, 99)) if len(loud) else 0.0
    cols += [loud - top, np.clip(top - loud, 0.0, 60.0)]
    for b in range(bands_db.shape[1]):
        level = np.asarray(bands_db[:, b], dtype=np.float64)
        cols.append(np.clip(level - float(np.percentile(level, 99)), -60.0, 0.0) if len(level) else level)
        cols += [np.clip(_shift(level, k, -140.0) - level, -MAX_DB, MAX_DB) for k in BAND_CONTEXT]
    for w in (2, 4, 8):
        mb, sb, vb = _window_stats(midi, voiced, w, after=False)
        ma, sa, va = _window_stats(midi, voiced, w, after=True)
        step = np.abs(ma - mb)
        cols += [np.where(np.isfinite(step), np.minimum(step, MAX_ST), MAX_ST), np.minimum(sb, MAX_ST), np.minimum(sa, MAX_ST), vb, va]
    return np.stack(cols, axis=1)


@dataclass(frozen=True, eq=False)
class SungModel:
    """The two networks and the reading of their probabilities.

    Attributes:
        onset: Onset network weights (:func:`transcribe.notes.network.probability`'s layout).
        offset: Offset network weights.
        onset_min: Weakest onset-probability peak that starts a note.
        offset_min: Weakest offset-probability peak that ends a note before the next onset.
        min_gap_frames: Fewest frames between two onsets.
        pitch_offset_st: Added to each note's sung pitch (``midi + cents / 100``, semitones), not
            to the semitone it is written as.
        step_min_st: Smallest clear pitch step (semitones, between the medians of the
            :data:`STEP_FRAMES` frames before and after a frame, both steady) that starts a note
            where the onset network saw none: a legato step. Infinite: none.
        length_weight: Weight of the note-length prior with which the onsets are chosen
            (:func:`transcribe.notes.semimarkov.onsets`, against ``onset_min`` and the
            recording's typical note length as the peaks give it); 0: the peaks themselves.
    """

    onset: dict[str, np.ndarray]
    offset: dict[str, np.ndarray]
    onset_min: float
    offset_min: float
    min_gap_frames: int
    pitch_offset_st: float
    step_min_st: float = np.inf
    length_weight: float = 0.0

    @classmethod
    def from_model(cls, model: models.Model) -> SungModel:
        """The networks and thresholds stored in a model file (``models.load("sung_onsets")``'s layout)."""
        model.features("features", FEATURES)
        a = model.arrays
        return cls(
            model.group("onset"),
            model.group("offset"),
            float(a["onset_min"]),
            float(a["offset_min"]),
            int(a["min_gap_frames"]),
            float(a["pitch_offset_st"]),
            float(a["step_min_st"]),
            float(a["length_weight"]),
        )

    def save(self, file: str | os.PathLike[str], *, provenance: dict[str, str]) -> None:
        """Write the model as a model file (see :mod:`transcribe.models`), at full precision."""
        arrays: dict[str, np.ndarray | float] = {f"onset.{k}": v for k, v in self.onset.items()}
        arrays.update({f"offset.{k}": v for k, v in self.offset.items()})
        arrays.update(
            onset_min=self.onset_min,
            offset_min=self.offset_min,
            min_gap_frames=self.min_gap_frames,
            pitch_offset_st=self.pitch_offset_st,
            step_min_st=self.step_min_st,
            length_weight=self.length_weight,
        )
        models.save(file, arrays=arrays, names={"features": FEATURES}, provenance=provenance)


def load_model() -> SungModel:
    """The shipped model (``transcribe/models/sung_onsets.npz``)."""
    return SungModel.from_model(models.load("sung_onsets"))


def _peaks(prob: np.ndarray, minimum: float, min_gap: int) -> np.ndarray:
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


def _step_sizes(midi: np.ndarray, voiced: np.ndarray, w: int, spread_st: float) -> np.ndarray:
    """Per frame, the step (semitones) between the median pitches of the ``w`` frames before it
    and from it on, where both stretches are voiced (:data:`STEP_VOICED`) and steady (spread at
    most ``spread_st``) and the step is at most :data:`STEP_MAX_ST`; 0 elsewhere. Shape (n,)."""
    mb, sb, vb = _window_stats(midi, voiced, w, after=False)
    ma, sa, va = _window_stats(midi, voiced, w, after=True)
    step = np.nan_to_num(np.abs(ma - mb))
    steady = (vb >= STEP_VOICED) & (va >= STEP_VOICED) & (sb <= spread_st) & (sa <= spread_st) & (step <= STEP_MAX_ST)
    return np.where(steady, step, 0.0)


def _steps(midi: np.ndarray, voiced: np.ndarray, model: SungModel) -> np.ndarray:
    """Frames where the pitch steps clearly (a legato step, :attr:`SungModel.step_min_st`); sorted."""
    if not np.isfinite(model.step_min_st):
        return np.zeros(0, dtype=np.int64)
    return _peaks(_step_sizes(midi, voiced, STEP_FRAMES, STEP_SPREAD_ST), model.step_min_st, STEP_FRAMES)


def _away_from(steps: np.ndarray, starts: np.ndarray, frames: int) -> np.ndarray:
    """The ``steps`` at least ``frames`` frames from every one of ``starts``."""
    if len(starts) and len(steps):
        return steps[np.min(np.abs(steps[:, None] - starts[None, :]), axis=1) >= frames]
    return steps


def _with_steps(starts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """``starts`` and the legato ``steps`` (:func:`_steps`) at least :data:`STEP_FRAMES` frames
    from every one of them; sorted."""
    return np.union1d(starts, _away_from(steps, starts, STEP_FRAMES))


def _running_median(midi: np.ndarray, voiced: np.ndarray, w: int) -> np.ndarray:
    """The median of the voiced pitch over the ``w`` frames around each frame, shape (n,); NaN
    where fewer than :data:`STEP_VOICED` of them are voiced. A vibrato cycle's median is its
    centre; a frame or two of the tracker an octave off move it not at all."""
    n, half = len(midi), w // 2
    # The stretch from each frame on, of the track moved ``half`` unvoiced frames later.
    med, _, share = _window_stats(np.pad(midi, (half, 0)), np.pad(voiced, (half, 0)), w, after=True)
    return np.where(share[:n] >= STEP_VOICED, med[:n], np.nan)


def _legato_steps(starts: np.ndarray, midi: np.ndarray, voiced: np.ndarray) -> tuple[np.ndarray, bool]:
    """The legato steps under vibrato at least :data:`LEGATO_FRAMES` frames from every one of
    ``starts`` (sorted), and whether the take reads as hummed.

    A take sung on syllables has an onset at nearly every such step, and what is left is mostly
    a learner's slide or correction inside one syllable (SSVD's and vocadito's takes: at most 17 %
    of the steps away from an onset, nine in ten under 10 %); a hummed one leaves many (a median
    of 26 % over the hummed takes of ``benchmarks.hummed``). From :data:`LEGATO_TAKE_SHARE` the
    take reads as hummed and every step of :data:`LEGATO_MIN_ST` is a note; under it, only steps
    of :data:`LEGATO_SYLLABLE_MIN_ST`, and early offsets stand (:func:`read_notes`).
    """
    centre = _running_median(midi, voiced, LEGATO_SMOOTH_FRAMES)
    step = _step_sizes(centre, np.isfinite(centre) & voiced, LEGATO_FRAMES, LEGATO_SPREAD_ST)
    # Most of the step is made within LEGATO_QUICK_FRAMES either side: a glide, not a slow slide.
    moved = np.abs(_shift(centre, LEGATO_QUICK_FRAMES, np.nan) - _shift(centre, -LEGATO_QUICK_FRAMES, np.nan))
    quick = np.nan_to_num(moved) >= LEGATO_QUICK_SHARE * step
    steps = _peaks(np.where(quick, step, 0.0), LEGATO_MIN_ST, LEGATO_FRAMES)
    far = _away_from(steps, starts, LEGATO_FRAMES)
    hummed = len(steps) > 0 and len(far) >= LEGATO_TAKE_SHARE * len(steps)
    return (far if hummed else far[step[far] >= LEGATO_SYLLABLE_MIN_ST]), hummed


def _dip_depths_db(loud_db: np.ndarray) -> np.ndarray:
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


def _rehummed(loud_db: np.ndarray, midi: np.ndarray, voiced: np.ndarray, note: tuple[int, int], nxt: int) -> int | None:
    """Where a hummed note = (first frame, end frame) re-hummed on its pitch ends (a frame), or
    ``None``: at the bottom of the deepest dip of at least :data:`REPEAT_DIP_DB` inside it; or at
    its end, where the level dips that deep there (within three frames) and the sound goes on at
    its pitch (within :data:`REPEAT_SAME_ST`) for :data:`REPEAT_HELD_FRAMES` frames before the
    next onset ``nxt``."""
    a, b = note
    depth = _dip_depths_db(loud_db[a:b])
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
    around = _dip_depths_db(loud_db[lo:hi])[max(0, b - 3 - lo) : b + 4 - lo]
    return b if len(around) and around.max() >= REPEAT_DIP_DB else None


def _at_dip_bottoms(starts: np.ndarray, loud_db: np.ndarray, midi: np.ndarray, voiced: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """Onsets (frames, sorted, shape (k,)) of a hummed take moved to the bottom of the dip of the
    level before them where that dip is a repeat re-hummed: at most :data:`REPEAT_SEARCH_FRAMES`
    before the onset (after the onset before it), at least :data:`REPEAT_DIP_DB` deep
    (:func:`_dip_depths_db`), the pitch on both sides the same (medians of
    :data:`REPEAT_HELD_FRAMES` voiced frames within :data:`REPEAT_SAME_ST`) and the tracker sure
    of the voice through the dip (confidence at least :data:`REPEAT_SURE_CONFIDENCE`: a hum's
    throat closing a moment, not a consonant's break). The re-hummed note's sound starts to swell
    at the bottom; the onset network, fitted on syllables, fires where the level is back, 30-60 ms
    later, as SSVD's annotators place a syllable's onset after its consonant."""
    out = np.asarray(starts, dtype=np.int64).copy()
    depth_db = _dip_depths_db(loud_db)
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


def _onsets(p_on: np.ndarray, midi: np.ndarray, voiced: np.ndarray, model: SungModel) -> np.ndarray:
    """The frames where notes start: the onset probability's peaks and the legato steps, or, with
    a length prior, the onsets the semi-Markov decode chooses (and its legato steps); sorted."""
    steps = _steps(midi, voiced, model)
    starts = _with_steps(_peaks(p_on, model.onset_min, model.min_gap_frames), steps)
    if model.length_weight <= 0.0 or len(starts) < 3:
        return starts
    ends = semimarkov.sound_ends(voiced)
    typical = float(np.median(semimarkov.note_lengths(starts, ends, len(p_on))))
    chosen = semimarkov.onsets(
        p_on,
        ends=ends,
        threshold=model.onset_min,
        floor=DECODE_FLOOR,
        weight=model.length_weight,
        typical_frames=typical,
        min_gap=model.min_gap_frames,
    )
    return _with_steps(chosen, steps)


def probabilities(frames: FrameArrays, bands_db: np.ndarray, model: SungModel) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, the probability that a note starts there and that one ends there, shape (n,) each."""
    x = frame_features(frames, bands_db)
    return network.probability(x, model.onset), network.probability(x, model.offset)


def notes_from(
    frames: FrameArrays, bands_db: np.ndarray, model: SungModel, *, min_note_s: float, tuning_cents: float = 0.0
) -> tuple[Note, ...]:
    """Sung notes read off the model's onset and offset probabilities.

    Args:
        frames: The recording's per-frame arrays (``midi`` as sounding fractional MIDI).
        bands_db: :func:`transcribe.features.band_levels_db` at the same frames.
        model: The fitted model.
        min_note_s: Shorter notes are dropped (seconds).
        tuning_cents: The tuning (cents from A440) the notes are rounded in.

    Returns:
        Notes in time order, not overlapping; ``midi`` and ``cents`` after the tuning is removed.
    """
    if len(frames.times_s) < 3:
        return ()
    p_on, p_off = probabilities(frames, bands_db, model)
    return read_notes(frames, p_on, p_off, model, min_note_s=min_note_s, tuning_cents=tuning_cents)


def _held(midi: np.ndarray, voiced: np.ndarray) -> bool:
    """Whether a stretch of frames (shape (m,) each) holds one pitch: at least :data:`STEP_VOICED`
    of it voiced, its voiced pitch within :data:`STEP_SPREAD_ST` of its median (median absolute
    deviation), as either side of a legato step (:func:`_step_sizes`)."""
    if not voiced.size or voiced.mean() < STEP_VOICED:
        return False
    held = midi[voiced]
    return float(np.median(np.abs(held - np.median(held)))) <= STEP_SPREAD_ST


def _sounds_on(midi: np.ndarray, voiced: np.ndarray, loud_db: np.ndarray, at: tuple[int, int, int]) -> bool:
    """Whether a note sounds on past an offset the network chose: ``at`` = (its onset, that
    offset, the next onset) in frames; the stretch from the offset to the next onset, at least
    :data:`EARLY_END_STRETCH_FRAMES` long, holds one pitch (:func:`_held`) within
    :data:`REPEAT_SAME_ST` of the note's before it, and its level stays within :data:`REPEAT_DIP_DB` of the note's
    loudest (no re-sung repeat, no silence, no quieter sound after the note).
    A man's legato line on one vowel (a scale from C3, 40 cents of vibrato) had notes ended
    80 ms after their onsets and 0.4 s of their held pitch left unwritten."""
    a, k, nxt = at
    if nxt - k < EARLY_END_STRETCH_FRAMES or not _held(midi[k:nxt], voiced[k:nxt]):
        return False
    if float(loud_db[a:nxt].max() - loud_db[k:nxt].min()) >= REPEAT_DIP_DB:
        return False
    before = midi[a:k][voiced[a:k]]
    return bool(len(before)) and abs(float(np.median(midi[k:nxt][voiced[k:nxt]])) - float(np.median(before))) < REPEAT_SAME_ST


def _sound_end(voiced: np.ndarray, loud_db: np.ndarray) -> int:
    """Where a note's own sound ends, in frames from its onset: after its last frame heard before
    a silence of :data:`LONG_SILENCE_FRAMES` (or before the next onset, the end of the arrays
    given), where a frame is heard if voiced and at most :data:`SOUND_DROP_DB` under the loudest
    voiced frame given; 0 if none is. ``voiced`` and ``loud_db`` run from the onset to the next
    onset, shape (m,) each."""
    if not voiced.any():
        return 0
    heard = np.flatnonzero(voiced & (loud_db >= loud_db[voiced].max() - SOUND_DROP_DB))
    silent = np.flatnonzero(np.diff(heard) > LONG_SILENCE_FRAMES)
    return int(heard[silent[0]] if len(silent) else heard[-1]) + 1


def read_notes(
    frames: FrameArrays, p_on: np.ndarray, p_off: np.ndarray, model: SungModel, *, min_note_s: float, tuning_cents: float = 0.0
) -> tuple[Note, ...]:
    """The notes of :func:`notes_from`, given the probabilities (:func:`probabilities`)."""
    n = len(frames.times_s)
    if n < 3:
        return ()
    hop = float(frames.times_s[1] - frames.times_s[0])
    times = np.asarray(frames.times_s, dtype=np.float64)
    midi = np.asarray(frames.midi, dtype=np.float64)
    voiced = np.asarray(frames.voiced, dtype=bool) & np.isfinite(midi)
    starts = _onsets(p_on, midi, voiced, model)
    legato, hummed = _legato_steps(starts, midi, voiced)
    starts = np.union1d(starts, legato)
    loud_db = np.asarray(frames.loudness_db, dtype=np.float64)
    confidence = np.asarray(frames.confidence, dtype=np.float64)
    if hummed:
        starts = _at_dip_bottoms(starts, loud_db, midi, voiced, confidence)
    shortest = int(np.ceil(min_note_s / hop))
    out: list[Note] = []
    starts = [int(x) for x in starts]
    j = -1
    while j + 1 < len(starts):
        j += 1
        a = starts[j]
        nxt = starts[j + 1] if j + 1 < len(starts) else n
        # The offset: the likeliest end after the onset, if likely enough; else the next onset
        # (legato) or the end of the voicing. Before a long silence, the end of the note's own
        # sound (:func:`_sound_end`).
        stop = nxt
        sound_end = _sound_end(voiced[a:nxt], loud_db[a:nxt]) + a
        if j + 1 < len(starts) and nxt - sound_end >= LONG_SILENCE_FRAMES:
            stop = sound_end + END_SLACK_FRAMES
        b = nxt if stop == nxt else sound_end
        span = np.arange(a + 1, stop)
        if b - a >= EARLY_END_STRETCH_FRAMES and (hummed or _held(midi[a + shortest : b], voiced[a + shortest : b])):
            # An offset peak in the note's first ``min_note_s`` would leave no note at all:
            # there the offset network saw the glide into a legato note (hummed, or sung on
            # one vowel), and the note goes on to the next likeliest end. In a take sung on
            # syllables too where a held pitch follows (a leap sung legato, both networks
            # firing at its step): else the held note was left unwritten, a rest on the page.
            span = span[span - a >= shortest]
        if len(span):
            k = int(span[np.argmax(p_off[span])])
            # An end the note's own sound goes on through (its pitch held, the level not
            # dipping, up to the next onset) is not its end: the note runs to that onset.
            if p_off[k] >= model.offset_min and not _sounds_on(midi, voiced, loud_db, (a, k, nxt)):
                b = k
        end = _rehummed(loud_db, midi, voiced, (a, b), nxt) if hummed else None
        if end is not None:
            # A repeat re-hummed: the note ends there, the repeat starts there too where the voice
            # sounds on through the dip (it swells from the bottom), else at the likeliest onset after.
            b = end
            again = b + int(np.argmax(p_on[b : min(b + REPEAT_SEARCH_FRAMES, nxt)]))
            if float(np.min(confidence[b : again + 1])) >= REPEAT_SURE_CONFIDENCE:
                again = b
            if a < again < nxt:
                starts.insert(j + 1, again)
        v = voiced[a:b]
        if v.sum() < 3:
            continue
        if nxt == n and b == n:  # the last note ends with its voicing
            b = a + int(np.flatnonzero(v)[-1]) + 1
            v = voiced[a:b]
        # The median of the note's voiced frames (a scoop or a fall moves it little) is the
        # note's pitch and its sung pitch (``midi + cents / 100``). The model's fitted
        # ``pitch_offset_st`` (SSVD's labels sit ~0.3 semitones above the sung frames) is not
        # applied: the CSV and the plot report the pitch that was sung, which vocadito's f0
        # annotation confirms to a cent, not one data set's labelling habit.
        median = float(np.median(midi[a:b][v])) - tuning_cents / 100.0
        pitch = int(np.floor(median + 0.5))
        centre = median
        onset_s = float(times[a])
        offset_s = float(times[b]) if b < n else float(times[-1] + hop)
        if offset_s - onset_s < min_note_s:
            continue
        conf = float(np.mean(frames.confidence[a:b][v]))
        out.append(Note(onset_s, offset_s, pitch, (centre - pitch) * 100.0, conf))
    return tuple(out)
