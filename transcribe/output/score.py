"""The only module that imports music21: written notes, rhythm and key to a Score."""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import importlib
import itertools
import math
import multiprocessing
import os
import signal
import sys
import threading
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import __version__, notation
from ..harmony import key_signature_sharps
from ..types import Rhythm, WrittenNote

if TYPE_CHECKING:  # pragma: no cover
    from music21 import stream

#: Clef names chosen from the range; see :func:`choose_clef`.
CLEFS = ("treble", "treble8vb", "bass")


def import_in_background() -> threading.Thread:
    """Start importing music21 in a daemon thread, and return the thread (join it before exit).

    music21's import takes ~0.35 s, nearly all of it Python holding the GIL,
    while the pitch model's ONNX inference runs without the GIL and leaves part
    of a second core idle: started before the transcription, the import is
    done by the time the score is built (a 3-minute song: ~0.2 s less wall time).
    A missing music21 is left for the score's own import to report.
    """

    thread = threading.Thread(target=_load_music21, name="music21-import", daemon=True)
    thread.start()
    return thread


def _load_music21() -> None:
    """Import music21 ahead of use; a missing music21 is left for the score's own import to report."""
    with contextlib.suppress(ImportError):
        importlib.import_module("music21")


class Engraver:
    """A helper process that makes the MusicXML and MIDI of transcriptions (the CLI's).

    music21's import is ~0.3 s of pure Python. In a thread of the CLI's own
    process it holds the GIL against the main thread's reading and the pitch
    model's Python glue; in a helper process forked at start-up it only shares
    the cores, and the CLI's process never loads music21. A 3-minute song on
    2 cores: 0.13 s less end to end than the thread (medians of eight
    alternating runs, 1.56 s -> 1.43 s), with the same bytes. (Starting the
    helper at the lowest CPU priority, so that it ran only on what the model
    leaves idle, made no measurable difference.)
    Linux only (:meth:`available`): the helper is forked, not spawned, so it
    starts in milliseconds.

    :meth:`render` returns ``None`` when the helper cannot serve (it failed or
    died); the caller then builds the score itself, which reports the error.
    """

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, theirs = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(theirs, self._conn, os.getpid()), name="transcribe-engraver", daemon=True)
        self._proc.start()
        theirs.close()
        self._busy = False  # a request is out (Ctrl-C can leave one unanswered)

    @staticmethod
    def available() -> bool:
        """Whether this platform can fork the helper (Linux)."""
        return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()

    def render(
        self,
        written: tuple[WrittenNote, ...],
        rhythm: Rhythm,
        *,
        key: str,
        title: str,
        composer: str | None = None,
        midi_timing: str = "recording",
    ) -> tuple[bytes, bytes] | None:
        """``(musicxml, midi)`` bytes, equal to :func:`to_musicxml` of :func:`build_score` and
        :func:`to_midi` on the same arguments; ``None`` if the helper could not make them."""
        if self._conn.closed:
            return None
        try:
            self._busy = True
            self._conn.send((written, rhythm, key, title, composer, midi_timing))
            got: tuple[bytes, bytes] | None = self._conn.recv()
            self._busy = False
        except (EOFError, OSError):  # the helper died: the caller builds the score itself
            self.close()
            return None
        return got

    def close(self) -> None:
        """Stop the helper and wait for it (at once if it is still working on an unwanted answer)."""
        if self._busy and self._proc.is_alive():
            self._proc.kill()
        if not self._conn.closed:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._conn.close()
        self._proc.join(timeout=5)
        if self._proc.is_alive():  # pragma: no cover - a helper stuck in an import
            self._proc.kill()
            self._proc.join()


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(0)


#: prctl option: the signal a process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _serve(conn: Any, parents_end: Any = None, parent_pid: int = 0) -> None:
    """The helper's loop: import music21, then serve requests until ``None`` or end-of-file.

    It lets go of everything it inherited that would keep others waiting: the pipe's other
    end (else it never sees end-of-file), and the caller's stdin, stdout and stderr (else
    ``transcribe ... | tee log`` waits for it); and it dies with its parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the CLI's process to handle
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)  # not the CLI's handlers, inherited through the fork
    if parents_end is not None:
        parents_end.close()
    if parent_pid:
        _die_with_parent(parent_pid)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    _load_music21()  # without music21 each request answers None, and the caller reports it
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        written, rhythm, key, title, composer, midi_timing = request
        try:
            answer: tuple[bytes, bytes] | None = (
                to_musicxml(build_score(written, rhythm, key=key, title=title, composer=composer)),
                to_midi(written, rhythm, key=key, title=title, timing=midi_timing),
            )
        except Exception:  # any failure: the caller builds the score itself, which reports it
            answer = None
        conn.send(answer)


def choose_clef(midis: list[int]) -> str:
    """Clef that keeps a melody of these MIDI numbers on the staff.

    Treble for melodies centred at or above middle C, treble-8vb (the tenor
    and guitar clef) for those an octave lower, bass below that.
    """
    if not midis:
        return "treble"
    ordered = sorted(midis)
    median = ordered[len(ordered) // 2]
    if median >= 59:
        return "treble"
    if median >= 50 and ordered[0] >= 45:
        return "treble8vb"
    return "bass"


def instrument_for(clef: str) -> tuple[str, int]:
    """A General-MIDI instrument (name, program 0-127) that fits a clef's range."""
    return {"treble": ("Flute", 73), "treble8vb": ("Acoustic Guitar", 24), "bass": ("Violoncello", 42)}[clef]


