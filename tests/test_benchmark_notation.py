"""The notation check's count of unfilled triplets (``benchmarks/notation.py``), on hand-made MusicXML."""

from __future__ import annotations

import pytest

from benchmarks.notation import count_defects

TRIPLET_EIGHTH = (
    "<note><pitch><step>G</step><octave>4</octave></pitch><duration>4</duration><type>eighth</type>"
    "<time-modification><actual-notes>3</actual-notes><normal-notes>2</normal-notes></time-modification></note>"
)
QUARTER = "<note><pitch><step>C</step><octave>5</octave></pitch><duration>12</duration><type>quarter</type></note>"


ATTRIBUTES = (
    "<attributes><divisions>12</divisions><key><fifths>0</fifths></key><time><beats>2</beats><beat-type>4</beat-type></time></attributes>"
)


def _score(pickup: str, bar: str) -> bytes:
    """A 2/4 part: a pickup measure (``implicit``) and one full bar."""
    bars = f'<measure number="0" implicit="yes">{ATTRIBUTES}{pickup}</measure><measure number="1">{bar}</measure>'
    return f'<score-partwise version="4.0"><part-list/><part id="P1">{bars}</part></score-partwise>'.encode()


@pytest.mark.parametrize(
    ("pickup", "unfilled"),
    [
        (TRIPLET_EIGHTH, 1),  # a lone triplet eighth before the bar line
        (TRIPLET_EIGHTH * 3, 0),  # a whole triplet
        (QUARTER, 0),
    ],
)
def test_unfilled_triplets_are_counted(pickup: str, unfilled: int) -> None:
    got = count_defects(_score(pickup, QUARTER + TRIPLET_EIGHTH * 3))
    assert got["incomplete_tuplets"] == unfilled
    assert got["bad_bars"] == 0
