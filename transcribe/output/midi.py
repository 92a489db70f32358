"""The Standard MIDI File of the written notes: tempo map that follows the recording or the score."""

from __future__ import annotations

import bisect
import itertools
import math
from fractions import Fraction

from ..harmony import key_signature_sharps
from ..types import Rhythm, WrittenNote
from ..values import Key
from .score import choose_clef, instrument_for


def to_midi(
    written: tuple[WrittenNote, ...],
    rhythm: Rhythm,
    *,
    key: str,
    title: str,
    timing: str = "recording",
    ticks_per_quarter: int = 480,
) -> bytes:
    """Standard MIDI File bytes: tempo, time and key signature, and the notes.

    ``timing="recording"`` (see :data:`transcribe.config.MIDI_TIMINGS`) puts every note
    where it sounds in the recording: the written positions keep their ticks (bar lines
    at whole bars of the time signature), and a tempo change at every note onset makes
    each onset's tick fall at its time in the recording, so the beats and bar lines
    between notes fall where the performance put them. Empty bars before the pickup
    cover the silence before the first note. ``timing="score"`` plays the written
    values at the one written tempo from time 0.

    Built event by event with music21's MIDI classes rather than from the
    Score: translating a Score re-sorts the whole stream for every tied note,
    which grows with the square of the length (minutes for an hour-long take),
    while this is linear.
    """
    from music21.midi import ChannelVoiceMessages, DeltaTime, MetaEvents, MidiEvent, MidiFile, MidiTrack

    _, program = instrument_for(choose_clef([w.midi for w in written]))
    track = MidiTrack(1)

    def meta(kind: MetaEvents, data: bytes) -> MidiEvent:
        ev = MidiEvent(track, type=kind)
        ev.data = data
        return ev

    num, den = rhythm.time_signature.numerator, rhythm.time_signature.denominator
    sharps = key_signature_sharps(key)
    prog = MidiEvent(track, type=ChannelVoiceMessages.PROGRAM_CHANGE, channel=1)
    prog.data = program
    if timing == "recording" and written:
        tempi, spans = recording_timing(written, rhythm, ticks_per_quarter=ticks_per_quarter)
    else:
        tempi = [(0, round(60_000_000 / rhythm.bpm))]
        spans = [(round(w.onset_q * ticks_per_quarter), round((w.onset_q + w.duration_q) * ticks_per_quarter)) for w in written]
    # (tick, order, event): at one tick, meta events first, then note-offs, then note-ons.
    events: list[tuple[int, int, MidiEvent]] = [
        (0, 0, meta(MetaEvents.SEQUENCE_TRACK_NAME, title.encode("utf-8", "replace")[:127])),
        (0, 0, meta(MetaEvents.TIME_SIGNATURE, bytes([num, den.bit_length() - 1, 24, 8]))),
        (0, 0, meta(MetaEvents.KEY_SIGNATURE, bytes([sharps & 0xFF, 1 if Key(key).is_minor else 0]))),
        (0, 0, prog),
    ]
    events += [(tick, 0, meta(MetaEvents.SET_TEMPO, us.to_bytes(3, "big"))) for tick, us in tempi]
    for w, (start, end) in zip(written, spans):
        end = max(start + 1, end)
        for tick, order, kind, velocity in ((start, 2, ChannelVoiceMessages.NOTE_ON, 80), (end, 1, ChannelVoiceMessages.NOTE_OFF, 0)):
            ev = MidiEvent(track, type=kind, channel=1)
            ev.pitch = w.midi
            ev.velocity = velocity
            events.append((tick, order, ev))
    events.sort(key=lambda e: (e[0], e[1]))
    last = 0
    for tick, _, ev in events:
        track.events.append(DeltaTime(track, time=tick - last, channel=None))
        track.events.append(ev)
        last = tick
    track.events.append(DeltaTime(track, time=0, channel=None))
    track.events.append(meta(MetaEvents.END_OF_TRACK, b""))
    mf = MidiFile()
    mf.ticksPerQuarterNote = ticks_per_quarter
    mf.tracks.append(track)
    return mf.writestr()


#: The slowest and fastest MIDI tempo (microseconds per quarter note).
_TEMPO_US = (1, 0xFFFFFF)