def build_score(
    written: tuple[WrittenNote, ...],
    rhythm: Rhythm,
    *,
    key: str,
    title: str,
    clef: str | None = None,
    composer: str | None = None,
) -> stream.Score:
    """Engrave-ready music21 Score of one monophonic part.

    Args:
        written: Notes with score positions and written lengths (quarters).
        rhythm: Tempo, time signature and pickup.
        key: Key like ``"G major"``; the key signature and spelling follow it.
        title: Score title.
        clef: One of :data:`CLEFS`, or ``None`` to choose from the range.
        composer: The composer to name, or ``None`` for none.

    Returns:
        A Score with measures, ties across barlines, rests, a pickup measure
        when the melody starts off the downbeat, key, time signature, tempo
        mark, clef, instrument and title.
    """
    from music21 import clef as m21clef
    from music21 import instrument, metadata, meter, note, stream, tempo
    from music21 import key as m21key

    clef = clef or choose_clef([w.midi for w in written])
    score = stream.Score()
    score.metadata = metadata.Metadata()
    score.metadata.title = title
    score.metadata.movementName = title
    if composer:
        score.metadata.composer = composer
    part = stream.Part()
    part.id = "P1"
    inst_name, program = instrument_for(clef)
    inst = instrument.Instrument(inst_name)
    inst.partName = inst_name
    inst.instrumentName = inst_name
    inst.midiProgram = program
    inst.midiChannel = 0
    part.partName = inst_name
    part.style.printPartName = False  # the instrument is a guess from the range; don't print it beside the staff
    part.insert(0, inst)
    part_clef = {"treble": m21clef.TrebleClef, "treble8vb": m21clef.Treble8vbClef, "bass": m21clef.BassClef}[clef]()
    part.insert(0, part_clef)
    tonic, mode = key.split()
    ks = m21key.Key(tonic.replace("b", "-"), mode)
    if ks.sharps != key_signature_sharps(key):  # pragma: no cover - guards the two tables agreeing
        ks = m21key.KeySignature(key_signature_sharps(key))
    part.insert(0, ks)
    ts = meter.TimeSignature(rhythm.time_signature)
    part.insert(0, ts)
    compound = rhythm.time_signature.endswith("/8") and int(rhythm.time_signature.split("/")[0]) % 3 == 0
    if compound:
        mark = tempo.MetronomeMark(number=round(rhythm.bpm / 1.5), referent=note.Note(type="quarter", dots=1).duration)
    else:
        mark = tempo.MetronomeMark(number=round(rhythm.bpm))
    part.insert(0, mark)

    for m in notation.measures(written, rhythm, key=key):
        measure = stream.Measure(number=m.number)
        if m.pickup:
            measure.paddingLeft = rhythm.measure_q - m.length_q
            # An implicit measure: MuseScore and others leave it out of the bar count.
            measure.showNumber = stream.enums.ShowNumber.NEVER
        for ev in m.events:
            measure.insert(ev.offset_q, _element(ev))
        part.append(measure)
    first = part.getElementsByClass(stream.Measure).first()
    if first is not None:  # the signatures, clef and tempo open the first measure
        for el in (mark, ts, ks, part_clef, inst):
            part.remove(el)
            first.insert(0, el)
    for measure in part.getElementsByClass(stream.Measure):
        measure.makeBeams(inPlace=True)
    score.insert(0, part)
    return score


def _element(ev: notation.Event) -> Any:
    """The music21 note or rest of one written event."""
    from music21 import duration, note, pitch, tie

    d = duration.Duration(ev.written_q)
    if ev.triplet:
        t = duration.Tuplet(3, 2)
        t.type = ev.bracket
        t.bracket = True
        d.appendTuplet(t)
    if ev.name is None:
        el = note.Rest(duration=d)
        if ev.full_measure:
            el.fullMeasure = True
        return el
    letter, alter, octave = notation.parse_name(ev.name)
    p = pitch.Pitch(step=letter, octave=octave)
    p.accidental = pitch.Accidental(alter) if alter or ev.accidental else None
    if p.accidental is not None:
        p.accidental.displayStatus = ev.accidental is not None
        p.accidental.displayType = "always" if ev.accidental is not None else "never"
    el = note.Note(p, duration=d)
    if ev.tie_start or ev.tie_stop:
        el.tie = tie.Tie("continue" if ev.tie_start and ev.tie_stop else "start" if ev.tie_start else "stop")
    return el


def to_musicxml(score: stream.Score) -> bytes:
    """Serialise a Score from :func:`build_score` (already fully notated) to MusicXML 4.0 bytes.

    The score is not changed.
    """
    from music21 import defaults
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    exporter = GeneralObjectExporter(score)
    exporter.makeNotation = False  # build_score has done it; music21's pass would redo it on a copy
    # music21 names itself the composer of a score that has none (its documented knob is this module
    # setting); the page shows a composer only when the user gave one.
    author, defaults.author = defaults.author, ""
    try:
        data = exporter.parse()
    finally:
        defaults.author = author
    # Name this program in <encoding> next to music21, and make the part ids
    # stable (music21 derives them from object ids), so equal input gives equal files.
    data = data.replace(b"<software>", f"<software>transcribe {__version__}</software>\n      <software>".encode(), 1)
    return _stable_ids(data)


def _stable_ids(data: bytes) -> bytes:
    import re

    ids = list(dict.fromkeys(re.findall(rb'id="((?:P|I)[0-9a-f]{8,})"', data)))
    for i, old in enumerate(ids, 1):
        data = data.replace(b'"' + old + b'"', b'"' + old[:1] + str(i).encode() + b'"')
    return data


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

    num, den = (int(x) for x in rhythm.time_signature.split("/"))
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
        (0, 0, meta(MetaEvents.KEY_SIGNATURE, bytes([sharps & 0xFF, 1 if key.endswith("minor") else 0]))),
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
