"""benchmarks.sung_onset_misses: every unmatched label and note lands in the class of what is near it."""

from __future__ import annotations

from benchmarks.sung_onset_misses import miss_classes


def test_each_miss_is_classed_by_what_lies_near_it() -> None:
    ref = [
        (0.00, 0.40, 60.0),  # matched
        (0.41, 0.80, 62.0),  # legato, ours 80 ms late: off
        (1.00, 1.40, 62.0),  # re-sung on the same pitch inside our long note: merged_same
        (1.50, 1.90, 64.0),  # a pitch change inside that note: merged
        (3.00, 3.40, 65.0),  # nothing of ours: none
    ]
    est = [
        (0.01, 0.40, 60.0),
        (0.49, 0.80, 62.0),
        (0.82, 2.00, 62.0),  # starts between two labels: outside
        (2.30, 2.50, 67.0),  # outside every label
        (3.60, 3.70, 65.0),  # inside no label either (the label ends at 3.40)
    ]
    got, errors = miss_classes(ref, est)
    assert (got["off"], got["merged_same"], got["merged"], got["none"]) == (1, 1, 1, 1)
    assert (got["est_off"], got["est_split"], got["est_outside"]) == (1, 0, 3)
    assert len(errors) == 1 and abs(errors[0][0] - 0.08) < 1e-9 and errors[0][1]


def test_a_split_inside_a_labelled_note_and_an_empty_side() -> None:
    got, _ = miss_classes([(0.0, 1.0, 60.0)], [(0.0, 0.5, 60.0), (0.5, 1.0, 60.0)])
    assert got["est_split"] == 1 and sum(got.values()) == 1
    got, errors = miss_classes([(0.0, 1.0, 60.0)], [])
    assert got["none"] == 1 and errors == []
