"""Double stops reduced to the melody note: the top of two notes bowed (or played) at once.

A string player's double stop sounds two notes together. A one-voice pitch tracker then follows
the lower one, or the two notes' common sub-harmonic (a fifth D4 + A4 reads as D3), or flips
between them; the page of the melody wants the top note. Over the middle of each note, the
spectrum's partials (:func:`transcribe.features.spectral_peaks`) are explained by one harmonic
series or by two: where two explain at least :data:`GAIN` of the partials' power more than the
best one, and the tracked pitch is one of the two or a sub-harmonic of both, the note is a
double stop and is written at the upper one, if that voice starts with the note (rises
:data:`RISE_DB` at its onset, unless the note before is at that pitch) or holds its level through
it and sounds above the lower voice: the ring of an earlier note in the room, or one still
sounding, does neither. Touching notes then at the same pitch, one of them moved, were one double
stop the tracker split, and become one note.

The values below were chosen on ``python -m benchmarks.double_stops --seed 0`` (bowed-string
melodies with double stops) against the rendered sets the fits use, on which the stage must
leave the notes alone (FluidR3 seed 0, varied seed 5, hall check seed 7); see
``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..types import Note
from ..units import cents_between, hz_to_midi, midi_to_hz
from .octaves import LEVEL_HARMONICS, HarmonicLevel

#: ``peaks(times_s)``: the spectrum's partials at each time, ``(freqs_hz, power)`` per time
#: (:func:`transcribe.features.spectral_peaks`).
Peaks = Callable[[np.ndarray], "list[tuple[np.ndarray, np.ndarray]]"]

#: Frames measured per note, over its middle half.
POINTS = 5
#: Partials looked at per frame (the strongest).
MAX_PEAKS = 24
#: A partial within this many cents of a harmonic belongs to it.
TOLERANCE_CENTS = 35.0
#: Harmonics of a candidate pitch counted.
HARMONICS = 16
#: A candidate fundamental is a partial at most this far (dB) under the strongest.
CANDIDATE_RANGE_DB = 30.0
#: Share of the partials' power a second voice must explain beyond the best single one.
GAIN = 0.2
#: Interval between the two voices (semitones): a minor third to a tenth (octaves excluded
#: by the harmonics: the upper note's partials are all the lower one's).
MIN_INTERVAL_ST = 2.5
MAX_INTERVAL_ST = 16.5
#: Partials each voice must explain that the other does not.
MIN_OWN = 2
#: How far (semitones) either voice may lie from a note of the tuning.
IN_TUNE_ST = 0.3
#: Longest reverberation time (seconds, as :func:`transcribe.dereverb.estimate_rt60_s` reads
#: it) under which double stops are looked for: in a longer room the ring of the notes before
#: explains a second voice as well as a second string does (the hall check set, seed 7, reads
#: 1.12-1.86 s and lost notes to it; the double-stop set's rooms, up to a chamber, read at most
#: 0.97 s).
MAX_RT60_S = 1.05
#: The upper voice's rise at the onset (dB) and where before the onset it is measured (s).
RISE_DB = 3.0
BEFORE_S = 0.07
#: An upper voice "holds" when over the note's middle (at least ``HOLD_S`` seconds) its own
#: harmonics fall less than ``HOLD_DB`` (a ring falls at the room's rate).
HOLD_DB, HOLD_S = 1.0, 0.1
#: How much louder (dB, own harmonics against own harmonics) than the lower voice an upper voice
#: that holds through the note (without rising at its onset) must sound.
ABOVE_DB = 1.0
#: Longest gap (seconds) between two notes that are one double stop the tracker split.
TOUCH_S = 0.03
#: Frames (of :data:`POINTS`) that must find the same two voices.
MIN_FRAMES = 3


def _explained(freqs_hz: np.ndarray, cands_hz: np.ndarray) -> np.ndarray:
    """Which partials each candidate's harmonics explain, shape (len(cands_hz), len(freqs_hz))."""
    h = np.round(freqs_hz[None, :] / cands_hz[:, None])
    cents = np.abs(cents_between(freqs_hz[None, :], np.maximum(h, 1.0) * cands_hz[:, None]))
    return (h >= 1) & (h <= HARMONICS) & (cents <= TOLERANCE_CENTS)


def voices_hz(freqs_hz: np.ndarray, power: np.ndarray, *, tracked_hz: float) -> tuple[float, float] | None:
    """The two voices ``(lower_hz, upper_hz)`` of one frame's partials, or ``None`` for one.

    Args:
        freqs_hz: The partials' frequencies, shape (k,).
        power: Their power, shape (k,).
        tracked_hz: The pitch the tracker read.
    """
    gain, pair = two_voices(freqs_hz, power, tracked_hz=tracked_hz, at_least=GAIN)
    return pair if pair is not None and gain >= GAIN else None


