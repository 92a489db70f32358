"""Where a note starts: the attack search and handovers between notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..types import Note, PitchTrack
from ..units import midi_to_hz
from .params import SegmentParams


def refine_onsets(notes: list[Note], times_s: np.ndarray, attack: np.ndarray, p: SegmentParams, *, min_note_s: float) -> list[Note]:
    """Move the onset of each note to the start of its attack.

    The pitch track hands over from one note to the next once the new pitch
    dominates, which on a bowed, blown or sung note (or under the previous
    note's reverb) is tens of ms after the new note began. The attack itself
    shows in a short-window onset strength: the strongest peak shortly before
    (or just after) the hand-over, followed back to where it starts rising, is
    where the note began. After a rest too: a bowed or blown attack (or one
    under the reverb) is heard 50-90 ms before its pitch is clear (moving
    onsets after rests as well: rendered COnP 0.897 -> 0.900, seed 1 0.876 ->
    0.882). A singer's consonant or breath before the vowel would be pulled in
    the same way, which is why sung recordings (``onsets="pitch"``) search only
    from the pitch's arrival on (``attack_search_s=0``).

    A note whose pitch takes over from the previous one with no break (at most
    ``handover_gap_s`` between them: a slur, or a legato change under a long reverb)
    may have no attack of its own: the pitch change is the onset, and a peak found
    far before it belongs to the previous note (its swell, its vibrato, noise). Its
    attack is searched over ``attack_search_legato_s`` only. (Still letting a strong
    peak further back move the onset, a tongued note heard late under the reverb,
    scored lower on the varied set at every strength tried, 1 to 3.)

    A repeated note after a break (more than ``handover_gap_s`` after the previous one,
    of its pitch, ends) starts no earlier than that end: a peak before it is inside the
    previous note (a clarinet's release peaks the short-window onset strength as high as
    the next tongued attack).
    """
    out: list[Note] = []
    for note in notes:
        gap_s = note.onset_s - out[-1].offset_s if out else np.inf
        legato = bool(out) and out[-1].midi != note.midi and gap_s <= p.handover_gap_s
        lo = note.onset_s - (min(p.attack_search_s, p.attack_search_legato_s) if legato else p.attack_search_s)
        if out:
            lo = max(lo, out[-1].onset_s + min_note_s)
            if out[-1].midi == note.midi and gap_s > p.handover_gap_s:
                lo = max(lo, out[-1].offset_s)
        hi = min(note.onset_s + 0.04, note.offset_s - min_note_s)
        # Frames with lo <= time <= hi (times are sorted).
        sel = np.arange(np.searchsorted(times_s, lo, side="left"), np.searchsorted(times_s, hi, side="right"))
        if len(sel):
            k = int(sel[np.argmax(attack[sel])])
            if attack[k] >= p.attack_min_peak:
                b = k
                while b > sel[0] and attack[b - 1] > p.attack_rise_ratio * attack[k] and times_s[k] - times_s[b - 1] <= p.attack_max_back_s:
                    b -= 1
                new_on = float(times_s[b])
                if out and out[-1].offset_s > new_on:
                    prev = out.pop()
                    out.append(Note(prev.onset_s, new_on, prev.midi, prev.cents, prev.confidence))
                note = Note(new_on, note.offset_s, note.midi, note.cents, note.confidence)
        out.append(note)
    return out


#: Spacing of the energy frames a handover is searched on (seconds).
HANDOVER_STEP_S = 0.008


def retime_handovers(
    notes: tuple[Note, ...],
    track: PitchTrack,
    energy_db: Callable[[np.ndarray, float, float], np.ndarray | None],
    *,
    tuning_cents: float,
    min_note_s: float = 0.05,
    params: SegmentParams | None = None,
) -> tuple[Note, ...]:
    """Move legato onsets back to where the new note's harmonics start to sound.

    A slowly swelling note under a long reverb (a choir, a bowed cello in a
    hall) is heard by the pitch tracker only once it outweighs the old note,
    100-250 ms after it began. Where one note runs straight into the next
    (a gap of at most ``handover_gap_s``) without a glide between their
    pitches, the energy at the new note's own harmonics (those the old note
    does not share) is followed back from the found onset; the note starts
    where that energy, rising from its low, comes within ``handover_below_db``
    of its level at the found onset. The previous note then ends there. A step
    under ``handover_min_step_st`` (a semitone) is left alone: the old note's
    vibrato sweeps into the bands of the new note's harmonics and lifts their
    energy long before the new note sounds.

    Args:
        notes: Notes in time order, not overlapping.
        track: The pitch track the notes came from (for the glide check).
        energy_db: ``energy_db(times_s, f0_hz, exclude_f0_hz)`` gives the energy
            in dB at ``f0_hz``'s harmonics at each time, or ``None`` (see
            :func:`transcribe.features.harmonic_energy_db`).
        tuning_cents: Global tuning offset the notes' pitches were rounded after.
        min_note_s: The previous note keeps at least this length (seconds).
        params: Search settings; defaults when ``None``.

    Returns:
        The notes, some onsets earlier; pitches unchanged.
    """
    p = params or SegmentParams()
    out = list(notes)
    track_midi = track.midi
    for i in range(1, len(out)):
        prev, note = out[i - 1], out[i]
        if note.midi == prev.midi or note.onset_s - prev.offset_s > p.handover_gap_s:
            continue
        # Sounding pitches (fractional MIDI), as the track and the audio have them.
        old_st = prev.midi + (prev.cents + tuning_cents) / 100.0
        new_st = note.midi + (note.cents + tuning_cents) / 100.0
        near = (track.times_s >= note.onset_s - p.handover_glide_s) & (track.times_s < note.onset_s)
        between = track_midi[near]
        lo_st, hi_st = min(old_st, new_st), max(old_st, new_st)
        if np.any((between > lo_st + 0.5) & (between < hi_st - 0.5)):
            continue  # a glide: the pitch arrives where the tracker says
        if hi_st - lo_st < p.handover_min_step_st:
            continue  # a semitone: the old note's vibrato reaches the new one's harmonics
        start = max(prev.onset_s + min_note_s, note.onset_s - p.handover_back_s)
        if start >= note.onset_s - HANDOVER_STEP_S:
            continue
        times = np.arange(start, note.onset_s + 0.05, HANDOVER_STEP_S)
        energy = energy_db(times, midi_to_hz(new_st), midi_to_hz(old_st))
        if energy is None:
            continue
        level, low = float(energy[-3:].mean()), float(energy.min())
        if level - low < p.handover_min_db:
            continue
        j = int(np.argmin(energy))
        # Within a fixed distance of the level, not a share of the rise: a window
        # that barely reaches a sudden attack already lifts the dB far above a
        # silent floor.
        risen = np.flatnonzero(energy[j:] >= level - p.handover_below_db)
        onset = float(times[j + risen[0]]) if len(risen) else note.onset_s
        if onset < note.onset_s:
            out[i - 1] = replace(prev, offset_s=min(prev.offset_s, onset))
            out[i] = replace(note, onset_s=onset)
    return tuple(out)
