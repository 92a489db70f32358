"""Clean-up of the found notes: octave slips folded, glides and blips absorbed, short notes merged,
two parts of one note joined, unsure sounds before a take's first sure note dropped, notes read
beyond the pitch model's range far from the melody dropped, a sung note far from its line dropped."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..types import Note
from ..units import hz_to_midi


def join_parts(first: Note, second: Note) -> Note:
    """One note from two parts of it, ``first`` then ``second``: from the first's onset to the
    second's offset, at the first's MIDI pitch, with the longer part's cents and confidence."""
    longer = first if first.duration_s >= second.duration_s else second
    return replace(first, offset_s=second.offset_s, cents=longer.cents, confidence=longer.confidence)


def fold_octave_slips(frames: np.ndarray, pitch: int) -> np.ndarray:
    """Frames (MIDI numbers, shape (m,)) with octave slips moved to the note's main octave.

    A note whose tracker slipped an octave for part of its frames has a median
    between the two octaves (half at 72 and half at 84 give 78, a pitch never
    played). The main octave is the one of ``pitch + 12 k`` (k in -2..2) that
    the most frames lie within a semitone of (``pitch`` on a tie); frames within
    a semitone of another of these octaves are moved to it. A run all of whose
    frames lie an octave from ``pitch`` keeps their octave.
    """
    shifts = np.array([0, -12, 12, -24, 24])
    near = np.abs(frames[None, :] - (pitch + shifts)[:, None]) < 1.0
    main = pitch + int(shifts[np.argmax(near.sum(axis=1))])
    off = frames - main
    slipped = (np.abs(off - 12.0 * np.round(off / 12.0)) < 1.0) & (np.abs(off) >= 11.0)
    return np.where(slipped, frames - 12.0 * np.round(off / 12.0), frames)


