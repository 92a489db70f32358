"""Notation on synthetic melodies with a known meter, key and rhythm (issue: sheet music that reads right)."""

from __future__ import annotations

from fractions import Fraction

import pytest

import transcribe
from tests.synth import melody, render
from transcribe import notation
from transcribe.types import Rhythm, WrittenNote

F = Fraction

# Each case: (name, key, time signature, quarter BPM, pickup in quarters, [(midi, quarters)]).
# fmt: off
WALTZ = [  # C major, 3/4: long notes on the downbeat
    (60, 2), (64, 1), (67, 2), (64, 1), (65, 2), (62, 1), (67, 3),
    (64, 2), (67, 1), (72, 2), (71, 1), (69, 2), (65, 1), (67, 3),
    (60, 2), (64, 1), (67, 2), (64, 1), (65, 2), (62, 1), (64, 1), (62, 1), (60, 1), (60, 3),
]
JIG = [  # G major, 6/8: quarter-eighth figures, running eighths, dotted quarters on downbeats
    (67, 1), (71, 0.5), (74, 1), (71, 0.5), (72, 1.5), (69, 1), (71, 0.5),
    (67, 1), (71, 0.5), (74, 0.5), (72, 0.5), (71, 0.5), (69, 1.5), (69, 0.5), (71, 0.5), (69, 0.5),
    (67, 1), (71, 0.5), (74, 1), (71, 0.5), (72, 1.5), (74, 1), (72, 0.5),
    (71, 1), (69, 0.5), (67, 1), (66, 0.5), (67, 1.5),
]
PICKUP = [  # F major, 4/4 starting on beat 4
    (60, 1),
    (65, 2), (67, 1), (69, 1), (70, 2), (69, 1), (67, 1), (65, 2), (67, 1), (65, 1), (64, 3), (60, 1),
    (65, 2), (67, 1), (69, 1), (72, 2), (70, 1), (69, 1), (67, 2), (64, 1), (67, 1), (65, 3),
]
DOTTED = [  # D major, 4/4: dotted-quarter + eighth figures
    (62, 1.5), (64, 0.5), (66, 1), (62, 1), (69, 1.5), (67, 0.5), (66, 2),
    (67, 1.5), (69, 0.5), (71, 1), (67, 1), (66, 1.5), (64, 0.5), (62, 2),
    (62, 1.5), (64, 0.5), (66, 1), (69, 1), (71, 1.5), (69, 0.5), (67, 2),
    (66, 1.5), (64, 0.5), (62, 1), (64, 1), (62, 4),
]
TRIPLET = [  # A minor, 4/4 with eighth-note triplets on some beats
    (69, 1), (72, 1), (71, F(1, 3)), (72, F(1, 3)), (71, F(1, 3)), (69, 1),
    (68, 2), (64, 2),
    (69, 1), (71, 1), (72, F(1, 3)), (74, F(1, 3)), (72, F(1, 3)), (71, 1),
    (69, 2), (69, 2),
    (76, 1), (74, 1), (72, F(1, 3)), (71, F(1, 3)), (69, F(1, 3)), (68, 1),
    (69, 4),
]
TWO_FOUR = [  # C major, 2/4: thirteen bars, each phrase ending on a half note on a downbeat
    (60, 1), (64, 1), (67, 0.5), (67, 0.5), (67, 1), (69, 0.5), (67, 0.5), (65, 0.5), (64, 0.5), (62, 2),
    (62, 1), (65, 1), (69, 0.5), (69, 0.5), (69, 1), (71, 0.5), (69, 0.5), (67, 0.5), (65, 0.5), (64, 2),
    (60, 1), (64, 1), (67, 0.5), (67, 0.5), (67, 1), (72, 0.5), (71, 0.5), (69, 0.5), (67, 0.5), (65, 1), (62, 1),
    (60, 2),
]
# fmt: on

CASES = [
    ("waltz", "C major", "3/4", 120.0, F(0), WALTZ),
    ("jig", "G major", "6/8", 120.0, F(0), JIG),
    ("pickup", "F major", "4/4", 100.0, F(1), PICKUP),
    ("dotted", "D major", "4/4", 96.0, F(0), DOTTED),
    ("triplet", "A minor", "4/4", 80.0, F(0), TRIPLET),
    ("two-four", "C major", "2/4", 100.0, F(0), TWO_FOUR),
]


@pytest.mark.parametrize(("name", "key", "ts", "bpm", "pickup", "tune"), CASES, ids=[c[0] for c in CASES])
def test_meter_key_and_durations(name: str, key: str, ts: str, bpm: float, pickup: Fraction, tune: list) -> None:
    notes = melody([(m, float(q)) for m, q in tune], bpm=bpm, gap_s=0.03)
    r = transcribe.transcribe(render(notes, vibrato_cents=10.0), sr=44100, title=name)
    assert [n.midi for n in r.notes] == [m for m, _ in tune]
    assert r.time_signature == ts
    assert r.key == key
    assert r.rhythm.pickup_q == pickup
    assert abs(r.tempo_bpm / bpm - 1.0) < 0.04
    written = [w.duration_q for w in r.written]
    # Every note but the last (whose end the recording's end decides) has its written length.
    assert written[:-1] == [F(q).limit_denominator(12) for _, q in tune[:-1]]


def test_spelling_follows_the_key() -> None:
    notes = melody([(m, float(q)) for m, q in PICKUP], bpm=100.0, gap_s=0.03)
    r = transcribe.transcribe(render(notes), sr=44100)
    names = {w.name for w in r.written}
    assert "Bb4" in names and "A#4" not in names
    xml = r.to_musicxml().decode()
    assert "<fifths>-1</fifths>" in xml


