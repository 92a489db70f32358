"""benchmarks.sung_pickups: corpus tunes sung in notes, and how their bar lines are scored."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from benchmarks import metrics, sung_pickups
from transcribe import rhythm
from transcribe.types import Rhythm

F = Fraction


def _truth() -> dict:
    """A 3/4 tune with a one-beat pickup: quarter | half quarter | dotted half | half quarter."""
    lengths = [F(1), F(2), F(1), F(3), F(2), F(1)]
    notes, pos = [], F(0)
    for i, q in enumerate(lengths):
        place = {"offset_q": str(pos), "duration_q": str(q), "pos_in_bar_q": str((pos - 1) % 3)}
        notes.append({**place, "midi": 60 + i, "onset_s": 0.0, "offset_s": 0.0})
        pos += q
    return {"id": "t", "time_signature": "3/4", "pickup_q": "1", "notes": notes}


def test_a_sung_take_keeps_the_tunes_notes_in_order_with_their_bar_lines() -> None:
    take = sung_pickups.sung_take(_truth(), np.random.default_rng(0))
    again = sung_pickups.sung_take(_truth(), np.random.default_rng(0))
    assert take == again  # seeded
    assert [n.midi for n in take.notes] == [60, 61, 62, 63, 64, 65]
    onsets = np.array([n.onset_s for n in take.notes])
    assert np.all(np.diff(onsets) > 0)
    assert all(n.offset_s > n.onset_s for n in take.notes)
    assert all(a.offset_s < b.onset_s for a, b in zip(take.notes, take.notes[1:]))  # let go before the next note
    assert take.on_downbeat == (False, True, False, True, True, False)
    assert take.pickup_q == 1 and take.time_signature == "3/4"
    # Sung at a tempo of the drawn range: the quarter between 0.5 and 1 s, give or take the drift.
    quarter_s = (onsets[-1] - onsets[0]) / 9.0
    assert 0.45 < quarter_s < 1.1


def test_bar_lines_are_scored_against_the_tunes() -> None:
    down = (False, True, False, True, True, False)
    right = Rhythm(90.0, "3/4", 0.0, F(1), (F(0), F(1), F(3), F(4), F(7), F(9)), (F(1), F(2), F(1), F(3), F(2), F(1)))
    assert sung_pickups.downbeat_f1(right, down) == 1.0
    # The same notes without the pickup: every bar line a beat early, none of the tune's kept.
    early = Rhythm(90.0, "3/4", 0.0, F(0), right.onsets_q, right.durations_q)
    ours = [(q % 3) == 0 for q in early.onsets_q]
    assert ours == [True, False, True, False, False, True]
    assert sung_pickups.downbeat_f1(early, down) == 0.0
    assert metrics.ts_right("4/4", "2/2") == 1.0 and metrics.ts_right("2/4", "4/4") == 0.0


def test_measure_groups_the_tunes_by_their_pickup() -> None:
    rng = np.random.default_rng(1)
    takes = [sung_pickups.sung_take(_truth(), rng) for _ in range(2)]
    plain = dict(_truth(), pickup_q="0")
    plain["notes"] = [dict(n, pos_in_bar_q=str(F(n["offset_q"]) % 3)) for n in plain["notes"]]
    takes.append(sung_pickups.sung_take(plain, rng))
    got = sung_pickups.measure(takes, rhythm.SungRhythm.load())
    assert got["pickup"].shape == (2, 3) and got["none"].shape == (1, 3)
    assert np.all((got["pickup"] >= 0) & (got["pickup"] <= 1))
    # Each take given its own meter: written in it, every time.
    given = sung_pickups.measure(takes, rhythm.SungRhythm.load(), given_meter=True)
    assert np.all(given["pickup"][:, 0] == 1.0) and np.all(given["none"][:, 0] == 1.0)


def test_a_whole_song_is_sung_from_its_pickup_and_breathes_at_its_rests() -> None:
    from benchmarks.rendered.corpus import Event, Melody

    # 3/4 with a one-beat pickup: quarter | half quarter | half (quarter rest) | dotted half.
    events = [(-1, 1, 60), (0, 2, 62), (2, 1, 64), (3, 2, 65), (5, 1, 0), (6, 3, 67)]
    mel = Melody("essen", "t", tuple(Event(F(a), F(b), m) for a, b, m in events), "3/4", F(3), F(1), F(1), "C", "major", 0, "encoded")
    truth = sung_pickups.melody_truth(mel)
    assert truth["time_signature"] == "3/4" and truth["pickup_q"] == "1"
    assert [F(n["offset_q"]) for n in truth["notes"]] == [0, 1, 3, 4, 7]  # the rest left out
    assert [F(n["pos_in_bar_q"]) for n in truth["notes"]] == [2, 0, 2, 0, 0]
    take = sung_pickups.sung_take(truth, np.random.default_rng(0))
    assert take.on_downbeat == (False, True, False, True, True)
    before_rest, after = take.notes[3], take.notes[4]
    # The half before the rest is let go by its value, not held through the rest.
    assert after.onset_s - before_rest.offset_s > 0.25 * (after.onset_s - before_rest.onset_s)
