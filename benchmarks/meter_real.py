"""Calibrate the meter model's 6/8-against-3/4 prior on real transcriptions: ``python -m benchmarks.meter_real``.

:mod:`benchmarks.fit_meter` fits the meter weights on simulated takes of corpus
melodies. Real transcriptions differ from those takes, and this script measures
by how much for the one choice where they were seen to disagree: how likely a
melody of six eighth notes a bar is in 6/8 rather than 3/4.

It transcribes the rendered sets of other seeds (default: 2, 3 and 4, the items
whose tunes neither scored set uses, see :data:`benchmarks.fit_meter.HELD_OUT_SETS`),
keeps what the rhythm stage is given (the notes and their accents), and scores
the time signature it picks (the benchmark's rule: right, or 4/4 for 2/2) with
the fitted weights and with the prior of the 6/8 reading (``meter_3x2``) shifted
by each of :data:`SHIFTS`. The shift to paste into
``transcribe.rhythm.meter._REAL_DATA_SHIFT`` is the one that gets most items right, the
smallest on a tie; it prints how many items each shift fixes and breaks against
no shift. The two scored sets (seeds 0 and 1) are reported with ``--scored``,
not used to choose.

The transcriptions are cached in ``benchmarks/data/meter_real-<sets>.pkl``.
"""

from __future__ import annotations

import argparse
import json
import pickle
from fractions import Fraction
from multiprocessing import Pool
from typing import Any

import numpy as np

from benchmarks import fit_meter, metrics
from benchmarks.datasets import Item, load_rendered
from benchmarks.fit_reattack import stage_inputs
from transcribe import rhythm

#: Shifts of the 6/8 reading's prior tried (added to its fitted weight).
SHIFTS = tuple(round(0.1 * i, 1) for i in range(9))

#: The weight that is shifted.
FEATURE = "meter_3x2"


def rhythm_input(args: tuple[int, Item]) -> tuple[int, str, str, int | None, Any, Any, dict[str, Any]]:
    """Transcribe one rendered item and return what the rhythm stage got, with the truth."""
    seed, item = args
    got = stage_inputs(item)["rhythm"][-1]
    notes, accent_db = got["notes"], got["accent_db"]
    t = json.loads(item.audio.with_suffix(".json").read_text())
    num, den = (int(x) for x in t["time_signature"].split("/"))
    quarter_s = 60.0 / t["tempo_bpm"]
    truth = {
        "bpm": t["tempo_bpm"],
        "ts": t["time_signature"],
        "downbeat_s": t["lead_s"] + float(Fraction(t["pickup_q"])) * quarter_s,
        "bar_s": float(Fraction(num * 4, den)) * quarter_s,
    }
    return seed, item.id, t["source_path"], t["tune_number"], notes, accent_db, truth


def collect(sets: list[tuple[int, int]], jobs: int) -> list[tuple]:
    """Rhythm inputs of every item of the rendered ``(seed, items)`` sets (cached)."""
    cache = fit_meter.DATA / f"meter_real-{'-'.join(f'{s}x{n}' for s, n in sets)}.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    items = [(seed, it) for seed, n in sets for it in load_rendered(seed, n, jobs)]
    with Pool(jobs) as pool:
        rows = pool.map(rhythm_input, items, chunksize=4)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as fh:
        pickle.dump(rows, fh)
    return rows


def right_per_item(rows: list[tuple], shift: float) -> np.ndarray:
    """Whether the picked time signature is right, per row, with the 6/8 prior shifted by ``shift``
    from its fitted weight (the shift now in :mod:`transcribe.rhythm` taken out first)."""
    w = rhythm.meter_weights().copy()
    w[rhythm.METER_FEATURES.index(FEATURE)] += shift - rhythm.meter._REAL_DATA_SHIFT.get(FEATURE, 0.0)
    out = np.zeros(len(rows), dtype=bool)
    for i, (_, _, _, _, notes, accent, truth) in enumerate(rows):
        if len(notes) < 8:  # as rhythm.analyze: too few notes for a meter
            continue
        cands, feats, _, k = fit_meter.readings(notes, truth, accent)
        _, time_signature = fit_meter.chosen(lambda c, f: rhythm.pick_reading(c, f, w), cands, feats, k)
        out[i] = metrics.ts_right(time_signature, truth["ts"]) > 0
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.meter_real", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="2x96,3x192,4x192", help="rendered sets SEEDxITEMS to calibrate on")
    ap.add_argument("--scored", action="store_true", help="also report the scored sets (seeds 0 and 1)")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    sets = [(int(s), int(n)) for s, n in (x.split("x") for x in a.sets.split(","))]
    held = fit_meter.scored_tunes()
    rows = [r for r in collect(sets, a.jobs) if (r[2], r[3]) not in held]
    scored = collect(list(fit_meter.HELD_OUT_SETS), a.jobs) if a.scored else []
    base = right_per_item(rows, 0.0)
    print(f"{len(rows)} items of seeds {', '.join(str(s) for s, _ in sets)} whose tunes the scored sets do not use")
    print(f"shift of {FEATURE}  time signature right  fixed  broken" + ("  scored sets" if scored else ""))
    best = (-1, 0.0)
    for shift in SHIFTS:
        ok = right_per_item(rows, shift)
        line = f"{shift:>16.1f}  {ok.mean():>20.3f}  {int((ok & ~base).sum()):>5d}  {int((base & ~ok).sum()):>6d}"
        if scored:
            sc = right_per_item(scored, shift)
            seeds = np.array([r[0] for r in scored])
            line += "  " + " ".join(f"seed {s}: {sc[seeds == s].mean():.3f}" for s in sorted(set(seeds.tolist())))
        print(line)
        best = max(best, (int(ok.sum()), -shift))
    print(f"best shift: {-best[1]:.1f} (now {rhythm.meter._REAL_DATA_SHIFT.get(FEATURE, 0.0):.1f} in transcribe/rhythm/meter.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
