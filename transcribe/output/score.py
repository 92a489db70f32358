"""The music21 score of the written notes, and its MusicXML (with :mod:`.midi`, the only music21 imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import __version__, notation
from ..harmony import key_signature_sharps
from ..types import Rhythm, WrittenNote
from ..values import Key

if TYPE_CHECKING:  # pragma: no cover
    from music21 import stream


#: Clef names chosen from the range; see :func:`choose_clef`.
CLEFS = ("treble8va", "treble", "treble8vb", "bass", "bass8vb")


def choose_clef(midis: list[int]) -> str:
    """Clef that keeps a melody of these MIDI numbers on the staff.

    Treble for melodies centred at or above middle C, treble-8vb (the tenor
    and guitar clef) for those an octave lower, bass below that; treble-8va
    (a piccolo's, a whistled tune's) for those centred an octave above the
    treble's, none under C5, which would stand on four ledger lines and more;
    bass-8vb (a double bass's, a bass guitar's low line) for those centred
    under E2, none over F3.
    """
    if not midis:
        return "treble"
    ordered = sorted(midis)
    median = ordered[len(ordered) // 2]
    if median >= 84 and ordered[0] >= 72:
        return "treble8va"
    if median >= 59:
        return "treble"
    if median >= 50 and ordered[0] >= 45:
        return "treble8vb"
    if median < 40 and ordered[-1] <= 53:
        return "bass8vb"
    return "bass"


def instrument_for(clef: str) -> tuple[str, int]:
    """A General-MIDI instrument (name, program 0-127) that fits a clef's range."""
    return {
        "treble8va": ("Piccolo", 72),
        "treble": ("Flute", 73),
        "treble8vb": ("Acoustic Guitar", 24),
        "bass": ("Violoncello", 42),
        "bass8vb": ("Contrabass", 43),
    }[clef]


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
        mark, clef, instrument, title and a final bar line.
    """
    from music21 import bar, instrument, metadata, meter, note, stream, tempo
    from music21 import clef as m21clef
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
    part_clef = {
        "treble8va": m21clef.Treble8vaClef,
        "treble": m21clef.TrebleClef,
        "treble8vb": m21clef.Treble8vbClef,
        "bass": m21clef.BassClef,
        "bass8vb": m21clef.Bass8vbClef,
    }[clef]()
    part.insert(0, part_clef)
    ks = m21key.Key(Key(key).tonic.replace("b", "-"), Key(key).mode)
    if ks.sharps != key_signature_sharps(key):  # pragma: no cover - guards the two tables agreeing
        ks = m21key.KeySignature(key_signature_sharps(key))
    part.insert(0, ks)
    ts = meter.TimeSignature(str(rhythm.time_signature))
    part.insert(0, ts)
    compound = rhythm.time_signature.is_compound
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
    last = part.getElementsByClass(stream.Measure).last()
    if last is not None:  # a piece ends with a final bar line (thin-thick), as printed music does
        last.rightBarline = bar.Barline("final")
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