@pytest.mark.parametrize(("given", "usual", "fifths"), [("E# major", "F major", -1), ("Fb major", "E major", 4)])
def test_key_beyond_seven_accidentals_is_written_as_its_enharmonic(given: str, usual: str, fifths: int) -> None:
    notes = melody([(m, float(q)) for m, q in PICKUP], bpm=100.0, gap_s=0.03)
    with pytest.warns(transcribe.TranscribeWarning, match=f"{given} is written as {usual}"):
        r = transcribe.transcribe(render(notes), sr=44100, key=given)
    assert r.key == usual
    assert not any("##" in w.name or "bb" in w.name for w in r.written)
    assert f"<fifths>{fifths}</fifths>" in r.to_musicxml().decode()


@pytest.mark.parametrize(
    ("ts", "onset_q", "length_q", "pieces_q"),
    [
        ("3/4", F(0), F(5, 2), [F(2), F(1, 2)]),  # beat 1 held 2.5 beats: half tied to eighth
        ("3/4", F(0), F(11, 4), [F(2), F(3, 4)]),
        ("3/4", F(1, 2), F(5, 2), [F(1, 2), F(2)]),  # off the beat: to the beat first
        ("4/4", F(1), F(5, 2), [F(1), F(3, 2)]),  # the middle of a 4/4 bar stays visible
        ("9/8", F(0), F(9, 2), [F(3), F(3, 2)]),  # a full 9/8 bar: dotted half tied to dotted quarter
        ("6/8", F(0), F(2), [F(3, 2), F(1, 2)]),  # four eighths from a compound beat: not a half note
        ("12/8", F(0), F(4), [F(3), F(1)]),
        ("6/8", F(0), F(3), [F(3)]),
    ],
)
def test_held_note_is_written_with_the_longest_value_first(ts: str, onset_q: Fraction, length_q: Fraction, pieces_q: list) -> None:
    """A note that starts on a beat takes the longest value that fits, then the rest of its length tied;
    in a compound meter a value that crosses a beat lasts whole beats."""
    w = WrittenNote(0.0, 0.0, 67, "G4", onset_q, length_q, 0, 1.0, 0.0, 1.0)
    rhythm = Rhythm(100.0, ts, 0.0, F(0), (onset_q,), (length_q,))
    bars = notation.measures((w,), rhythm, key="C major")
    notes = [e for e in bars[0].events if e.name is not None]
    assert [e.written_q for e in notes] == pieces_q
    assert [e.tie_start for e in notes] == [True] * (len(notes) - 1) + [False]


@pytest.mark.parametrize(
    ("ts", "first_q", "onset_q", "rests_q"),
    [
        # The first two eighths of a compound beat are one quarter rest, its last two two eighth
        # rests (Gould): an eighth on the downbeat, then a note late in the bar ...
        ("6/8", F(1, 2), F(5, 2), [F(1, 2), F(1, 2), F(1)]),
        ("12/8", F(1, 2), F(11, 2), [F(1, 2), F(1, 2), F(3, 2), F(3, 2), F(1)]),
        # ... and a note that ends two eighths before the bar line, the next bar's note after it.
        ("6/8", F(2), F(3), [F(1, 2), F(1, 2)]),
        ("9/8", F(1, 2), F(4), [F(1, 2), F(1, 2), F(3, 2), F(1)]),
        ("3/4", F(1, 2), F(5, 2), [F(1, 2), F(1), F(1, 2)]),  # simple time: beats, then an eighth rest
    ],
)
def test_rests_after_a_note_follow_the_beat(ts: str, first_q: Fraction, onset_q: Fraction, rests_q: list) -> None:
    """The rests of the first bar after its note, written on the beat's terms."""
    notes = (
        WrittenNote(0.0, 0.0, 67, "G4", F(0), first_q, 0, 1.0, 0.0, 1.0),
        WrittenNote(0.0, 0.0, 69, "A4", onset_q, F(1, 2), 1, 1.0, 0.0, 1.0),
    )
    rhythm = Rhythm(100.0, ts, 0.0, F(0), (F(0), onset_q), (first_q, F(1, 2)))
    events = notation.measures(notes, rhythm, key="C major")[0].events
    rests = [e.written_q for e in events if e.name is None]
    assert rests == rests_q
    assert sum(e.written_q for e in events) == notation.Meter.of(ts).bar_q


def test_pickup_inside_a_triplet_is_written_from_its_beat_with_the_triplet_rests() -> None:
    """A lone triplet eighth before the first bar line (pickup 1/3 quarter) is not a bracket of one:
    the pickup bar starts on its beat, a triplet quarter rest filling the bracket before the note."""
    notes = (
        WrittenNote(0.0, 0.0, 67, "G4", F(0), F(1, 3), 0, 1.0, 0.0, 1.0),
        WrittenNote(0.0, 0.0, 72, "C5", F(1, 3), F(2), 1, 1.0, 0.0, 1.0),
    )
    rhythm = Rhythm(100.0, "2/4", 0.0, F(1, 3), (F(0), F(1, 3)), (F(1, 3), F(2)))
    bars = notation.measures(notes, rhythm, key="C major")
    pickup = bars[0]
    assert pickup.pickup and pickup.number == 0 and pickup.length_q == 1
    assert [(e.name, e.triplet, e.written_q, e.bracket) for e in pickup.events] == [
        (None, True, F(1), "start"),
        ("G4", True, F(1, 2), "stop"),
    ]
    assert [e.name for e in bars[1].events] == ["C5"] and bars[1].number == 1 and bars[1].length_q == 2
