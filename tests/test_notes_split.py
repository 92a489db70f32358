"""Splitting a pitch run at re-attacks (transcribe.notes.split): every part keeps its length."""

from __future__ import annotations

from transcribe.notes import split


def test_a_cut_just_before_a_voicing_gap_is_not_taken() -> None:
    # A run of 40 frames from frame 100: a voicing gap at frames 17-19 (the note sounds again from 20),
    # and a weaker re-attack candidate at 13 that would leave a 4-frame part (13-16) before the gap.
    cands = [(4.0, 20, 17), (2.5, 13, 13)]
    assert split._cut(cands, 100, 40, 6, 0) == [(100, 117), (120, 140)]


def test_cuts_that_leave_long_enough_parts_are_all_taken() -> None:
    cands = [(4.0, 20, 17), (2.5, 8, 8), (2.4, 30, 30)]
    assert split._cut(cands, 0, 40, 6, 0) == [(0, 8), (8, 17), (20, 30), (30, 40)]
    # The same candidates with a longer shortest part: the weaker ones that would leave less go.
    assert split._cut(cands, 0, 40, 10, 0) == [(0, 17), (20, 30), (30, 40)]
