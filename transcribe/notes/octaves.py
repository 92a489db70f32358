"""Notes the pitch tracker heard an octave off, moved by the spectrum's evidence.

A tracker that locks onto a note's second harmonic reads it an octave up, often with high
confidence, for the whole note. The spectrum tells: a note at ``f`` has energy at ``f, 2f,
3f...`` and none half-way between them, while a note at ``f / 2`` read as ``f`` has its odd
harmonics (``f / 2, 3f / 2, 5f / 2``) between those of ``f``. A note moves down an octave
when the level at those odd half-harmonics, over the middle of the note, reaches the level at
the harmonics of ``f`` (:data:`HALF_OVER_DB`).

On the varied set (seed 5) and the hall check set (seed 7) together, 29 of 5315 notes were an
octave too high: 15 of them reach 0 dB and no right note does (the right notes' 99th
percentile is -7 dB, the wrong ones' median +13 dB).

The other way round, a tracker that reads a note at ``2f`` as ``f`` (a high flute note over the
ring of the note an octave below it in a hall) writes it an octave down: a note at ``f`` has its
fundamental and odd harmonics ``f, 3f, 5f``, a note at ``2f`` has none there. A note moves up
an octave when the level at its odd harmonics stays :data:`ODD_UNDER_DB` below the level at the
harmonics of ``2f`` (:func:`correct_octaves` does both). Another note's ring can fill those odd
harmonics (an A5 ringing on as the flute plays D5, read D4: 880 Hz is D4's third harmonic), so
a note also moves up where its fundamental alone stays :data:`FUNDAMENTAL_UNDER_DB` below them,
provided the fundamental of ``2f`` sounds (:data:`UPPER_FUNDAMENTAL_DB`).

A tracker that reads the start of a note an octave off and then finds it (a FluidR3 flute's A5
read as A4 for its first 300 ms) leaves two notes an octave apart that the spectrum then makes one
pitch: :func:`join_octave_splits` joins them where nothing at the join looks like a new attack.

Where the part read an octave off is short and mixed with the previous note's ring, so that
the spectrum does not move it, :func:`join_octave_fragments` makes it the start of the note
it touches an octave away, where nothing at the join looks like a new attack.

A note dying away in a room can leave only a harmonic above the noise, which the tracker then
follows into the rest after it (or the note's own pitch rings on): :func:`drop_harmonic_rings`
drops such far quieter notes at a harmonic of the note before them. After the last note a hall
rings on with the last few pitches, less quiet than that: :func:`drop_final_rings` drops such
echoes without a rise of their own from the end of the notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from ..types import Note
from ..units import midi_to_hz
from .cleanup import join_parts

#: The level at a note's odd half-harmonics minus the level at its harmonics (dB) from which
#: the note is an octave lower.
HALF_OVER_DB = 0.0
#: Harmonics of a pitch whose level :data:`HarmonicLevel` is asked for (all but a fundamental alone).
LEVEL_HARMONICS = 5
#: Frames measured per note, spread over its middle half (away from the attack and the
#: previous note's reverb, and from the release).
POINTS = 5

#: ``harmonic_db(times_s, pitches, n_harmonics)``: for each ``(f0_hz, exclude_f0_hz)`` of
#: ``pitches``, the level (dB) at the first ``n_harmonics`` harmonics of ``f0_hz`` (those of
#: ``exclude_f0_hz`` left out) at each time, ``None`` when none is usable
#: (:func:`transcribe.features.harmonic_levels_db`).
HarmonicLevel = Callable[[np.ndarray, Sequence[tuple[float, "float | None"]], int], "list[np.ndarray | None]"]


#: The level at a note's odd harmonics minus the level at the harmonics of twice its frequency
#: (dB) at or under which the note is an octave higher. Chosen on the rendered seeds the fits
#: use (FluidR3 seed 0, varied seed 5, hall check seed 7: 8,950 notes of ours against their
#: references): none of the 8,658 of the right pitch reads under -19.0 dB (an oboe, whose
#: fundamental is weak); the threshold sits 2 dB under it, where 17 of the 44 notes read an
#: octave too low fall (and one note of another wrong pitch).
ODD_UNDER_DB = -21.0

#: The level at a note's fundamental alone minus the level at the harmonics of twice its
#: frequency (dB) at or under which the note is an octave higher, whatever its odd harmonics
#: read: a note an octave down from a hall's ring whose harmonic falls on its third (a flute's
#: D5 after an A5, read D4: the A5's ring at 880 Hz is D4's third harmonic) has nothing at its
#: fundamental. Chosen on the same rendered seeds: none of the 8,758 notes of ours of the right
#: pitch reads under -33.4 dB (choir aahs, whose fundamental is weak); the threshold sits under
#: it, where 4 of the notes read an octave too low that :data:`ODD_UNDER_DB` leaves fall.
FUNDAMENTAL_UNDER_DB = -36.0

#: ... and only where the upper octave's own fundamental is there (its level alone minus the
#: level at its harmonics, dB, over this): a short sub-harmonic ghost of another note (an F#3
#: read for 130 ms at a C#5's attack) has no fundamental either, and its octave (F#4) none,
#: and is left to :func:`merge_subharmonic_ghosts`. On the same seeds the notes moved right by
#: the fundamental read -6.7 to 0 dB here, the ghosts and other wrong moves -38 to -22 dB.
UPPER_FUNDAMENTAL_DB = -12.0


def correct_octaves(
    notes: tuple[Note, ...], harmonic_db: HarmonicLevel, *, tuning_cents: float, fmin_hz: float, fmax_hz: float
) -> tuple[Note, ...]:
    """The notes, each one the spectrum shows an octave off moved there; times unchanged.

    A note moves down 12 semitones when its :class:`OctaveEvidence` ``half_over_db`` reaches
    :data:`HALF_OVER_DB` (its lower octave at or above ``fmin_hz``), else up 12 when
    ``odd_under_db`` is at or under :data:`ODD_UNDER_DB`, or ``fundamental_under_db`` at or under
    :data:`FUNDAMENTAL_UNDER_DB` with ``upper_fundamental_db`` over :data:`UPPER_FUNDAMENTAL_DB`
    (its upper octave at or under ``fmax_hz``)."""
    out = []
    for note in notes:
        f0 = midi_to_hz(note.midi + tuning_cents / 100.0)
        seen = octave_evidence_db(note, f0, harmonic_db)
        no_fundamental = seen.fundamental_under_db <= FUNDAMENTAL_UNDER_DB and seen.upper_fundamental_db > UPPER_FUNDAMENTAL_DB
        if f0 / 2.0 >= fmin_hz and seen.half_over_db >= HALF_OVER_DB:
            note = replace(note, midi=note.midi - 12)
        elif 2.0 * f0 <= fmax_hz and (seen.odd_under_db <= ODD_UNDER_DB or no_fundamental):
            note = replace(note, midi=note.midi + 12)
        out.append(note)
    return tuple(out)


class OctaveEvidence(NamedTuple):
    """What the spectrum says of a note read at ``f0``, over its middle half (medians, dB).

    Attributes:
        half_over_db: The level at the odd harmonics of ``f0 / 2`` minus that at the harmonics
            of ``f0`` (-inf when either is not measurable): high for a note read an octave up.
        odd_under_db: The level at the odd harmonics of ``f0`` (``f0, 3 f0, 5 f0``) minus that
            at the harmonics of ``2 f0`` (+inf when either is not measurable): low for a note
            read an octave down.
        fundamental_under_db: The level at ``f0`` alone minus that at the harmonics of ``2 f0``
            (+inf when either is not measurable): low for a note read an octave down, also
            where another note's ring fills its odd harmonics.
        upper_fundamental_db: The level at ``2 f0`` alone minus that at the harmonics of ``2 f0``
            (-inf when either is not measurable): near 0 or above where a note at ``2 f0``
            sounds, far under it where ``2 f0`` is only a harmonic of some other pitch.
    """

    half_over_db: float
    odd_under_db: float
    fundamental_under_db: float
    upper_fundamental_db: float


def octave_evidence_db(note: Note, f0_hz: float, harmonic_db: HarmonicLevel) -> OctaveEvidence:
    """:class:`OctaveEvidence` for ``note`` read at ``f0_hz``, from one set of spectra per
    number of harmonics."""
    quarter = 0.25 * note.duration_s
    times = np.linspace(note.onset_s + quarter, note.offset_s - quarter, POINTS)
    at, between, octave_up, odd = harmonic_db(
        times, ((f0_hz, None), (f0_hz / 2.0, f0_hz), (2.0 * f0_hz, None), (f0_hz, 2.0 * f0_hz)), LEVEL_HARMONICS
    )
    fundamental, upper_fundamental = harmonic_db(times, ((f0_hz, None), (2.0 * f0_hz, None)), 1)
    up = None if octave_up is None else float(np.median(octave_up))
    return OctaveEvidence(
        half_over_db=-np.inf if at is None or between is None else float(np.median(between) - np.median(at)),
        odd_under_db=np.inf if up is None or odd is None else float(np.median(odd)) - up,
        fundamental_under_db=np.inf if up is None or fundamental is None else float(np.median(fundamental)) - up,
        upper_fundamental_db=-np.inf if up is None or upper_fundamental is None else float(np.median(upper_fundamental)) - up,
    )


#: Longest gap (seconds) between two notes :func:`join_octave_splits` may join: one frame.
JOIN_GAP_S = 0.02


def join_octave_splits(before: tuple[Note, ...], after: tuple[Note, ...], *, attack_near: Callable[[Note, Note], bool]) -> tuple[Note, ...]:
    """``after`` (:func:`correct_octaves`' notes for ``before``, one for one) with the notes it
    split at a misread octave joined.

    Two notes at most :data:`JOIN_GAP_S` apart and of one pitch in ``after``, one of them moved
    there by the spectrum, were one note the tracker read partly an octave off (its two parts were
    searched as two pitches, so no re-attack split them), unless ``attack_near(first, second)``
    finds the evidence of a new attack where they meet (a level dip or an onset peak the re-attack
    search would weigh): then the second is a repeat of that pitch.
    """
    out: list[Note] = []
    moved: list[bool] = []  # per note of ``out``: a piece of it was moved
    for old, new in zip(before, after):
        now_moved = old.midi != new.midi
        if (
            out
            and (now_moved or moved[-1])
            and out[-1].midi == new.midi
            and new.onset_s - out[-1].offset_s <= JOIN_GAP_S
            and not attack_near(out[-1], new)
        ):
            out[-1] = join_parts(out[-1], new)
            moved[-1] = True
            continue
        out.append(new)
        moved.append(now_moved)
    return tuple(out)


#: Longest note (seconds) :func:`join_octave_fragments` takes for a misread part of the next.
#: On rendered seeds 0, 5 and 7 it joins three such parts (a flute's start read an octave low,
#: an oboe's an octave high) and no played octave leap (each of the four among our notes there
#: has an attack at the leap); 0.4 s joins the same.
FRAGMENT_MAX_S = 0.25


def join_octave_fragments(notes: tuple[Note, ...], *, attack_near: Callable[[Note, Note], bool]) -> tuple[Note, ...]:
    """The notes with each short note (at most :data:`FRAGMENT_MAX_S`) an octave from the next
    one, at most :data:`JOIN_GAP_S` before it and with no attack where they meet
    (``attack_near(first, second)``), made the start of that next note: the tracker read the
    note's first moments an octave off (a flute's E5 read E4 for 120 ms in a hall) where the
    spectrum over the part was too mixed with the note before to move it."""
    out: list[Note] = []
    for note in notes:
        if (
            out
            and out[-1].duration_s <= FRAGMENT_MAX_S
            and abs(note.midi - out[-1].midi) == 12
            and note.onset_s - out[-1].offset_s <= JOIN_GAP_S
            and not attack_near(out[-1], note)
        ):
            out[-1] = replace(note, onset_s=out[-1].onset_s)
            continue
        out.append(note)
    return tuple(out)


def _harmonic_at(interval_st: float, harmonics: Sequence[int], *, tolerance_st: float) -> int | None:
    """Which of ``harmonics`` (1 the note's own pitch, 2 its octave...) of a note lies
    ``interval_st`` semitones above it, to within ``tolerance_st``; ``None`` if none does."""
    shifts = 12.0 * np.log2(np.asarray(harmonics, dtype=np.float64))
    k = int(np.argmin(np.abs(interval_st - shifts)))
    return int(harmonics[k]) if abs(interval_st - shifts[k]) <= tolerance_st else None


def _sung_interval_st(low: Note, high: Note) -> float:
    """``high``'s sung pitch above ``low``'s (semitones, cents counted)."""
    return (high.midi + high.cents / 100.0) - (low.midi + low.cents / 100.0)


#: A note at most this long (seconds) that sits a sub-harmonic below a neighbour it touches is
#: that neighbour's attack read at a half, a third or a quarter of its frequency.
GHOST_MAX_S = 0.15
#: The harmonics of the ghost's pitch (times 2, 3 or 4) the neighbour may sound at.
GHOST_HARMONICS = (2, 3, 4)
#: How close (semitones) the ghost's pitch times 2, 3 or 4 must come to the neighbour's.
GHOST_TOLERANCE_ST = 1.0
#: Longest gap (seconds) between a ghost and the neighbour it belongs to.
GHOST_GAP_S = 0.05


def merge_subharmonic_ghosts(notes: tuple[Note, ...]) -> tuple[Note, ...]:
    """The notes with each sub-harmonic ghost merged into the neighbour it belongs to.

    A tracker that locks for a moment onto a half, a third or a quarter of a note's
    frequency (a flute's attack under a hall) writes a short note an octave or a twelfth
    below two neighbours: a ledger-line note no player played. A note at most
    :data:`GHOST_MAX_S` long, at least 12 semitones below both neighbours (both within
    :data:`GHOST_GAP_S`), whose pitch times 2, 3 or 4 is within :data:`GHOST_TOLERANCE_ST`
    of the next note's (else the previous note's), becomes part of that note: the next
    note starts at the ghost's onset, or the previous one ends at the ghost's offset.
    """

    def ghost_of(ghost: Note, other: Note) -> bool:
        return _harmonic_at(other.midi - ghost.midi, GHOST_HARMONICS, tolerance_st=GHOST_TOLERANCE_ST) is not None

    out = list(notes)
    i = 1
    while i < len(out) - 1:
        prev, note, nxt = out[i - 1], out[i], out[i + 1]
        if (
            note.duration_s <= GHOST_MAX_S
            and note.onset_s - prev.offset_s <= GHOST_GAP_S
            and nxt.onset_s - note.offset_s <= GHOST_GAP_S
            and min(prev.midi, nxt.midi) - note.midi >= 12
        ):
            if ghost_of(note, nxt):
                out[i + 1] = replace(nxt, onset_s=note.onset_s)
                del out[i]
                continue
            if ghost_of(note, prev):
                out[i - 1] = replace(prev, offset_s=note.offset_s)
                del out[i]
                continue
        i += 1
    return tuple(out)


#: Harmonics (3rd to 6th) of a note that the tracker may follow for a moment as the note ends.
TAIL_HARMONICS = (3, 4, 5, 6)
#: Longest such harmonic tail (seconds).
TAIL_MAX_S = 0.25


def merge_harmonic_tails(notes: tuple[Note, ...]) -> tuple[Note, ...]:
    """The notes with each harmonic tail merged into the note it ends.

    As a clarinet's or an oboe's note ends, the tracker can follow one of its upper harmonics
    for a moment: a note a twelfth or two octaves and a third above, at most
    :data:`TAIL_MAX_S` long, where the player moved on to a note far below (rendered varied r010:
    a C4's last 160 ms written as an E6 triplet). A note within :data:`RING_TOLERANCE_ST` of the
    3rd to 6th harmonic of the note before it (:data:`TAIL_HARMONICS`), starting at most
    :data:`GHOST_GAP_S` after it ends and at least 12 semitones above the note after it (if any),
    becomes the end of the note before it. (An octave above is left alone: a short leap of an
    octave and back is played.)
    """
    out = list(notes)
    i = 1
    while i < len(out):
        prev, note = out[i - 1], out[i]
        nxt = out[i + 1] if i + 1 < len(out) else None
        if (
            note.duration_s <= TAIL_MAX_S
            and note.onset_s - prev.offset_s <= GHOST_GAP_S
            and _harmonic_at(_sung_interval_st(prev, note), TAIL_HARMONICS, tolerance_st=RING_TOLERANCE_ST) is not None
            and (nxt is None or note.midi - nxt.midi >= 12)
        ):
            out[i - 1] = replace(prev, offset_s=note.offset_s)
            del out[i]
            continue
        i += 1
    return tuple(out)


#: Harmonics (the 1st, the note's own pitch, to the 6th) a quiet note after a louder one may be
#: the ring of.
RING_HARMONICS = (1, 2, 3, 4, 5, 6)
#: How close (semitones) a ring's pitch lies to a harmonic of the note before it.
RING_TOLERANCE_ST = 0.5
#: Longest gap (seconds) between a note's end and the ring of one of its harmonics.
RING_GAP_S = 1.0
#: How much quieter (dB, accent against accent) than the note before it a ring is. Chosen on
#: the rendered seeds the fits use (FluidR3 seed 0, varied seed 5, hall check seed 7): every
#: note of ours a harmonic above the note before it, within a second of its end and more than
#: 10 dB quieter, is one the player never played (three: 13, 21 and 32 dB quieter). At the
#: note's own pitch, after a break, none of the four notes of ours 18 dB quieter and more (19-31
#: dB) was played (a FluidR3 flute's reverb after its last A5); of the next two (14.8, 13.1 dB),
#: one was.
RING_DROP_DB = 18.0


def drop_harmonic_rings(notes: tuple[Note, ...], accent_db: np.ndarray) -> tuple[Note, ...]:
    """The notes without the rings of the notes before them.

    As a note dies away in a room (or a synthesizer's reverb) its fundamental can sink under
    the noise first, and the tracker follows a harmonic that still rings: a note a twelfth or
    two octaves above, in what was a rest, far quieter than the note it rings from; or the
    note's own pitch rings on after it stopped. A note within :data:`RING_TOLERANCE_ST` of the
    1st to 6th harmonic of the note before it (:data:`RING_HARMONICS`; at the 1st, after a
    break: a repeat split from it is no ring), starting at most :data:`RING_GAP_S` after that note ends and at
    least :data:`RING_DROP_DB` quieter (``accent_db``: each note's accent in dB, shape
    (len(notes),), as ``pipeline.note_peaks_db`` reads it), is dropped and becomes a rest.
    The note it rings from is measured before any ring is dropped.
    """
    keep = [True] * len(notes)
    for i in range(1, len(notes)):
        prev, note = notes[i - 1], notes[i]
        harmonic = _ring_harmonic(prev, note)
        if harmonic is not None and (harmonic > 1 or note.onset_s > prev.offset_s) and accent_db[i - 1] - accent_db[i] >= RING_DROP_DB:
            keep[i] = False
    return tuple(n for n, k in zip(notes, keep) if k)


def _ring_harmonic(source: Note, note: Note) -> int | None:
    """Which of :data:`RING_HARMONICS` of ``source`` ``note`` lies at (within
    :data:`RING_TOLERANCE_ST`), where it starts at most :data:`RING_GAP_S` after ``source``
    ends; ``None`` where it could be no ring of it."""
    if note.onset_s - source.offset_s > RING_GAP_S:
        return None
    return _harmonic_at(_sung_interval_st(source, note), RING_HARMONICS, tolerance_st=RING_TOLERANCE_ST)


#: The room's ring after the last note played (:func:`drop_final_rings`): at least this much
#: quieter (dB, accent against accent) than the note it echoes, ... Chosen on FluidR3 seed 0,
#: varied seed 5 and hall check seed 7: the rule drops 15 notes of ours there, none of them
#: played (13 ghosts after the hall check's last notes, 8 of them rings that touch, and two on
#: varied seed 5), and one played note at 6 dB without the rise condition below.
FINAL_RING_DROP_DB = 6.0
#: ... its level rising less than this (dB) at its start (a note played after a break rises out
#: of the quiet before it: a trumpet's soft last note after a rest, varied seed 5 r039, by 67 dB),
#: ...
FINAL_RING_RISE_DB = 3.0
#: ... and echoing one of this many notes before it.
FINAL_RING_BACK = 3


def drop_final_rings(notes: tuple[Note, ...], accent_db: np.ndarray, rise_db: np.ndarray) -> tuple[Note, ...]:
    """The notes without the room's ring after the last note played.

    After the last note a room (a hall) rings on with the last few pitches, and the tracker can
    read them as more notes, quieter and later, that end the page with a bar of ghosts. From
    the end, while the last note left sounds like a ring (it starts within :data:`RING_GAP_S`
    of the end of one of the :data:`FINAL_RING_BACK` notes before it, at one of that note's
    harmonics (:data:`RING_HARMONICS`, the 1st included), at least :data:`FINAL_RING_DROP_DB`
    quieter, with its level rising less than :data:`FINAL_RING_RISE_DB` where it starts) and
    starts after a break or touches a note before it that sounds like a ring too (the tracker
    reads a decaying chord of rings as notes that touch), it is dropped.
    Only at the end: inside a piece such quiet, unaccented echoes are as often notes played
    (a repeat after a breath) as rings.

    Args:
        notes: The notes, in order.
        accent_db: Each note's accent (dB), shape (len(notes),), as ``pipeline.note_peaks_db``.
        rise_db: How much each note's level rises at its start (dB), shape (len(notes),), as
            ``pipeline.note_rises_db``.
    """

    def sounds_like_ring(i: int) -> bool:
        if rise_db[i] >= FINAL_RING_RISE_DB:
            return False
        return any(
            _ring_harmonic(notes[j], notes[i]) is not None and accent_db[j] - accent_db[i] >= FINAL_RING_DROP_DB
            for j in range(max(i - FINAL_RING_BACK, 0), i)
        )

    def is_ring(i: int) -> bool:
        after_break = notes[i].onset_s > notes[i - 1].offset_s
        return sounds_like_ring(i) and (after_break or sounds_like_ring(i - 1))

    end = len(notes)
    while end > 1 and is_ring(end - 1):
        end -= 1
    return notes[:end]
