"""Double stops: bowed-string melodies where some notes are played with a second, lower string.

A violinist's double stop sounds two notes at once; the page of the melody has the top one
(issue 27). This script renders a small seeded set of such melodies (violin, viola, cello; the
three soundfonts the fits use; dry to chamber rooms), transcribes them and prints, against the
melody line alone: COnP / COnPOff / onset F1 (mir_eval, 50 ms, 50 cents, mean over items) and the
share of double-stopped melody notes written at the melody's pitch::

    python -m benchmarks.double_stops [--seed 0] [--items 24] [--jobs 2] [--vibrato]

``--vibrato`` plays every note of a quarter of a second and longer with vibrato (a seeded depth of
10-40 cents and rate of 4.5-7 Hz per item, from 0.1-0.3 s into the note; both strings of a double
stop move together, as under one hand). The renders go to
``benchmarks/data/double-stops/seed<N>`` (or ``seed<N>-vibrato``; git-ignored, rebuilt when missing).
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.build_rendered import synthesize
from benchmarks.metrics import note_scores
from benchmarks.rendered.performance import bend
from benchmarks.rendered.rooms import impulse_response, mic_colouring
from benchmarks.rendered.variations import ROOMS, SR
from benchmarks.smf import TICKS_PER_QUARTER, MidiNote, write_smf

#: name -> (GM program, lowest melody note, highest melody note, open strings low to high).
STRINGS: dict[str, tuple[int, int, int, tuple[int, ...]]] = {
    "violin": (40, 62, 88, (55, 62, 69, 76)),
    "viola": (41, 55, 81, (48, 55, 62, 69)),
    "cello": (42, 45, 69, (36, 43, 50, 57)),
}
#: Intervals (semitones) of the lower note under the melody note: thirds, fourth, fifth, sixths.
LOWER_INTERVALS = (3, 4, 5, 7, 8, 9)
MAJOR = (0, 2, 4, 5, 7, 9, 11)
FONTS = ("fluidr3", "musescore", "timgm6mb")
ROOM_TYPES = ("dry", "room", "chamber")
OUT = Path(__file__).resolve().parent / "data" / "double-stops"


def plan(seed: int, index: int, *, vibrato: bool = False) -> dict[str, Any]:
    """One item: a seeded melody, its double stops, instrument, soundfont and room."""
    rng = np.random.default_rng([seed, index, 27])
    name = list(STRINGS)[index % len(STRINGS)]
    program, lo, hi, open_strings = STRINGS[name]
    tonic = int(rng.integers(0, 12))
    scale = [m for m in range(lo, hi + 1) if (m - tonic) % 12 in MAJOR]
    pos = int(rng.integers(len(scale) // 3, 2 * len(scale) // 3))
    bpm = float(rng.uniform(70, 110))
    notes: list[dict[str, Any]] = []
    beat = 0.0
    while len(notes) < 20:
        pos = int(np.clip(pos + rng.choice([-2, -1, -1, 1, 1, 2, 0, 3, -3]), 0, len(scale) - 1))
        beats = float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0]))
        top = scale[pos]
        lower = None
        if beats >= 1.0 and rng.random() < 0.4:
            below = [o for o in open_strings if 3 <= top - o <= 9]
            if below and rng.random() < 0.4:
                lower = int(rng.choice(below))
            else:
                lower = top - int(rng.choice(LOWER_INTERVALS))
        notes.append({"beat": beat, "beats": beats, "top": top, "lower": lower})
        beat += beats
    vib = np.random.default_rng([seed, index, 28])
    return {
        "vibrato": [float(vib.uniform(10, 40)), float(vib.uniform(4.5, 7.0)), float(vib.uniform(0.1, 0.3))] if vibrato else None,
        "id": f"d{index:03d}_{name}",
        "program": program,
        "bpm": bpm,
        "notes": notes,
        "soundfont": FONTS[(index // len(STRINGS)) % len(FONTS)],
        "room": ROOM_TYPES[int(rng.integers(0, len(ROOM_TYPES)))],
        "seed": [seed, index],
    }


def render(item: dict[str, Any], folder: Path) -> str:
    """Write the item's MIDI, render it (FluidSynth, its room and microphone) and its truth."""
    import soundfile as sf
    from scipy.signal import fftconvolve

    us = int(round(60e6 / item["bpm"]))
    lead = TICKS_PER_QUARTER // 2
    rng = np.random.default_rng([*item["seed"], 1])
    midi: list[MidiNote] = []
    truth = []
    for n in item["notes"]:
        on = lead + int(round(n["beat"] * TICKS_PER_QUARTER))
        off = on + int(round(n["beats"] * TICKS_PER_QUARTER * 0.92))
        midi.append(MidiNote(on, off, n["top"], int(rng.integers(88, 104))))
        if n["lower"] is not None:
            midi.append(MidiNote(on, off, n["lower"], int(rng.integers(72, 92))))
        s_per_tick = us / 1e6 / TICKS_PER_QUARTER
        truth.append([on * s_per_tick, off * s_per_tick, n["top"], n["lower"] is not None])
    controls = []
    if item.get("vibrato"):
        cents, hz, delay_s = item["vibrato"]
        ticks_per_s = 1e6 / us * TICKS_PER_QUARTER
        for m in midi:
            if (m.off_tick - m.on_tick) / ticks_per_s < 0.25 or any(o.on_tick == m.on_tick and o.key > m.key for o in midi):
                continue  # short notes, and the lower string of a double stop (one bend moves both)
            for tick in range(m.on_tick, m.off_tick, round(0.015 * ticks_per_s)):
                t = (tick - m.on_tick) / ticks_per_s - delay_s
                ramp = min(1.0, max(0.0, t / 0.2))
                controls.append(bend(tick, cents / 100 * ramp * np.sin(2 * np.pi * hz * max(t, 0.0))))
    mid = folder / f"{item['id']}.mid"
    end = max(m.off_tick for m in midi) + 2 * TICKS_PER_QUARTER
    meter = {"time_signature": (4, 4), "key_sharps": 0, "minor": False}
    write_smf(mid, midi, us_per_quarter=us, program=item["program"], end_tick=end, controls=controls, **meter)
    x = synthesize(mid, item["soundfont"], own_reverb=False)
    if item["room"] != "dry" and ROOMS[item["room"]][0][1] > 0:
        x = fftconvolve(x, impulse_response(item["room"], np.random.default_rng([*item["seed"], 2])))[: len(x)]
    x = mic_colouring(x, np.random.default_rng([*item["seed"], 3]))
    x = x / max(1e-9, float(np.max(np.abs(x)))) * 0.7
    sf.write(folder / f"{item['id']}.wav", x.astype(np.float32), SR, subtype="PCM_16")
    (folder / f"{item['id']}.json").write_text(json.dumps({**item, "truth": truth}, indent=1))
    return item["id"]