def absorb_glides(
    notes: list[Note], midi: np.ndarray, times_s: np.ndarray, *, max_glide_s: float, hop: float, blip_st: float = 0.0
) -> list[Note]:
    """Merge scoops and fall-offs into the note they lead into or out of.

    A note shorter than ``max_glide_s`` that touches a longer neighbour within
    two semitones, and whose pitch moves steadily toward that neighbour, is a
    glide (a singer scooping up to a note, a slide), not a note of its own.
    One within ``blip_st`` semitones of that neighbour is merged whatever its
    pitch does.
    """
    out = list(notes)
    i = 0
    while i < len(out):
        note = out[i]
        if note.duration_s < max_glide_s:
            lo, hi = np.searchsorted(times_s, [note.onset_s, note.offset_s])
            pitch = midi[lo:hi]
            pitch = pitch[np.isfinite(pitch)]
            if len(pitch) >= 2:
                half = max(1, len(pitch) // 2)
                move = float(np.median(pitch[-half:]) - np.median(pitch[:half]))
                nxt = out[i + 1] if i + 1 < len(out) else None
                prv = out[i - 1] if i > 0 else None
                # A scoop moves toward the next note; a fall-off away from the previous one.
                if nxt is not None and _is_glide(note, nxt, nxt.onset_s - note.offset_s, move * (nxt.midi - note.midi), hop, blip_st):
                    out[i : i + 2] = [Note(note.onset_s, nxt.offset_s, nxt.midi, nxt.cents, nxt.confidence)]
                    i = max(0, i - 1)  # the merged note may now be the longer neighbour of a glide before it
                    continue
                if prv is not None and _is_glide(note, prv, note.onset_s - prv.offset_s, move * (note.midi - prv.midi), hop, blip_st):
                    out[i - 1 : i + 1] = [Note(prv.onset_s, note.offset_s, prv.midi, prv.cents, prv.confidence)]
                    i = max(0, i - 2)
                    continue
        i += 1
    return out


def _is_glide(short: Note, other: Note, gap_s: float, motion: float, hop: float, blip_st: float = 0.0) -> bool:
    """Whether ``short`` is a glide into or out of its neighbour ``other``: they
    touch, ``other`` is longer and within two semitones, and ``short``'s pitch
    moves the glide's way (``motion``: its pitch change in semitones times the
    signed interval in the glide's direction) or lies within ``blip_st`` of ``other``."""
    step = abs(other.midi - short.midi)
    return gap_s < 1.5 * hop and other.duration_s > short.duration_s and 0 < step <= 2 and (motion > 0.3 or step <= blip_st)


def clean(notes: list[Note], *, min_note_s: float) -> tuple[Note, ...]:
    """Drop notes shorter than ``min_note_s``, merging each into an adjacent
    note of the same pitch when they touch."""
    out: list[Note] = []
    for note in notes:
        if (
            out
            and note.midi == out[-1].midi
            and note.onset_s - out[-1].offset_s < 1e-6
            and (note.duration_s < min_note_s or out[-1].duration_s < min_note_s)
        ):
            prev = out.pop()
            note = Note(prev.onset_s, note.offset_s, note.midi, prev.cents, prev.confidence)
        out.append(note)
    return tuple(n for n in out if n.duration_s >= min_note_s - 1e-9)


def drop_unsure_lead(notes: tuple[Note, ...], *, min_confidence: float) -> tuple[Note, ...]:
    """The notes from the first one whose ``confidence`` reaches ``min_confidence`` on.

    What a take holds before its first sure note (a hum, a word, a breath, a chair) is not the
    melody. A take none of whose notes reaches ``min_confidence`` keeps them all: it is unsure
    throughout, and its notes are all there is. ``min_confidence`` 0 keeps every note.
    """
    for i, note in enumerate(notes):
        if note.confidence >= min_confidence:
            return notes[i:]
    return notes


#: A note read beyond the model's range (:mod:`transcribe.pitch.beyond`) further than this
#: (semitones) from every note read inside it is not the melody's.
FAR_BEYOND_ST = 12.0


def drop_far_beyond(notes: tuple[Note, ...], *, lo_hz: float, hi_hz: float, tuning_cents: float) -> tuple[Note, ...]:
    """The notes without those beyond ``lo_hz``-``hi_hz`` (the range the pitch model reads
    directly) that lie more than :data:`FAR_BEYOND_ST` from every note inside it.

    A phone's 2.5 kHz beep before a sung take (ssvd 1311, 1315) is read as surely as a whistled
    note is, but lies two octaves and more over the voice; a whistled tune, a piccolo's or a
    bass's line steps across the edge. A take with no note inside the range keeps them all.
    """
    if not notes:
        return notes
    pitch = np.array([n.midi + (n.cents + tuning_cents) / 100.0 for n in notes])
    lo_midi, hi_midi = float(hz_to_midi(np.array(lo_hz))), float(hz_to_midi(np.array(hi_hz)))
    beyond = (pitch < lo_midi) | (pitch > hi_midi)
    inside = pitch[~beyond]
    if not beyond.any() or len(inside) == 0:
        return notes
    near = np.abs(pitch[:, None] - inside[None, :]).min(axis=1) <= FAR_BEYOND_ST
    return tuple(n for n, keep in zip(notes, ~beyond | near) if keep)


#: A sung note further than this (semitones) from both its neighbours and from the take's median
#: pitch is not the melody's (:func:`drop_far_from_line`).
FAR_FROM_LINE_ST = 12.0


def drop_far_from_line(notes: tuple[Note, ...], *, tuning_cents: float) -> tuple[Note, ...]:
    """The notes without those more than :data:`FAR_FROM_LINE_ST` from the note before, the note
    after and the median pitch of the take (a voice's notes).

    A squeak, a cough or a chair read as a pitch two octaves over a phrase, or a hum far under it,
    is no note of a sung melody (ssvd-scores 102957: an A5 of 0.16 s between a sung C4 and Bb3,
    written with four ledger lines; of the notes the voice path finds in the 110 labelled sung
    takes, six are so far from their line, and none lies within a semitone of a labelled note
    sounding then). A leap of an octave to a note and back is kept: the note lies an octave from
    its neighbours, not further. A take of one or two notes keeps them.
    """
    if len(notes) < 3:
        return notes
    pitch = np.array([n.midi + (n.cents + tuning_cents) / 100.0 for n in notes])
    far = np.abs(pitch - np.median(pitch)) > FAR_FROM_LINE_ST
    before = np.abs(np.diff(pitch, prepend=np.nan))
    after = np.abs(np.diff(pitch, append=np.nan))
    far &= np.fmin(before, after) > FAR_FROM_LINE_ST
    return tuple(n for n, drop in zip(notes, far) if not drop)


#: An instrument's note at most this long (seconds) whose neighbours, each within
#: :data:`FAR_BLIP_GAP_S` of it, both lie more than :data:`FAR_FROM_LINE_ST` semitones to one side
#: of it, as does the line around it, is a misreading (:func:`mend_far_blips`).
FAR_BLIP_S = 0.25
FAR_BLIP_GAP_S = 0.3
#: The line around a note: the median pitch of up to this many notes on each side of it.
FAR_BLIP_CONTEXT = 4
#: A blip is moved an octave toward its neighbours where that brings it within this many
#: semitones of both, else dropped.
FAR_BLIP_NEAR_ST = 5


def mend_far_blips(notes: tuple[Note, ...]) -> tuple[Note, ...]:
    """An instrument's notes with its far blips mended: a note of at most :data:`FAR_BLIP_S`
    between two neighbours (each within :data:`FAR_BLIP_GAP_S`) that both lie more than
    :data:`FAR_FROM_LINE_ST` semitones above it, or both below, and at least an octave from the
    line around it (the median of :data:`FAR_BLIP_CONTEXT` notes either side), is moved an
    octave toward them where that brings it within :data:`FAR_BLIP_NEAR_ST` of both, and dropped
    otherwise.

    Under a hall's ring the tracker reads a short note as an octave of a neighbour or as the
    ring's harmonic: held-out r007's oboe, a tune within B4-B5, was written with eleven notes
    outside it (E6 three ledger lines over the staff, B3 under it). The rendered references
    hold no note more than an octave beyond both neighbours (FluidR3 seed 0, varied seed 5, hall
    check seed 7 and held-out: 12,926 notes). The line keeps a right note between two misread
    ones (r007's B4 between two E6s) where it is; a leap of an octave to a note and back is
    kept. Every note is judged against the notes as given.
    """
    midi = np.array([n.midi for n in notes], dtype=np.float64)
    out = []
    for i, note in enumerate(notes):
        shift = 0
        if 0 < i < len(notes) - 1 and note.duration_s <= FAR_BLIP_S:
            before, after = notes[i - 1], notes[i + 1]
            if note.onset_s - before.offset_s < FAR_BLIP_GAP_S and after.onset_s - note.offset_s < FAR_BLIP_GAP_S:
                steps = (before.midi - note.midi, after.midi - note.midi)
                context = np.concatenate([midi[max(0, i - FAR_BLIP_CONTEXT) : i], midi[i + 1 : i + 1 + FAR_BLIP_CONTEXT]])
                line = float(np.median(context)) - note.midi
                if min(steps) > FAR_FROM_LINE_ST and line >= 12:
                    shift = 12
                elif max(steps) < -FAR_FROM_LINE_ST and line <= -12:
                    shift = -12
        if not shift:
            out.append(note)
        elif all(abs(note.midi + shift - other.midi) <= FAR_BLIP_NEAR_ST for other in (notes[i - 1], notes[i + 1])):
            out.append(replace(note, midi=note.midi + shift))
    return tuple(out)


def keep_sung(notes: tuple[Note, ...], *, min_confidence: float, tuning_cents: float) -> tuple[Note, ...]:
    """A voice's notes without what is not its melody: the unsure sounds before its first sure
    note (:func:`drop_unsure_lead`) and the notes far from its line (:func:`drop_far_from_line`).
    The voice path and the sung model's fit (``benchmarks.fit_sung_onsets.model_notes``) both call it."""
    return drop_far_from_line(drop_unsure_lead(notes, min_confidence=min_confidence), tuning_cents=tuning_cents)
