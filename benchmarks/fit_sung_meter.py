"""Fit the bar-count cue of a voice's meter (``transcribe/models/sung_meter.npz``) on ssvd-scores,
cross-validated by exercise.

``python -m benchmarks.fit_sung_meter [--write] [--out PATH]`` (~2 min: transcribes the 40 recordings once).
With the shipped ``sung_rhythm.npz`` fixed, ``rhythm.TempoFollow.bars_price`` (how much a meter
reading of the followed values is marked down for making the tune's length far from 4, 8, 16, 32
or 64 bars, ``rhythm.meter.bar_count_cost``) is chosen from a small grid by the page measures (the
mean of written durations and time signature, as ``fit_sung_rhythm``); the share of recordings
written at the printed tempo level (the duration factor 1) is reported beside them. Five folds
split by EXERCISE (seeded, as ``fit_intonation``): the price best on four folds is scored on the
fifth. ``--write`` stores the all-data best with the fold figures.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

import transcribe
from benchmarks import metrics
from benchmarks.datasets import find_shared, load_ssvd_scores
from benchmarks.fit_intonation import exercise_folds, fold_choices
from benchmarks.model_files import provenance, write_model
from transcribe import rhythm
from transcribe.pipeline import note_peaks_db

BARS_PRICES = (0.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_sung_meter", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="store the all-data best in transcribe/models/sung_meter.npz")
    ap.add_argument("--out", help="with --write: where to write the model file (default: the package's own)")
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = [it for it in load_ssvd_scores(shared) if it.page]
    base = rhythm.SungRhythm.load(meter_cue=False)
    if base.follow is None:
        raise SystemExit("sung_rhythm.npz does not follow the beat: nothing to fit here")
    points = BARS_PRICES
    # measures: written durations, time signature, and (reported only) written at the printed tempo level
    scores = np.zeros((len(points), len(items), 3))
    for j, it in enumerate(items):
        res = transcribe.transcribe(str(it.audio))
        accent = note_peaks_db(res.notes, res.raw_track)
        for i, price in enumerate(points):
            follow = dataclasses.replace(base.follow, bars_price=price)
            rh = rhythm.analyze(
                res.notes,
                accent_db=accent,
                grid_penalties=base.grid_penalties,
                compound_shift=base.compound_shift,
                rest_min_beats=base.rest_min_beats,
                follow=follow,
            )
            written = [(n.onset_s, q, n.midi) for n, q in zip(res.notes, rh.durations_q)]
            page = metrics.page_scores(written, res.key, rh.time_signature, it.page)
            scores[i, j] = page["dur_right"], page["ts_right"], float(page["dur_scale"] == 1.0)
    folds = np.array(exercise_folds(items))
    report = []
    for k, best, test in fold_choices(scores[:, :, :2], folds):
        dur, ts, level = scores[best, test].mean(axis=0)
        dur0, ts0, _ = scores[0, test].mean(axis=0)
        report.append(
            {
                "fold": k,
                "recordings": int(test.sum()),
                "durations": dur,
                "time_sig": ts,
                "tempo_level": level,
                "off_durations": dur0,
                "off_time_sig": ts0,
            }
        )
        off = f"(off: {dur0:.3f} / {ts0:.3f})"
        print(f"fold {k}: durations {dur:.3f} time sig {ts:.3f} tempo level {level:.3f} {off} chosen {points[best]}")
    w = np.array([r["recordings"] for r in report], dtype=float)
    measures = ("durations", "time_sig", "tempo_level", "off_durations", "off_time_sig")
    held = {m: float(sum(r[m] * n for r, n in zip(report, w)) / w.sum()) for m in measures}
    print("held out, all folds:", {m: round(v, 3) for m, v in held.items()})
    for p, s in zip(points, scores.mean(axis=1)):
        print(f"  all 40 at bars_price {p:g}: durations {s[0]:.3f} time sig {s[1]:.3f} tempo level {s[2]:.3f}")
    best = points[int(np.argmax(scores[:, :, :2].mean(axis=2).mean(axis=1)))]
    print(f"best on all recordings: bars_price {best:g}")
    if a.write:
        prov = provenance(
            "benchmarks.fit_sung_meter",
            argv,
            seeds="exercise folds: numpy default_rng(0) permutation of the 21 exercises (as fit_intonation)",
            data="ssvd-scores (40 recordings, 21 exercises), this tool's notes, sung_rhythm.npz fixed",
            held_out="five folds by exercise: " + ", ".join(f"{m} {v:.3f}" for m, v in held.items()),
        )
        arrays = {
            "params": np.array([best], dtype=float),
            "cv.durations": np.array([r["durations"] for r in report]),
            "cv.time_sig": np.array([r["time_sig"] for r in report]),
        }
        write_model("sung_meter", a.out, arrays=arrays, names={"features": rhythm.SUNG_METER_PARAMS}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
