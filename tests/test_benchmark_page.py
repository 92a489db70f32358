"""The ssvd-scores page measures (issue 23) and the published sung-note protocol (issue 24)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from benchmarks.datasets import PageTruth, pair_alignment, read_exercise
from benchmarks.metrics import bar_right, note_scores, page_scores


def _page(**kw: object) -> PageTruth:
    base = dict(
        exercise="ex",
        time_signature="3/4",
        major_pc=2,  # C major printed, sung 2 semitones up: D major
        transpose=2,
        label_notes=((0.0, 0.5, 62.3), (0.5, 1.0, 64.4), (1.0, 2.0, 66.2), (2.0, 3.0, 60.0)),
        intended_midi=(62, 64, 66, None),
        written_q=(Fraction(1), Fraction(1), Fraction(2), None),
    )
    base.update(kw)
    return PageTruth(**base)  # type: ignore[arg-type]


def test_read_exercise_sums_tie_chains_and_reads_sharps(tmp_path: Path) -> None:
    ex = tmp_path / "ex.txt"
    ex.write_text("time: 3/4\nkey_fifths: 1\nmode: major\npickup_quarters: 1\nnotes: F#4:1 | G4:2~ | G4:1 r:1 Bb3:1/3\n")
    got = read_exercise(ex)
    assert got["time"] == "3/4" and got["key_fifths"] == 1 and got["pickup_q"] == 1
    assert got["notes"] == [(66, 1), (67, 3), (67, 3), (58, Fraction(1, 3))]


def test_alignment_pairs_by_sung_pitch_even_with_another_time_origin() -> None:
    labels = [(0.7, 0.9, 61.02), (0.9, 1.2, 62.85), (1.2, 1.5, 64.35), (1.5, 1.8, 65.27)]
    rows = [[2.21, 61.02, 0, 60], [2.71, 64.35, 2, 64], [3.0, 65.27, 3, 65]]  # one note left out, 1.5 s later
    assert pair_alignment(labels, rows) == [0, None, 1, 2]


def test_page_scores_count_pitch_key_meter_and_lengths() -> None:
    page = _page()
    written = [(0.01, Fraction(1, 2), 62), (0.52, Fraction(1, 2), 65), (1.0, Fraction(1), 66), (2.0, Fraction(1), 60)]
    got = page_scores(written, "B minor", "3/4", page)
    assert got["key_rel"] == 1.0  # B minor has D major's signature
    assert got["ts_right"] == 1.0
    assert got["page_matched"] == 3  # the last label has no place in the score
    assert abs(got["pitch_right"] - 2 / 3) < 1e-9
    assert got["dur_right"] == 1.0 and got["dur_scale"] == 0.5  # every length at half: one factor for the take
    worse = page_scores(written, "G major", "2/2", page)
    assert worse["key_rel"] == 0.0 and worse["ts_right"] == 0.0
    assert worse["bar_right"] == 0.0  # a bar of four quarters at half the lengths holds 8/3 bars of the print
    assert page_scores(written, "D major", "3/4", page)["bar_right"] == 1.0


def test_bar_length_tells_a_printed_beat_unit_from_a_wrong_bar() -> None:
    # A 4/4 sung at 92 BPM written as 2/4 at 46 with every value halved: the print's bar in one of ours.
    assert bar_right("2/4", "4/4", Fraction(1, 2)) == 1.0
    assert bar_right("4/4", "2/4", Fraction(2)) == 1.0  # a 2/4 of sixteenths written as 4/4 of eighths
    assert bar_right("2/4", "4/4", Fraction(1)) == 0.0  # half the printed bar
    assert bar_right("3/4", "6/8", Fraction(1)) == 0.0  # the same length, not the same beats
    assert bar_right("3/4", "3/4", Fraction(2)) == 1.0  # the printed signature itself always counts
    assert bar_right(None, "3/4", Fraction(1)) == 0.0


def test_published_protocol_compares_fractional_sung_pitch() -> None:
    ref = [(0.0, 0.5, 60.45), (0.5, 1.0, 62.0)]
    # A note sung at 60.55 rounds to 61 at A440, 55 cents from the label's 60.45: the
    # fractional estimate matches where the rounded one does not.
    assert note_scores(ref, [(0.0, 0.5, 60.55), (0.5, 1.0, 62.1)])["conp_f1"] == 1.0
    assert note_scores([(0.0, 0.5, 60.45), (0.5, 1.0, 62.0)], [(0.0, 0.5, 61.0), (0.5, 1.0, 62.0)])["conp_f1"] == 0.5
    assert note_scores(ref, [(0.02, 0.3, 70.0), (0.5, 1.0, 62.0)])["on_f1"] == 1.0


def test_given_meter_reads_the_printed_or_rendered_time_signature() -> None:
    from benchmarks.datasets import Item
    from benchmarks.run import true_tempo_bpm, true_time_signature

    sung = Item("ssvd-scores", "1", Path("1.flac"), (), page=_page(time_signature="2/4"))
    rendered = Item("rendered", "r", Path("r.wav"), (), truth={"time_signature": "6/8", "tempo_bpm": 132.0001})
    assert true_time_signature(sung) == "2/4"
    assert true_time_signature(rendered) == "6/8"
    assert true_time_signature(Item("vocadito", "v", Path("v.wav"), ())) is None
    assert true_tempo_bpm(rendered) == 132.0001 and true_tempo_bpm(sung) is None


def test_a_prediction_marks_the_notes_that_start_a_bar(sample_result) -> None:
    from benchmarks.systems import Prediction, adapt_result

    pred = adapt_result(sample_result, Prediction("ours", "s", "i"))
    rh = sample_result.rhythm
    assert len(pred.on_downbeat) == len(pred.notes) == len(rh.onsets_q)
    # Ode to Joy in 4/4 from its first note: every fourth quarter starts a bar, the first note too.
    assert pred.on_downbeat[0] and sum(pred.on_downbeat) >= 4
    assert pred.on_downbeat == [(q - rh.pickup_q) % rh.measure_q == 0 for q in rh.onsets_q]


def test_bar_lines_of_a_rendered_tune_are_scored_by_onset() -> None:
    from benchmarks.metrics import bar_line_f1, bar_line_f1_by_onset

    truth_on, truth_bar = [0.5, 1.0, 2.0, 2.5], [False, True, False, True]
    onsets = [0.51, 1.02, 2.01, 2.49, 3.0]  # the last matches nothing
    assert bar_line_f1_by_onset(truth_on, truth_bar, onsets, [False, True, False, True, True]) == 1.0
    # Every bar line a beat early: none of the tune's kept.
    assert bar_line_f1_by_onset(truth_on, truth_bar, onsets, [True, False, True, False, False]) == 0.0
    # A label the print places nowhere is left out.
    assert bar_line_f1_by_onset(truth_on, [None, True, False, True], onsets, [True, True, False, True, False]) == 1.0
    assert bar_line_f1([(True, True), (True, False), (False, False)]) == 2 / 3
    assert bar_line_f1([(False, False)]) == 1.0
