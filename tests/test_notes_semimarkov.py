"""The semi-Markov onset decode (transcribe.notes.semimarkov): log-odds of each onset plus a note-length prior."""

from __future__ import annotations

import numpy as np

from transcribe.notes import semimarkov


def _peaks_at(n: int, at: dict[int, float]) -> np.ndarray:
    p = np.full(n, 0.01)
    for i, v in at.items():
        p[i] = v
    return p


def test_sound_ends_bridge_short_gaps_and_leave_rests_open() -> None:
    voiced = np.zeros(40, dtype=bool)
    voiced[5:15] = True
    voiced[17:25] = True  # a 2-frame gap: the same sound
    voiced[30:35] = True  # a 5-frame gap: a new sound
    ends = semimarkov.sound_ends(voiced)
    assert ends[5] == 25 and ends[20] == 25 and ends[15] == 25
    assert ends[31] == 35
    assert ends[27] == 40 and ends[0] == 40  # outside every sound


def test_without_a_prior_it_takes_the_peaks_above_the_threshold() -> None:
    n = 300
    p = _peaks_at(n, {10: 0.9, 60: 0.6, 110: 0.3, 160: 0.45, 250: 0.8})
    ends = semimarkov.sound_ends(np.ones(n, dtype=bool))
    got = semimarkov.onsets(p, ends=ends, threshold=0.4, floor=0.05, weight=0.0, typical_frames=50, min_gap=4)
    assert got.tolist() == [10, 60, 160, 250]


def test_a_weak_peak_inside_a_long_note_is_taken_and_one_that_makes_two_short_notes_is_not() -> None:
    n = 450
    # Notes of about 50 frames; from 150 on one voiced stretch of 200 frames with a weak peak at 250,
    # and a weak peak at 70, 20 frames into a 50-frame note.
    p = _peaks_at(n, {0: 0.9, 50: 0.9, 70: 0.3, 100: 0.9, 150: 0.9, 250: 0.3, 350: 0.9, 400: 0.9})
    ends = semimarkov.sound_ends(np.ones(n, dtype=bool))
    kw = dict(ends=ends, threshold=0.4, floor=0.05, typical_frames=50, min_gap=4)
    plain = semimarkov.onsets(p, weight=0.0, **kw)
    assert 250 not in plain and 70 not in plain
    prior = semimarkov.onsets(p, weight=1.0, **kw)
    assert 250 in prior  # splits a note four times the typical length into two
    assert 70 not in prior  # would leave notes of 20 and 30 frames
    assert set(plain) <= set(prior)


def test_a_rest_does_not_make_a_note_long() -> None:
    n = 400
    voiced = np.zeros(n, dtype=bool)
    for a in (0, 100, 200, 300):
        voiced[a : a + 45] = True  # 45-frame notes with rests between them
    p = _peaks_at(n, {0: 0.9, 100: 0.9, 200: 0.9, 300: 0.9, 70: 0.2, 150: 0.2})  # weak peaks in the rests
    got = semimarkov.onsets(p, ends=semimarkov.sound_ends(voiced), threshold=0.4, floor=0.05, weight=1.0, typical_frames=45, min_gap=4)
    assert got.tolist() == [0, 100, 200, 300]


def test_onsets_keep_the_minimum_gap_and_empty_input() -> None:
    n = 100
    p = _peaks_at(n, {20: 0.9, 22: 0.85, 60: 0.9})
    ends = semimarkov.sound_ends(np.ones(n, dtype=bool))
    got = semimarkov.onsets(p, ends=ends, threshold=0.4, floor=0.05, weight=0.5, typical_frames=40, min_gap=4)
    assert np.all(np.diff(got) >= 4) and 60 in got
    none = semimarkov.onsets(np.zeros(2), ends=np.array([2, 2]), threshold=0.4, floor=0.05, weight=0.5, typical_frames=40, min_gap=4)
    assert none.size == 0


def test_a_silence_longer_than_the_decodes_span_loses_the_onsets_on_neither_side() -> None:
    # Two phrases 8 s apart (500 frames of 16 ms, more than MAX_SPAN_FRAMES): the onsets after
    # the silence continue the path before it instead of starting a path of their own.
    gap = semimarkov.MAX_SPAN_FRAMES + 100
    first, second = [0, 30, 60, 90], [90 + gap + 30 * i for i in range(4)]
    n = second[-1] + 40
    voiced = np.zeros(n, dtype=bool)
    for a in first + second:
        voiced[a : a + 25] = True
    p = _peaks_at(n, dict.fromkeys(first + second, 0.9))
    got = semimarkov.onsets(p, ends=semimarkov.sound_ends(voiced), threshold=0.4, floor=0.05, weight=0.4, typical_frames=30, min_gap=4)
    assert got.tolist() == first + second