def recording_timing(
    written: tuple[WrittenNote, ...], rhythm: Rhythm, *, ticks_per_quarter: int = 480
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The MIDI timing that follows the recording (see :func:`to_midi`).

    The tempo map runs through every note onset (at its time in the recording) and,
    between them, through every quarter and bar line of the rhythm stage's beat grid
    in performance time (:attr:`Rhythm.quarter_times_s`) that falls in order. The score is
    preceded by empty bars (whole bars less the pickup, so the bar lines stay at whole
    bars of ticks), as many as make the lead-in's tempo nearest the grid's (at least
    one bar when the first note is not at time 0).

    Returns:
        ``(tempi, spans)``: the tempo map as ``(tick, microseconds per quarter)``
        changes, and each note's ``(on_tick, off_tick)``: its onset tick at its written
        position, its off tick where its recorded offset falls under the tempo map.
    """
    bar = rhythm.measure_q
    grid = rhythm.quarter_times_s
    first_q, first_s = written[0].onset_q, max(0.0, written[0].onset_s)
    if len(grid) >= 2:
        quarter_s, last_quarter_s, zero_s = grid[1] - grid[0], grid[-1] - grid[-2], grid[0]
    else:
        quarter_s = last_quarter_s = 60.0 / rhythm.bpm
        zero_s = first_s - float(first_q) * quarter_s
    # Empty bars before the pickup, as many as make the lead-in's tempo nearest the grid's.
    base = (bar - rhythm.pickup_q % bar) % bar
    n = max(0, round((zero_s / quarter_s - float(base)) / float(bar)))
    lead_q = base + n * bar
    if first_s > 0 and lead_q + first_q == 0:
        lead_q = bar

    def tick_of(q: Fraction | int) -> int:
        return round((lead_q + q) * ticks_per_quarter)

    notes = [(tick_of(w.onset_q), max(0.0, w.onset_s)) for w in written]
    # The grid, extended before the score at its first quarter's length: candidate knots between the notes.
    beats = [(tick_of(q), zero_s + q * quarter_s) for q in range(-math.floor(lead_q), 0)]
    beats += [(tick_of(q), t) for q, t in enumerate(grid)]
    # Bar lines off the whole quarters (a pickup of 3/4 quarter...), on the grid between its quarters.
    bar_q = rhythm.pickup_q % bar
    while bar_q < len(grid) - 1:
        if bar_q.denominator != 1:
            i = math.floor(bar_q)
            beats.append((tick_of(bar_q), grid[i] + float(bar_q - i) * (grid[i + 1] - grid[i])))
        bar_q += bar
    note_ticks = {t for t, _ in notes}
    merged = sorted([(t, s, True) for t, s in notes] + [(t, s, False) for t, s in set(beats) if t > 0 and t not in note_ticks])
    next_note_s = [math.inf] * len(merged)  # the time of the next note knot after each knot
    upcoming = math.inf
    for i in range(len(merged) - 1, -1, -1):
        next_note_s[i] = upcoming
        if merged[i][2]:
            upcoming = merged[i][1]
    knots: list[tuple[int, float]] = [(0, 0.0)]
    for (tick, time_s, is_note), nxt in zip(merged, next_note_s):
        if tick <= knots[-1][0]:
            continue
        if is_note:
            knots.append((tick, max(time_s, knots[-1][1])))
        elif knots[-1][1] < time_s < nxt:
            knots.append((tick, time_s))
    tempi: list[tuple[int, int]] = []
    now_s = 0.0  # the time the tempo map has reached at the current knot (rounding carried forward)
    for (t0, _), (t1, s1) in itertools.pairwise(knots):
        us = min(max(round((s1 - now_s) / (t1 - t0) * ticks_per_quarter * 1e6), _TEMPO_US[0]), _TEMPO_US[1])
        tempi.append((t0, us))
        now_s += us * 1e-6 * (t1 - t0) / ticks_per_quarter
    quarter_s = last_quarter_s
    tail_us = round(quarter_s * 1e6)
    tempi.append((knots[-1][0], tail_us))
    # Collapse repeats.
    tempo_map = [tempi[0]] + [t for prev, t in itertools.pairwise(tempi) if t[1] != prev[1]]
    starts_s = [0.0]  # the time each tempo of the map starts
    for (t0, u0), (t1, _) in itertools.pairwise(tempo_map):
        starts_s.append(starts_s[-1] + u0 * 1e-6 * (t1 - t0) / ticks_per_quarter)

    def tick_at(time_s: float) -> int:
        i = max(0, bisect.bisect_right(starts_s, time_s) - 1)
        t0, u0 = tempo_map[i]
        return t0 + round((time_s - starts_s[i]) / (u0 * 1e-6) * ticks_per_quarter)

    ons = [round((lead_q + w.onset_q) * ticks_per_quarter) for w in written]
    spans = []
    for i, w in enumerate(written):
        nxt = ons[i + 1] if i + 1 < len(ons) else None
        off = tick_at(w.offset_s)
        if nxt is not None:
            off = min(off, nxt)
        spans.append((ons[i], max(ons[i] + 1, off)))
    return tempo_map, spans
