"""The 2/4-or-4/4 experiment of benchmarks.fit_sung_meter (``--duple``): what each cue and way writes."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from benchmarks.datasets import read_exercise
from benchmarks.fit_sung_meter import duple_reading, knobs
from transcribe import rhythm


def test_regrouping_by_bar_length_keeps_the_values_and_takes_the_bar_nearer_the_threshold() -> None:
    # A quarter of 0.5 s: bars of 1 s (2/4) or 2 s (4/4); 2 s is nearer 2.5 s, 1 s is nearer 1.2 s.
    assert duple_reading("2/4", 0.5, 40, 32.0, cue="bar_s", way="regroup", threshold=2.5) == ("4/4", Fraction(1))
    assert duple_reading("4/4", 0.5, 40, 32.0, cue="bar_s", way="regroup", threshold=1.2) == ("2/4", Fraction(1))


def test_relabelling_keeps_the_bar_lines_and_scales_the_values_to_fill_them() -> None:
    # A 4/4 bar of 4 x 0.5 s = 2 s, shorter than 2.7 s: written as 2/4, each value halved.
    assert duple_reading("4/4", 0.5, 40, 32.0, cue="bar_s", way="relabel", threshold=2.7) == ("2/4", Fraction(1, 2))
    # A 2/4 bar holding 2 x 48/32 = 3 notes, more than 2.5: written as 4/4, each value doubled.
    assert duple_reading("2/4", 0.5, 48, 32.0, cue="notes_per_bar", way="relabel", threshold=2.5) == ("4/4", Fraction(2))
    assert duple_reading("2/4", 0.5, 48, 32.0, cue="notes_per_bar", way="relabel", threshold=3.5) == ("2/4", Fraction(1))


@pytest.mark.parametrize("way", ["regroup", "relabel"])
def test_other_meters_are_left_alone(way: str) -> None:
    assert duple_reading("3/4", 0.5, 40, 32.0, cue="bar_s", way=way, threshold=2.0) == ("3/4", Fraction(1))


def test_printed_downbeats_place_each_note_in_its_bar(tmp_path) -> None:
    ex = tmp_path / "ex.txt"
    ex.write_text("time: 2/4\nkey_fifths: 0\nmode: major\npickup_quarters: 1\nnotes: G4:1 | C5:0.5 r:0.5 D5:1 | E5:2\n")
    assert read_exercise(ex)["on_bar_line"] == [False, True, False, True]


def test_a_tie_on_the_page_measures_goes_to_the_better_bar_lines() -> None:
    from benchmarks.fit_sung_meter import best_then

    goal = np.array([0.70, 0.72, 0.72, 0.72, 0.71])
    downbeat = np.array([0.9, 0.33, 0.45, 0.40, 0.99])
    assert best_then(goal, downbeat) == 2  # not the first of the tie (1), nor the best bar lines off the top (4)
    assert best_then(np.array([0.5, 0.6]), np.array([1.0, 0.0])) == 1  # no tie: the goal alone


def test_a_search_point_writes_its_knobs_in_the_model_files_order() -> None:
    # The fit writes knobs(best) as sung_meter.npz's params and SungRhythm.load reads them back by
    # rhythm.SUNG_METER_PARAMS: a knob moved must land in its own slot, and every other stay off.
    unset = rhythm.TempoFollow()
    point = dataclasses.replace(unset, bars_price=2.0, min_bpm=50.0, level_weight=0.0)
    got = dict(zip(rhythm.SUNG_METER_PARAMS, knobs(point)))
    assert got == {**dict(zip(rhythm.SUNG_METER_PARAMS, knobs(unset))), "bars_price": 2.0, "min_bpm": 50.0, "level_weight": 0.0}
    assert knobs(unset) == (0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.3, 0.0)  # every cue off


def test_the_shipped_model_reads_back_as_the_knobs_it_stored() -> None:
    from transcribe import models

    follow = rhythm.SungRhythm.load().follow
    assert follow is not None
    stored = models.checked(rhythm.SUNG_METER_MODEL, rhythm.SUNG_METER_PARAMS).arrays["params"]
    assert knobs(follow) == tuple(float(v) for v in stored)
