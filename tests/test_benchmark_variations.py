"""The rendered sets' variations (rooms, microphone, expressive playing), the MIDI truth reader
and the onsets-only metric: seeded pieces checked without FluidSynth."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from benchmarks.datasets import read_midi_notes
from benchmarks.metrics import note_scores
from benchmarks.rendered import performance, rooms, variations
from benchmarks.smf import TICKS_PER_QUARTER, MidiNote, write_smf

US_PER_Q = 500_000  # 120 BPM: 1920 ticks a second


def _plan(instrument: str, seed: int = 7) -> dict[str, object]:
    return {"item_seed": seed, "us_per_quarter": US_PER_Q, "instrument": instrument}


def _line(n: int = 40) -> list[MidiNote]:
    """A legato-ish line: quarter notes at 120 BPM, alternating pitches, small gaps."""
    keys = [60, 62, 64, 62, 65, 67, 67, 64]
    return [MidiNote(960 * i, 960 * i + 900, keys[i % len(keys)], 80) for i in range(n)]


def test_midi_truth_reader_reads_back_what_was_written(tmp_path: Path) -> None:
    notes = [MidiNote(0, 480, 60, 90), MidiNote(480, 960, 60, 90), MidiNote(1200, 2400, 67, 70)]
    write_smf(
        tmp_path / "t.mid", notes, us_per_quarter=US_PER_Q, program=0, time_signature=(4, 4), key_sharps=0, minor=False, end_tick=3000
    )
    got = read_midi_notes(tmp_path / "t.mid")
    s = US_PER_Q / 1e6 / TICKS_PER_QUARTER
    want = [(n.on_tick * s, n.off_tick * s, n.key) for n in notes]
    assert [g[2] for g in got] == [w[2] for w in want]
    assert np.allclose([g[:2] for g in got], [w[:2] for w in want], atol=1e-9)


def test_expressive_playing_is_seeded_and_keeps_the_notes() -> None:
    notes = _line()
    a_notes, a_ctl = performance.expressive(_plan("violin"), notes)
    b_notes, b_ctl = performance.expressive(_plan("violin"), notes)
    assert a_notes == b_notes and a_ctl == b_ctl
    assert [n.key for n in a_notes] == [n.key for n in notes]
    shift_s = np.array([(a.on_tick - n.on_tick) / 1920 for a, n in zip(a_notes, notes)])
    assert np.all(np.abs(shift_s) <= 0.03 + 1e-9) and np.any(shift_s != 0)
    assert all(b.on_tick > a.on_tick for a, b in itertools.pairwise(a_notes))
    # A note held into the next one (a slur) only ever leads to another pitch.
    for a, b in itertools.pairwise(a_notes):
        if a.off_tick > b.on_tick:
            assert a.key != b.key
    bends = [(t, d) for t, d in a_ctl if d[0] == 0xE0]
    assert bends and all(0 <= d[1] < 128 and 0 <= d[2] < 128 for _, d in bends)


def test_plucked_and_struck_instruments_get_no_bends_or_slurs() -> None:
    out, ctl = performance.expressive(_plan("piano"), _line())
    assert all(a.off_tick <= b.on_tick for a, b in itertools.pairwise(out))
    values = {d[1] | d[2] << 7 for _, d in ctl if d[0] == 0xE0}
    assert values == {8192}  # the bend is only ever reset to its centre


def test_vibrato_reaches_its_drawn_depth() -> None:
    """Some seed gives a violin vibrato; its bends stay within 40 cents plus a 2-semitone slide."""
    found = False
    for seed in range(10):
        _, ctl = performance.expressive(_plan("violin", seed), [MidiNote(0, 1920 * 2, 69, 80)])
        dev = np.array([performance.bend_semitones(d) for _, d in ctl if d[0] == 0xE0])
        assert np.all(np.abs(dev) <= 0.4 + 1e-9)  # a lone note has no slide
        found |= bool(np.abs(dev).max() >= 0.1)
    assert found


@pytest.mark.parametrize("room", ["booth", "room", "chamber", "hall"])
def test_room_impulse_response_decays_at_its_drawn_ratio(room: str) -> None:
    ir = rooms.impulse_response(room, np.random.default_rng(3))
    assert np.array_equal(ir, rooms.impulse_response(room, np.random.default_rng(3)))
    assert ir[0] > 0.9  # the direct sound comes first, unshifted
    tail = ir.copy()
    tail[0] -= 1.0
    drr_db = 10 * np.log10(1.0 / np.sum(tail**2))
    (_, _), (lo, hi), _ = variations.ROOMS[room]
    assert lo - 0.01 <= drr_db <= hi + 0.01
    e = tail**2
    q = len(e) // 4
    assert e[:q].sum() > 20 * e[-q:].sum()  # it decays


def test_auditorium_is_image_sources_then_a_tail_at_its_drawn_decay() -> None:
    """The shoebox room: the direct sound first, then sparse discrete reflections (most samples of
    the 20 ms after the first reflection silent, unlike the noise-tail rooms), and a decay whose broadband T20 lies near
    the drawn RT60 range (treble and air absorption make it a little shorter)."""
    assert "auditorium" in variations.SHOEBOX_ROOMS and "hall" not in variations.SHOEBOX_ROOMS
    (rt_lo, rt_hi), _, _ = variations.ROOMS["auditorium"]
    for seed in range(4):
        ir = rooms.impulse_response("auditorium", np.random.default_rng(seed))
        assert np.array_equal(ir, rooms.impulse_response("auditorium", np.random.default_rng(seed)))
        assert ir[0] == 1.0 and np.max(np.abs(ir[1:])) < 1.0
        assert np.mean(_after_first_reflection(ir) == 0.0) > 0.8
        edc = np.cumsum((ir**2)[::-1])[::-1]
        edc_db = 10 * np.log10(edc / edc[0])
        t20_s = 3 * (np.argmax(edc_db < -25) - np.argmax(edc_db < -5)) / variations.SR
        assert 0.6 * rt_lo <= t20_s <= rt_hi
    hall = rooms.impulse_response("hall", np.random.default_rng(0))
    assert np.mean(_after_first_reflection(hall) == 0.0) < 0.1  # the held-out room is the other kind


def _after_first_reflection(ir: np.ndarray) -> np.ndarray:
    """The 20 ms of an impulse response after its first sound past the direct one."""
    first = 1 + int(np.flatnonzero(ir[1:])[0])
    return ir[first : first + int(0.02 * variations.SR)]


def test_dry_room_is_the_direct_sound_and_mic_colouring_keeps_the_level_near() -> None:
    assert np.array_equal(rooms.impulse_response("dry", np.random.default_rng(0)), np.ones(1))
    t = np.arange(variations.SR) / variations.SR
    x = np.sin(2 * np.pi * 440 * t)
    y = rooms.mic_colouring(x, np.random.default_rng(1))
    gain_db = 10 * np.log10(np.mean(y**2) / np.mean(x**2))
    assert abs(gain_db) <= 9.0 + 1e-6 and not np.allclose(x, y)


def test_variations_name_only_known_parts_and_hold_out_their_own() -> None:
    assert variations.parse_variation(None) == variations.Variation()
    assert variations.Variation().tag == "" and variations.VARIATIONS["held-out"].tag.startswith("-gmbank-hall")
    with pytest.raises(ValueError, match="unknown soundfont 'nope'"):
        variations.parse_variation(None, soundfonts="fluidr3,nope")
    with pytest.raises(ValueError, match="unknown room"):
        variations.parse_variation(None, rooms="cave")
    held, varied = variations.VARIATIONS["held-out"], variations.VARIATIONS["varied"]
    assert not set(held.soundfonts) & set(varied.soundfonts) and not set(held.rooms) & set(varied.rooms)
    assert len(varied.soundfonts) >= 3


def test_onsets_alone_ignore_the_pitch() -> None:
    ref = [(0.0, 0.4, 60), (0.5, 0.9, 62), (1.0, 1.5, 64)]
    est = [(0.02, 0.4, 61), (0.53, 0.9, 62), (1.2, 1.5, 64)]
    s = note_scores(ref, est)
    assert s["on_f1"] == pytest.approx(2 / 3)
    assert s["conp_f1"] == pytest.approx(1 / 3)


def test_fit_scripts_train_on_varied_sets_and_refuse_the_held_out_one() -> None:
    from benchmarks import fit_reattack as fr

    ap = fr.fit_parser("test")
    ok = ap.parse_args(["--train", "2:48,10:48:varied"])
    assert fr.training_sets(ap, ok) == [(2, 48, "fluidr3"), (10, 48, "varied")]
    for bad in (f"{variations.HELD_OUT_SEED}:48:varied", "12:48:held-out", "0:48"):
        with pytest.raises(SystemExit):
            fr.training_sets(ap, ap.parse_args(["--train", bad]))
    with pytest.raises(SystemExit, match="unknown variation"):
        fr._sets("12:48:nope")
    with pytest.raises(SystemExit):
        fr.training_sets(ap, ap.parse_args(["--train", "12:48:fast"]))


def test_fast_variation_plays_the_plan_faster_and_names_its_own_folder() -> None:
    fast, varied = variations.VARIATIONS["fast"], variations.VARIATIONS["varied"]
    plan = {"item_seed": 3, "us_per_quarter": US_PER_Q, "tempo_bpm": 120.0, "n_bars": 8}
    played = fast.played(plan)
    assert played["us_per_quarter"] == round(US_PER_Q / fast.tempo_scale)
    assert played["tempo_bpm"] == pytest.approx(120.0 * fast.tempo_scale, rel=1e-4)
    assert played["n_bars"] == 8 and plan["us_per_quarter"] == US_PER_Q
    assert varied.played(plan) is plan
    assert fast.tag != varied.tag and fast.tag.startswith(varied.tag)
    # Everything but the tempo is drawn as for the varied set.
    assert variations.item_variation(plan, fast) == variations.item_variation(plan, varied)


def test_note_dynamics_move_a_held_note_level_and_leave_other_instruments_alone() -> None:
    """The loudness inside held notes: seeded, within its drawn depths, never above full level,
    and none for a plucked instrument; the sets built before it keep their folders."""
    notes = [MidiNote(1920 * i, 1920 * i + 1800, 60 + i % 3, 80) for i in range(20)]  # notes of 0.94 s
    a = performance.note_dynamics(_plan("alto_sax"), notes, [])
    assert a == performance.note_dynamics(_plan("alto_sax"), notes, [])
    assert a and all(d[0] == 0xB0 and d[1] == 11 and 1 <= d[2] <= 127 for _, d in a)
    db = 40 * np.log10(np.array([d[2] for _, d in a]) / 127)
    assert db.min() < -1.0 and db.min() >= -(8.0 + 12.0 + 3.0) - 0.2  # swell + taper + tremolo at most
    assert all(notes[0].on_tick <= t < notes[-1].off_tick for t, _ in a)
    assert performance.note_dynamics(_plan("piano"), notes, [(0, b"\xe0\x00\x40")]) == [(0, b"\xe0\x00\x40")]
    assert performance.expression_value(0.0) == 127 and performance.expression_value(-12.0) == round(127 * 10 ** (-12 / 40))
    dyn, varied = variations.VARIATIONS["varied-dyn"], variations.VARIATIONS["varied"]
    assert dyn.tag == varied.tag + "-dyn" and not varied.dynamics
    from benchmarks.build_rendered import _variation_record

    assert "dynamics" not in _variation_record(varied) and _variation_record(dyn)["dynamics"] is True


def _bends(cs: list[tuple[int, bytes]]) -> dict[int, float]:
    """Pitch bends by tick (semitones)."""
    return {t: performance.bend_semitones(d) for t, d in cs if d[0] == 0xE0}


def _level_at(levels: dict[int, int], t: int) -> int:
    """The controller-11 value in force at tick ``t``."""
    return levels[max(k for k in levels if k <= t)]


def test_vibrato_level_widens_the_vibrato_and_the_level_follows_it() -> None:
    """With ``vibrato_level`` a vibrato's bends grow by at most twice, a slide's stay as they
    were, and the level rises and falls with the pitch."""
    followed = 0
    for seed in range(20):
        plan = _plan("alto_sax", seed)
        notes, ctl = performance.expressive(plan, [MidiNote(0, 1920 * 3, 69, 80), MidiNote(1920 * 3, 1920 * 6, 70, 80)])
        before = _bends(ctl)
        out = performance.note_dynamics(plan, notes, ctl, vibrato_level=True)
        after = _bends(out)
        assert before.keys() == after.keys()
        for t, dev in before.items():
            if abs(dev) > performance.VIBRATO_MAX_ST:
                assert after[t] == pytest.approx(dev, abs=1e-3)  # a slide
            else:
                assert abs(after[t]) <= 2 * abs(dev) + 1e-3 and (after[t] == 0 or np.sign(after[t]) == np.sign(dev))
        levels = {t: d[2] for t, d in out if d[0] == 0xB0 and d[1] == 11}
        vib = sorted(t for t, dev in before.items() if 0 < abs(dev) <= performance.VIBRATO_MAX_ST)
        if len(vib) > 10 and levels:
            # Tick to tick the vibrato moves the level far faster than a swell or a taper does.
            d_bend = np.diff([before[t] for t in vib])
            d_level = np.diff([_level_at(levels, t) for t in vib])
            if d_level.std() > 0:
                r = float(np.corrcoef(d_bend, d_level)[0, 1])
                assert r > -0.5  # never against the pitch (about 0 where the level does not follow)
                followed += r > 0.5
    assert followed >= 3
