"""benchmarks.offset_contexts: each matched true note's offset is right within mir_eval's
tolerance, or put in one cause by what follows the true note."""

from __future__ import annotations

from benchmarks.offset_contexts import causes, offset_cause

REF = [
    (0.00, 0.40, 60.0),  # a repeat follows without a rest
    (0.40, 0.80, 60.0),  # a step follows without a rest
    (0.80, 1.20, 62.0),  # a rest of 300 ms follows
    (1.50, 2.00, 64.0),  # the last note
]


def test_a_right_offset_is_within_50_ms_or_a_fifth_of_the_note() -> None:
    # 0.40 s long: the tolerance is 80 ms.
    assert offset_cause(REF, 0, 0.47) == "right"
    assert offset_cause(REF, 0, 0.33) == "right"
    assert offset_cause(REF, 0, 0.49) != "right"


def test_a_late_offset_is_named_by_what_it_runs_into() -> None:
    assert offset_cause(REF, 0, 0.80) == "late: into a repeat"
    assert offset_cause(REF, 1, 1.00) == "late: into a step"
    assert offset_cause(REF, 2, 1.45) == "late: through a rest"
    assert offset_cause(REF, 3, 2.30) == "late: the last note"


def test_an_early_offset_is_named_by_what_follows_the_true_note() -> None:
    assert offset_cause(REF, 1, 0.65) == "early: before a step"
    assert offset_cause(REF, 2, 1.00) == "early: before a rest"
    assert offset_cause(REF, 3, 1.80) == "early: the last note"


def test_only_notes_matched_by_onset_and_pitch_are_counted() -> None:
    # Ours: the first note held through the repeat (merged: the second true note unmatched), the
    # note before the rest on time with a good offset, the last note a semitone off (unmatched).
    ours = [(0.01, 0.79, 60.0), (0.81, 1.22, 62.0), (1.50, 1.60, 65.0)]
    got = causes(REF, ours)
    assert got == {"late: into a repeat": 1, "right": 1}
