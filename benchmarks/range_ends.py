"""Notes at the ends of the pitch range: ``python -m benchmarks.range_ends [--jobs N]``.

SwiftF0's model reads 47 Hz to 2.09 kHz; a piccolo, a flute's and a violin's top notes and a
whistle lie above 2 kHz, a bass guitar's, a double bass's and a tuba's lowest notes under 50 Hz.
This renders, for each part below and each General-MIDI soundfont of the rendered sets
(FluidR3, MuseScore General, TimGM6mb, GMbank), a seeded melody (a walk on the major scale of
random quarter and eighth notes at 100 BPM, FluidSynth's own reverb) in that part's register,
transcribes it with the default options, and prints per part COnP / COnPOff / onsets (mir_eval,
50 ms, as the benchmark) and the share of the reference notes beyond 50 Hz-2 kHz that are found
at their pitch. Two parts inside the range (a flute's middle octave, a cello) show that nothing
there moves. The items are written to ``benchmarks/data/range_ends/`` (built once; ``--rebuild``).
"""

from __future__ import annotations

import argparse
import json
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.build_rendered import SR, synthesize
from benchmarks.metrics import found_refs, note_scores
from benchmarks.rendered.variations import SOUNDFONTS
from benchmarks.smf import MidiNote, write_smf

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "range_ends"
#: part -> (General-MIDI program 0-based, lowest MIDI, highest MIDI).
PARTS: dict[str, tuple[int, int, int]] = {
    "piccolo": (72, 86, 103),
    "flute_top": (73, 84, 98),
    "violin_top": (40, 84, 100),
    "whistle": (78, 84, 100),
    "flute_middle": (73, 72, 86),
    "cello": (42, 36, 57),
    "electric_bass": (33, 28, 45),
    "contrabass": (43, 28, 45),
    "tuba": (58, 29, 46),
}
#: The range SwiftF0's model is searched over directly (MIDI numbers of 50 Hz and 2 kHz).
DIRECT_MIDI = (31.35, 95.21)
NOTES, BPM, SEED = 24, 100.0, 11
MAJOR = (0, 2, 4, 5, 7, 9, 11)


def melody(low: int, high: int, rng: np.random.Generator) -> list[tuple[int, float]]:
    """``NOTES`` notes (MIDI, quarters) walking on C major's scale between ``low`` and ``high``
    (steps of one to three scale notes, a repeat now and then), quarters and eighths, the last
    a half note."""
    scale = [m for m in range(low, high + 1) if m % 12 in MAJOR]
    i = int(rng.integers(len(scale)))
    out = []
    for n in range(NOTES):
        out.append((scale[i], 2.0 if n == NOTES - 1 else float(rng.choice([1.0, 0.5], p=[0.6, 0.4]))))
        i = int(np.clip(i + rng.choice([-3, -2, -1, 0, 1, 1, 2, 3]), 0, len(scale) - 1))
    return out


def build(part: str, font: str, out_dir: Path) -> Path:
    """Render one item: ``PART_FONT.wav`` and its notes ``PART_FONT.json`` [(onset_s, offset_s, midi)]."""
    import soundfile as sf

    program, low, high = PARTS[part]
    rng = np.random.default_rng([SEED, list(PARTS).index(part), list(SOUNDFONTS).index(font)])
    tpq = 960
    us = int(round(60e6 / BPM))
    notes, ref, tick = [], [], tpq // 2
    for midi, q in melody(low, high, rng):
        length = int(q * tpq)
        notes.append(MidiNote(tick, tick + length - tpq // 16, midi, int(rng.integers(70, 110))))
        ref.append((tick * us / 1e6 / tpq, (tick + length - tpq // 16) * us / 1e6 / tpq, float(midi)))
        tick += length
    stem = out_dir / f"{part}_{font}"
    smf = {"us_per_quarter": us, "program": program, "time_signature": (4, 4), "key_sharps": 0, "minor": False}
    write_smf(stem.with_suffix(".mid"), notes, end_tick=tick + 2 * tpq, **smf)
    sf.write(stem.with_suffix(".wav"), synthesize(stem.with_suffix(".mid"), font, own_reverb=True).astype(np.float32), SR)
    stem.with_suffix(".json").write_text(json.dumps(ref))
    return stem.with_suffix(".wav")


def score(wav: Path) -> dict[str, Any]:
    """Our notes of one item against its reference."""
    import warnings

    import transcribe

    ref = [tuple(r) for r in json.loads(wav.with_suffix(".json").read_text())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = [(n.onset_s, n.offset_s, float(n.midi)) for n in transcribe.transcribe(wav).notes]
    found = found_refs(ref, est)
    beyond = np.array([not DIRECT_MIDI[0] <= r[2] <= DIRECT_MIDI[1] for r in ref])
    return {"item": wav.stem, **note_scores(ref, est), "beyond": int(beyond.sum()), "beyond_found": int((found & beyond).sum())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--rebuild", action="store_true", help="render the items again")
    args = ap.parse_args(argv)
    fonts = [f for f, path in SOUNDFONTS.items() if path.exists()]
    DATA.mkdir(parents=True, exist_ok=True)
    wavs = []
    for part in PARTS:
        for font in fonts:
            wav = DATA / f"{part}_{font}.wav"
            wavs.append(wav if wav.exists() and not args.rebuild else build(part, font, DATA))
    with Pool(args.jobs) as pool:
        rows = pool.map(score, wavs)
    print(f"{len(wavs)} items ({len(PARTS)} parts x {len(fonts)} soundfonts: {', '.join(fonts)})\n")
    print("| part | COnP | COnPOff | onsets | notes beyond 50 Hz-2 kHz found |")
    print("|---|---|---|---|---|")
    for part in PARTS:
        mine = [r for r in rows if r["item"].startswith(part + "_")]
        beyond, found = sum(r["beyond"] for r in mine), sum(r["beyond_found"] for r in mine)
        share = f"{found} / {beyond}" if beyond else "-"
        cells = " | ".join(f"{np.mean([r[k] for r in mine]):.3f}" for k in ("conp_f1", "conpoff_f1", "on_f1"))
        print(f"| {part} | {cells} | {share} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