def two_voices(
    freqs_hz: np.ndarray, power: np.ndarray, *, tracked_hz: float, at_least: float = 0.0
) -> tuple[float, tuple[float, float] | None]:
    """How much more of one frame's partials' power the best two voices explain than the best
    one (a share of it), and those two ``(lower_hz, upper_hz)`` where the tracked pitch is one
    of them or a sub-harmonic of both (else ``None``). Where what the best one leaves is under
    ``at_least``, that share comes back (no two can gain more), with ``None``."""
    if len(freqs_hz) < 3:
        return 0.0, None
    order = np.argsort(-power)[:MAX_PEAKS]
    f, p = freqs_hz[order], power[order]
    total = float(p.sum())
    cand = (p >= p[0] * 10 ** (-CANDIDATE_RANGE_DB / 10)) & (f >= 0.9 * tracked_hz / 4)
    cands = f[cand]
    if len(cands) < 2:
        return 0.0, None
    m = _explained(f, cands)
    single = m.astype(float) @ p
    left = (total - float(single.max())) / total
    if left < at_least:
        return left, None
    pair = (m[:, None, :] | m[None, :, :]).astype(float) @ p
    # Two voices a double stop can be: a minor third to a tenth apart, each with partials
    # of its own (a chorus's detuned copy, a harmonic read as a voice, are not).
    steps = np.abs(cents_between(cands[:, None], cands[None, :])) / 100.0
    own = (m[:, None, :] & ~m[None, :, :]).sum(axis=2)
    pair[(steps < MIN_INTERVAL_ST) | (steps > MAX_INTERVAL_ST) | (own < MIN_OWN) | (own.T < MIN_OWN)] = -np.inf
    if not np.isfinite(pair).any():
        return 0.0, None
    i, j = np.unravel_index(int(np.argmax(pair)), pair.shape)
    gain = float(pair[i, j] - single.max()) / total
    lo, hi = sorted((float(cands[i]), float(cands[j])))

    def near(a: float, b: float) -> bool:
        return abs(cents_between(a, b)) <= 50.0

    def sub_of(f0: float, f1: float) -> bool:
        r = f1 / f0
        return r >= 0.97 and abs(cents_between(f1, round(r) * f0)) <= TOLERANCE_CENTS

    if near(tracked_hz, lo) or near(tracked_hz, hi) or (sub_of(tracked_hz, lo) and sub_of(tracked_hz, hi)):
        return gain, (lo, hi)
    return gain, None


def top_voice(
    notes: tuple[Note, ...], peaks: Peaks, harmonic_db: HarmonicLevel, *, tuning_cents: float, rt60_s: float = 0.0
) -> tuple[Note, ...]:
    """The notes with each double stop written at its upper note, and the pieces of one double
    stop the tracker split joined.

    Args:
        notes: The notes in time order.
        peaks: The spectrum's partials at given times (:data:`Peaks`).
        harmonic_db: The level at a pitch's harmonics (those of another left out) at given
            times (:data:`transcribe.notes.octaves.HarmonicLevel`): an upper voice's own
            harmonics (the lower voice's left out) must rise :data:`RISE_DB` at the note's
            onset (one that was there before is a ring).
        tuning_cents: The tuning the notes are rounded in (cents from A440).
        rt60_s: The room's reverberation time read from the recording; over
            :data:`MAX_RT60_S` the notes come back unchanged.
    """
    if rt60_s > MAX_RT60_S or not notes:
        return notes
    out: list[Note] = []
    moved: list[bool] = []
    # Every note's frames at once (one pass over the audio).
    middles = [np.linspace(n.onset_s + 0.25 * n.duration_s, n.offset_s - 0.25 * n.duration_s, POINTS) for n in notes]
    partials = peaks(np.concatenate(middles))
    pairs: list[tuple[int, int] | None] = []
    for k, note in enumerate(notes):
        times = middles[k]
        tracked = midi_to_hz(note.midi + (note.cents + tuning_cents) / 100.0)
        found = []
        for freqs, power in partials[k * POINTS : (k + 1) * POINTS]:
            hz = voices_hz(freqs, power, tracked_hz=tracked)
            if hz is not None:
                # Both voices in tune with the rest (a chorus's drifting copy is not).
                midi = hz_to_midi(np.array(hz)) - tuning_cents / 100.0
                if np.all(np.abs(midi - np.round(midi)) <= IN_TUNE_ST):
                    found.append((int(round(midi[0])), int(round(midi[1]))))
        pair = max(set(found), key=found.count) if found else None
        pair = pair if pair is not None and found.count(pair) >= MIN_FRAMES else None
        pairs.append(pair)
        changed = False
        if pair is not None and pair[1] > note.midi:
            touching = bool(out) and note.onset_s - out[-1].offset_s <= TOUCH_S
            lower_hz, upper_hz = (midi_to_hz(v + tuning_cents / 100.0) for v in pair)
            if touching and pairs[k - 1] == pair and out[-1].midi == pair[1]:
                # The same two voices as the note before, which was written at the upper one:
                # the tracker flipped to the lower voice inside one double stop.
                changed = True
            else:
                # The upper voice starts with the note (and the note before was not at its
                # pitch), or holds its level through the note and sounds above the lower voice:
                # the ring of an earlier note, or one still sounding, does neither.
                # Each voice's own harmonics, just before the onset and over the middle (one set
                # of spectra for both).
                at = np.append(max(0.0, note.onset_s - BEFORE_S), times)
                level, lower = harmonic_db(at, ((upper_hz, lower_hz), (lower_hz, upper_hz)), LEVEL_HARMONICS)
                if level is not None:
                    rise = float(np.median(level[1:]) - level[0]) >= RISE_DB
                    held = float(level[-1] - level[1]) >= -HOLD_DB and times[-1] - times[0] >= HOLD_S
                    ring_before = bool(out) and out[-1].midi == pair[1] and not moved[-1]
                    changed = rise and not ring_before
                    if held and not changed:
                        changed = lower is None or float(np.median(level[1:]) - np.median(lower[1:])) >= ABOVE_DB
        if changed:
            note = replace(note, midi=pair[1], cents=0.0)
        if out and out[-1].midi == note.midi and note.onset_s - out[-1].offset_s <= TOUCH_S and (changed or moved[-1]):
            out[-1] = replace(out[-1], offset_s=note.offset_s)
            moved[-1] = True
            continue
        out.append(note)
        moved.append(changed)
    return tuple(out)
