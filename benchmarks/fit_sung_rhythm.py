"""Fit how a voice's rhythm is written (``transcribe/models/sung_rhythm.npz``) on ssvd-scores,
cross-validated by exercise.

``python -m benchmarks.fit_sung_rhythm [--write] [--out PATH]`` (~2 min: transcribes the 40 recordings once).
A voice is written with simple values unless the onsets insist: the price per onset of a
finer beat division (sixteenths) and of the other one (triplets), a shift against meters in
beats of three, and the shortest gap written as a rest (a shorter breath joins the note), are
chosen from a small grid by the page measures they drive (the mean of the share of notes
written with the printed length, one factor in {1/2, 1, 2} per recording, and the time
signature; ``benchmarks.metrics.page_scores``). Five folds split by
EXERCISE (seeded, as ``fit_intonation``): the grid point best on four folds is scored on the
fifth. ``--write`` stores the all-data best with the fold figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import transcribe
from benchmarks import metrics
from benchmarks.datasets import find_shared, load_ssvd_scores
from benchmarks.fit_intonation import exercise_folds, fold_choices
from benchmarks.model_files import provenance, write_model
from transcribe import rhythm
from transcribe.pipeline import note_peaks_db

PENALTIES = ((rhythm.FINE_PENALTY, rhythm.OTHER_PENALTY), (0.15, 0.25), (0.3, 0.4), (0.5, 0.6), (1.0, 1.0))
SHIFTS = (0.0, 0.5, 1.0, 2.0, 4.0)
RESTS = (0.5, 1.0, 1.5)
GRID = [rhythm.SungRhythm(p, s, r) for p in PENALTIES for s in SHIFTS for r in RESTS]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_sung_rhythm", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="store the all-data best in transcribe/models/sung_rhythm.npz")
    ap.add_argument("--out", type=Path, help="with --write: where to write the model file (default: the package's own)")
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = [it for it in load_ssvd_scores(shared) if it.page]
    scores = np.zeros((len(GRID), len(items), 2))
    for j, it in enumerate(items):
        res = transcribe.transcribe(str(it.audio))
        accent = note_peaks_db(res.notes, res.raw_track)
        for i, how in enumerate(GRID):
            rh = rhythm.analyze(
                res.notes,
                accent_db=accent,
                grid_penalties=how.grid_penalties,
                compound_shift=how.compound_shift,
                rest_min_beats=how.rest_min_beats,
            )
            written = [(n.onset_s, q, n.midi) for n, q in zip(res.notes, rh.durations_q)]
            page = metrics.page_scores(written, res.key, rh.time_signature, it.page)
            scores[i, j] = page["dur_right"], page["ts_right"]
    objective = scores.mean(axis=2)
    folds = np.array(exercise_folds(items))
    report = []
    for k, best, test in fold_choices(scores, folds):
        dur, ts = scores[best, test].mean(axis=0)
        dur0, ts0 = scores[0, test].mean(axis=0)
        report.append(
            {"fold": k, "recordings": int(test.sum()), "durations": dur, "time_sig": ts, "default_durations": dur0, "default_time_sig": ts0}
        )
        print(f"fold {k}: durations {dur:.3f} time sig {ts:.3f} (an instrument's rules {dur0:.3f} / {ts0:.3f}) chosen {GRID[best]}")
    w = np.array([r["recordings"] for r in report], dtype=float)
    measures = ("durations", "time_sig", "default_durations", "default_time_sig")
    held = {m: float(sum(r[m] * n for r, n in zip(report, w)) / w.sum()) for m in measures}
    print("held out, all folds:", {m: round(v, 3) for m, v in held.items()})
    best = GRID[int(np.argmax(objective.mean(axis=1)))]
    print("best on all recordings:", best)
    if a.write:
        prov = provenance(
            "benchmarks.fit_sung_rhythm",
            argv,
            seeds="exercise folds: numpy default_rng(0) permutation of the 21 exercises (as fit_intonation)",
            data="ssvd-scores (40 recordings, 21 exercises), this tool's notes",
            held_out="five folds by exercise: " + ", ".join(f"{m} {v:.3f}" for m, v in held.items()),
        )
        arrays = {
            "params": np.array(best.values(), dtype=float),
            "cv.durations": np.array([r["durations"] for r in report]),
            "cv.time_sig": np.array([r["time_sig"] for r in report]),
        }
        write_model("sung_rhythm", a.out, arrays=arrays, names={"features": rhythm.SUNG_RHYTHM_PARAMS}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
