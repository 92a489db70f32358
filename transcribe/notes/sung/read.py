"""Sung notes read off the onset and offset probabilities (:func:`read_notes`)."""

from __future__ import annotations

import numpy as np

from ...types import FrameArrays, Note
from .. import semimarkov
from .hummed import REPEAT_DIP_DB, REPEAT_SAME_ST, REPEAT_SEARCH_FRAMES, REPEAT_SURE_CONFIDENCE, at_dip_bottoms, rehummed_end
from .model import SungModel, probabilities
from .steps import clear_steps, holds_one_pitch, legato_steps, peaks, with_steps

#: In a hummed take, where the stretch from an onset to the next (or to the end of its sound)
#: is at least this many frames (256 ms), an offset peak within the shortest note is passed over;
#: in any take, where the stretch after the shortest note also holds one pitch (:func:`.steps.holds_one_pitch`).
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


def _onsets(p_on: np.ndarray, midi: np.ndarray, voiced: np.ndarray, model: SungModel) -> np.ndarray:
    """The frames where notes start: the onset probability's peaks and the legato steps, or, with
    a length prior, the onsets the semi-Markov decode chooses (and its legato steps); sorted."""
    steps = clear_steps(midi, voiced, model)
    starts = with_steps(peaks(p_on, model.onset_min, model.min_gap_frames), steps)
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
    return with_steps(chosen, steps)


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


def _sounds_on(midi: np.ndarray, voiced: np.ndarray, loud_db: np.ndarray, at: tuple[int, int, int]) -> bool:
    """Whether a note sounds on past an offset the network chose: ``at`` = (its onset, that
    offset, the next onset) in frames; the stretch from the offset to the next onset, at least
    :data:`EARLY_END_STRETCH_FRAMES` long, holds one pitch (:func:`.steps.holds_one_pitch`) within
    :data:`.hummed.REPEAT_SAME_ST` of the note's before it, and its level stays within :data:`.hummed.REPEAT_DIP_DB` of the note's
    loudest (no re-sung repeat, no silence, no quieter sound after the note).
    A man's legato line on one vowel (a scale from C3, 40 cents of vibrato) had notes ended
    80 ms after their onsets and 0.4 s of their held pitch left unwritten."""
    a, k, nxt = at
    if nxt - k < EARLY_END_STRETCH_FRAMES or not holds_one_pitch(midi[k:nxt], voiced[k:nxt]):
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
    legato, hummed = legato_steps(starts, midi, voiced)
    starts = np.union1d(starts, legato)
    loud_db = np.asarray(frames.loudness_db, dtype=np.float64)
    confidence = np.asarray(frames.confidence, dtype=np.float64)
    if hummed:
        starts = at_dip_bottoms(starts, loud_db, midi, voiced, confidence)
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
        if b - a >= EARLY_END_STRETCH_FRAMES and (hummed or holds_one_pitch(midi[a + shortest : b], voiced[a + shortest : b])):
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
        end = rehummed_end(loud_db, midi, voiced, (a, b), nxt) if hummed else None
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
