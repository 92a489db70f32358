"""benchmarks.onset_contexts: each true onset is classed by what comes before it, and counted found
only when one of ours matches it one to one."""

from __future__ import annotations

from benchmarks.onset_contexts import found_by_context, onset_context, repeat_gap

REF = [
    (0.00, 0.40, 60.0),  # first
    (0.40, 0.80, 60.0),  # the same pitch, no rest: repeat
    (0.80, 1.20, 62.0),  # another pitch, no rest: step
    (1.25, 1.60, 62.0),  # 50 ms of silence is no rest: a repeat still
    (1.90, 2.20, 62.0),  # 300 ms after the note before: after a rest, though the same pitch
]


def test_each_true_note_gets_the_context_of_the_note_before_it() -> None:
    assert [onset_context(REF, i) for i in range(len(REF))] == ["first", "repeat", "step", "repeat", "after_rest"]


def test_a_merged_repeat_is_a_repeat_not_found_and_an_unmatched_onset_of_ours_is_counted() -> None:
    # Ours: the first note held through the repeat (merged), the step 30 ms late, the second
    # repeat 80 ms late (missed, and matching nothing), the note after the rest on time, and a
    # split inside it.
    ours = [0.01, 0.83, 1.33, 1.90, 2.05]
    total, found, false = found_by_context(REF, ours)
    assert {k: v for k, v in total.items() if isinstance(k, str)} == {"first": 1, "repeat": 2, "step": 1, "after_rest": 1}
    assert (found["first"], found["repeat"], found["step"], found["after_rest"]) == (1, 0, 1, 1)
    assert false == 2


def test_one_onset_of_ours_matches_one_true_onset_only() -> None:
    # Two true onsets 40 ms apart (a grace note) and one of ours between them, within 50 ms of
    # both: one of them found, not both.
    ref = [(0.0, 0.5, 60.0), (0.50, 0.54, 62.0), (0.54, 1.0, 64.0)]
    total, found, false = found_by_context(ref, [0.0, 0.52])
    assert total["step"] == 2 and found["step"] == 1 and found["first"] == 1 and false == 0


def test_repeats_are_classed_by_the_silence_before_them_and_counted_found_as_repeats_are() -> None:
    assert [repeat_gap(REF, i) for i in (1, 3)] == ["none", "30-60 ms"]
    ref = [(0.0, 0.30, 60.0), (0.32, 0.6, 60.0), (0.68, 1.0, 60.0), (1.09, 1.4, 60.0)]
    assert [repeat_gap(ref, i) for i in (1, 2, 3)] == ["under 30 ms", "60-100 ms", "60-100 ms"]
    # Ours: the 20 ms repeat merged, the two after 80 and 90 ms of silence found.
    total, found, _ = found_by_context(ref, [0.0, 0.69, 1.10])
    assert total[("repeat", "under 30 ms")] == 1 and found[("repeat", "under 30 ms")] == 0
    assert total[("repeat", "60-100 ms")] == 2 and found[("repeat", "60-100 ms")] == 2
    assert found["repeat"] == 2 and total["repeat"] == 3
