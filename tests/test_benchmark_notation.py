"""The notation check's counts (``benchmarks/notation.py``) on hand-made MusicXML: unfilled triplets,
final bar lines."""

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


FINAL = '<barline location="right"><bar-style>light-heavy</bar-style></barline>'


def _score(pickup: str, bar: str, *, pickup_end: str = "", bar_end: str = FINAL) -> bytes:
    """A 2/4 part: a pickup measure (``implicit``) and one full bar, each ending with the given
    bar line (by default a plain one, then the final one)."""
    bars = f'<measure number="0" implicit="yes">{ATTRIBUTES}{pickup}{pickup_end}</measure><measure number="1">{bar}{bar_end}</measure>'
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


@pytest.mark.parametrize(
    ("pickup_end", "bar_end", "defects"),
    [
        ("", FINAL, 0),
        ("", "", 1),  # no final bar line
        (FINAL, "", 2),  # one before the last measure, and none at the end
        ("", '<barline location="right"><bar-style>light-light</bar-style></barline>', 1),
    ],
)
def test_a_final_bar_line_is_expected_at_the_end_and_only_there(pickup_end: str, bar_end: str, defects: int) -> None:
    got = count_defects(_score(QUARTER, QUARTER * 2, pickup_end=pickup_end, bar_end=bar_end))
    assert got["final_barlines"] == defects
    assert sum(got.values()) == defects