def build(seed: int, n_items: int, jobs: int, *, vibrato: bool = False) -> list[Path]:
    """The set's WAV files, rendered where missing."""
    folder = OUT / (f"seed{seed}-vibrato" if vibrato else f"seed{seed}")
    folder.mkdir(parents=True, exist_ok=True)
    items = [plan(seed, i, vibrato=vibrato) for i in range(n_items)]
    todo = [it for it in items if not (folder / f"{it['id']}.json").exists()]
    if todo:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(render, todo, [folder] * len(todo)))
    return [folder / f"{it['id']}.wav" for it in items]


def score(wav: Path) -> dict[str, float]:
    """Our transcription of one item against its melody line."""
    import transcribe

    truth = json.loads(wav.with_suffix(".json").read_text())["truth"]
    est = transcribe.transcribe(str(wav)).notes
    scores = note_scores([(t[0], t[1], t[2]) for t in truth], [(n.onset_s, n.offset_s, n.midi) for n in est])
    # A double stop is written right when a note at the melody's pitch sounds at its middle.
    stops = [t for t in truth if t[3]]
    right = sum(1 for t in stops if any(n.midi == t[2] and n.onset_s <= (t[0] + t[1]) / 2 < n.offset_s for n in est))
    return {"conp": scores["conp_f1"], "conpoff": scores["conpoff_f1"], "onsets": scores["on_f1"], "stops": len(stops), "top": right}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--items", type=int, default=24)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--vibrato", action="store_true", help="notes of 0.25 s and longer played with vibrato")
    args = ap.parse_args(argv)
    wavs = build(args.seed, args.items, args.jobs, vibrato=args.vibrato)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(score, wavs))
    for wav, r in zip(wavs, rows):
        figures = f"COnP {r['conp']:.3f} COnPOff {r['conpoff']:.3f} onsets {r['onsets']:.3f}"
        print(f"{wav.stem:16s} {figures} double stops {r['top']}/{r['stops']}")
    mean = {k: float(np.mean([r[k] for r in rows])) for k in ("conp", "conpoff", "onsets")}
    top, stops = sum(r["top"] for r in rows), sum(r["stops"] for r in rows)
    print(f"mean of {len(rows)}: COnP {mean['conp']:.3f} COnPOff {mean['conpoff']:.3f} onsets {mean['onsets']:.3f}")
    print(f"double-stopped melody notes written at the melody's pitch: {top}/{stops} ({top / max(stops, 1):.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
