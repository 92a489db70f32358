"""The MIDI file lines up with the recording: read back, tempo map applied, its note
onsets fall on the CSV's and its bar lines where the written measures start."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import numpy as np
import pytest

import transcribe
from tests.synth import melody, render


def read_midi(data: bytes) -> tuple[list[tuple[float, int]], list[tuple[int, int]], int, tuple[int, int]]:
    """``(note_ons, tempo_map, ticks_per_quarter, time_signature)`` of a one-track MIDI file:
    note-ons as (tick, pitch), the tempo map as (tick, microseconds per quarter)."""
    from music21.midi import MetaEvents, MidiFile

    mf = MidiFile()
    mf.readstr(data)
    ons: list[tuple[float, int]] = []
    tempi: list[tuple[int, int]] = []
    ts = (4, 4)
    for track in mf.tracks:
        tick = 0
        for ev in track.events:
            if ev.isDeltaTime():
                tick += ev.time
                continue
            if ev.type == MetaEvents.SET_TEMPO:
                tempi.append((tick, int.from_bytes(ev.data, "big")))
            elif ev.type == MetaEvents.TIME_SIGNATURE:
                ts = (ev.data[0], 2 ** ev.data[1])
            elif ev.isNoteOn() and ev.velocity > 0:
                ons.append((tick, ev.pitch))
    return ons, sorted(tempi), mf.ticksPerQuarterNote, ts


def seconds(tick: float, tempi: list[tuple[int, int]], tpq: int) -> float:
    """The time of a tick under a tempo map."""
    t, last_tick, us = 0.0, 0, 500_000
    for at, new_us in tempi:
        if at >= tick:
            break
        t += (at - last_tick) * us / tpq / 1e6
        last_tick, us = at, new_us
    return t + (tick - last_tick) * us / tpq / 1e6


def check(result: transcribe.Transcription) -> None:
    rows = list(csv.DictReader(io.StringIO(result.to_csv().decode())))
    csv_onsets = np.array([float(r["onset_s"]) for r in rows])
    ons, tempi, tpq, (num, den) = read_midi(result.to_midi())
    assert len(ons) == len(rows) > 0
    assert [p for _, p in ons] == [int(r["midi"]) for r in rows]
    midi_onsets = np.array([seconds(t, tempi, tpq) for t, _ in ons])
    assert np.max(np.abs(midi_onsets - csv_onsets)) < 0.010
    # Bar lines: whole bars of the MIDI time signature from tick 0, at the written measures'
    # times: a note's onset where one is written on the bar line, else the rhythm stage's
    # beat grid in performance time.
    bar_ticks = Fraction(4 * num, den) * tpq
    zero_tick = ons[0][0] - result.written[0].onset_q * tpq  # score position 0
    rh = result.rhythm
    assert len(rh.quarter_times_s) > 4
    on_bar = {w.onset_q: w for w in result.written}
    bar_q = rh.pickup_q
    checked = 0
    while bar_q <= len(rh.quarter_times_s) - 1:
        tick = zero_tick + bar_q * tpq
        assert tick % bar_ticks == 0
        grid = rh.quarter_times_s
        want = on_bar[bar_q].onset_s if bar_q in on_bar else float(np.interp(float(bar_q), np.arange(len(grid)), grid))
        assert abs(seconds(tick, tempi, tpq) - want) < 0.010, (bar_q, want)
        checked += 1
        bar_q += rh.measure_q
    assert checked >= 3


def test_sample_midi_follows_the_recording(sample_result: transcribe.Transcription) -> None:
    check(sample_result)


def test_drifting_tempo_midi_follows_the_recording() -> None:
    # Twenty-four bars of 4/4 slowing from 120 to 100 BPM, after 1.3 s of silence.
    rng = np.random.default_rng(3)
    pitches = [60, 62, 64, 65, 67, 69, 71, 72]
    beats = [(int(rng.choice(pitches)), float(q)) for q in rng.choice([1, 1, 1, 2, 0.5], size=70)]
    notes = melody(beats, bpm=120.0, start_s=1.3, gap_s=0.05)
    t0 = notes[0][0]
    stretch = [(t0 + (on - t0) * (1 + 0.1 * (on - t0) / 30.0), t0 + (off - t0) * (1 + 0.1 * (off - t0) / 30.0), m) for on, off, m in notes]
    result = transcribe.transcribe(render(stretch), sr=44100, time_signature="4/4")
    check(result)
    # The grid-timed file stays available, at one tempo from time 0.
    score = transcribe.transcribe(render(stretch), sr=44100, time_signature="4/4", midi_timing="score")
    ons, tempi, _, _ = read_midi(score.to_midi())
    assert len(tempi) == 1 and ons[0][0] == 0


@pytest.mark.parametrize("timing", ["recording", "score"])
def test_empty_recording_midi(timing: str) -> None:
    with pytest.warns(transcribe.TranscribeWarning, match="no notes"):
        result = transcribe.transcribe(np.zeros(44100, dtype=np.float32), sr=44100, midi_timing=timing)
    ons, tempi, _, _ = read_midi(result.to_midi())
    assert ons == [] and len(tempi) == 1
