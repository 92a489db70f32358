"""Every written score is correct notation, whatever the notes (issue 22).

Hypothesis generates written-note sequences (every meter the CLI accepts, pickups,
triplets, ties across barlines, notes longer than a bar, gaps, an empty score), builds
the measures, and checks the invariants; a smaller share goes all the way through
music21 to MusicXML, parsed back with lxml and checked by the benchmark's defect count,
and its notes, read back with their ties, must be the notes that went in.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from benchmarks.notation import KINDS, count_defects
from transcribe import notation
from transcribe.harmony import spell
from transcribe.output.score import build_score, to_musicxml
from transcribe.types import Rhythm, WrittenNote

F = Fraction
KEYS = ("C major", "G major", "F# major", "C# major", "Db major", "Cb major", "A minor", "Bb minor", "G# minor", "D# minor", "E major")
COMMON = ("2/4", "3/4", "4/4", "2/2", "3/8", "6/8", "9/8", "12/8", "5/4", "7/8", "4/8", "3/2", "6/4")
#: Note lengths in twelfths of a quarter: 16ths, eighths, triplets, dotted values, long notes.
LENGTHS_12 = (1, 2, 3, 4, 6, 8, 9, 12, 18, 24, 36, 48, 60, 96, 150)
PLAIN = {F(4, 2**k) for k in range(8)}
WRITTEN = PLAIN | {v * F(3, 2) for v in PLAIN} | {v * F(7, 4) for v in PLAIN}


@st.composite
def meters(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(COMMON))
    return f"{draw(st.integers(1, 32))}/{draw(st.sampled_from((1, 2, 4, 8, 16, 32)))}"


@st.composite
def melodies(draw: st.DrawFn) -> tuple[tuple[WrittenNote, ...], Rhythm, str]:
    ts = draw(meters())
    key = draw(st.sampled_from(KEYS))
    bar = Rhythm(100.0, ts, 0.0, F(0), (), ()).measure_q
    pickup = F(0)
    if draw(st.booleans()):
        pickup = F(draw(st.integers(1, max(1, int(bar * 12) - 1))), 12) % bar
    n = draw(st.integers(0, 24))
    pos = F(0)
    notes = []
    # Up to three bars a note (ties across two barlines); every length in bars of a quarter or more.
    lengths = [x for x in LENGTHS_12 if F(x, 12) <= max(3 * bar, F(1, 12))]
    for _ in range(n):
        pos += F(draw(st.sampled_from((0, 0, 0, 1, 2, 3, 4, 6, 12, 30))), 12) % (2 * bar)  # a gap (rest) before the note
        length = F(draw(st.sampled_from(lengths)), 12)
        midi = draw(st.integers(40, 90))
        notes.append(WrittenNote(0.0, 0.0, midi, spell(midi, key), pos, length, 0, 1.0, 0.0, 1.0))
        pos += length
    rhythm = Rhythm(100.0, ts, 0.0, pickup, tuple(w.onset_q for w in notes), tuple(w.duration_q for w in notes))
    return tuple(notes), rhythm, key


def _lead_q(ms: tuple[notation.Measure, ...], rhythm: Rhythm) -> F:
    """How far before the score's position 0 the first measure starts: the rests a pickup
    that starts inside a triplet is written with (0 for any other score)."""
    bar = notation.Meter.of(rhythm.time_signature).bar_q
    grid = notation.GRID_Q
    pickup = (round(rhythm.pickup_q / grid) * grid % bar) if rhythm.pickup_q > 0 else F(0)
    if not pickup:
        return F(0)
    return ms[0].length_q - pickup


def _check_measures(written: tuple[WrittenNote, ...], rhythm: Rhythm, key: str) -> None:
    meter = notation.Meter.of(rhythm.time_signature)
    ms = notation.measures(written, rhythm, key=key)
    assert ms
    spans = []  # (start, length, name) read back, ties joined
    start = -_lead_q(ms, rhythm)
    for i, m in enumerate(ms):
        if m.pickup:
            assert i == 0 and 0 < m.length_q < meter.bar_q
            # A written pickup starts on a plain position: no triplet is cut by its start.
            assert (m.length_q.denominator & (m.length_q.denominator - 1)) == 0
        else:
            assert m.length_q == meter.bar_q
        pos = F(0)
        for e in m.events:
            assert e.offset_q == pos  # one voice, no gaps, no overlaps
            pos += e.duration_q
            assert e.written_q == (e.duration_q * F(3, 2) if e.triplet else e.duration_q)
            assert e.written_q in WRITTEN
            if e.name is None:
                assert e.written_q in PLAIN or e.written_q == meter.beat_q or e.full_measure
                assert not (e.tie_start or e.tie_stop)
            if e.tie_stop:
                assert spans and spans[-1][2] == e.name and spans[-1][3]
                spans[-1] = (spans[-1][0], spans[-1][1] + e.duration_q, e.name, e.tie_start)
            elif e.name is not None:
                spans.append((start + e.offset_q, e.duration_q, e.name, e.tie_start))
            else:
                assert not (spans and spans[-1][3])
        assert pos == m.length_q
        start += m.length_q
    assert not (spans and spans[-1][3])
    assert [(s, d, nm) for s, d, nm, _ in spans] == [(w.onset_q, w.duration_q, w.name) for w in written]


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(melodies())
def test_measures_are_full_and_keep_the_notes(case: tuple[tuple[WrittenNote, ...], Rhythm, str]) -> None:
    _check_measures(*case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(melodies())
def test_musicxml_has_no_defects(case: tuple[tuple[WrittenNote, ...], Rhythm, str]) -> None:
    written, rhythm, key = case
    xml = to_musicxml(build_score(written, rhythm, key=key, title="Property"))
    assert count_defects(xml) == dict.fromkeys(KINDS, 0)
    root = etree.fromstring(xml)
    assert root.find(".//creator") is None
    assert root.findtext(".//work-title") == "Property"
    assert root.find(".//sound[@tempo]") is not None and root.find(".//instrument-name") is not None
    assert "transcribe" in "".join(s.text or "" for s in root.iter("software"))
    # The notes read back (ties joined) are the notes that went in.
    divisions, got, pos = 1, [], -_lead_q(notation.measures(written, rhythm, key=key), rhythm)
    for measure in root.iter("measure"):
        d = measure.findtext("attributes/divisions")
        divisions = int(d) if d else divisions
        for el in measure.iter("note"):
            dur = F(int(el.findtext("duration")), divisions)
            if el.find("rest") is None:
                ties = {t.get("type") for t in el.findall("tie")}
                if "stop" in ties:
                    got[-1][1] += dur
                else:
                    got.append([pos, dur, el.findtext("pitch/step"), int(float(el.findtext("pitch/alter") or 0))])
            pos += dur
    want = [[w.onset_q, w.duration_q, w.name[0], w.name.count("#") - w.name.count("b")] for w in written]
    assert got == want


def test_composer_only_when_given() -> None:
    w = (WrittenNote(0.0, 0.5, 60, "C4", F(0), F(1), 1, 1.0, 0.0, 1.0),)
    rh = Rhythm(100.0, "4/4", 0.0, F(0), (F(0),), (F(1),))
    assert b"<creator" not in to_musicxml(build_score(w, rh, key="C major", title="T"))
    xml = to_musicxml(build_score(w, rh, key="C major", title="T", composer="Clara Schumann"))
    assert etree.fromstring(xml).findtext(".//creator[@type='composer']") == "Clara Schumann"
