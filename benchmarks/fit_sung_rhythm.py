"""Fit how a voice's rhythm is written (:data:`transcribe.rhythm.SUNG_RHYTHM_FILE`) on ssvd-scores,
cross-validated by exercise.

``python -m benchmarks.fit_sung_rhythm [--write]`` (~1 min: transcribes the 40 recordings once).
A voice is written with simple values unless the onsets insist: the price per onset of a
finer beat division (sixteenths) and of the other one (triplets) is chosen from a small grid
by the page measure it drives, the share of notes written with the printed length (one
factor in {1/2, 1, 2} per recording; ``benchmarks.metrics.page_scores``). Five folds split by
EXERCISE (seeded, as ``fit_intonation``): the grid point best on four folds is scored on the
fifth. ``--write`` stores the all-data best with the fold figures.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import transcribe
from benchmarks import metrics
from benchmarks.datasets import find_shared, load_ssvd_scores
from benchmarks.fit_intonation import FOLDS, exercise_folds
from transcribe import rhythm
from transcribe.pipeline import note_peaks_db

GRID = ((rhythm.FINE_PENALTY, rhythm.OTHER_PENALTY), (0.15, 0.25), (0.3, 0.4), (0.5, 0.6), (1.0, 1.0))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_sung_rhythm", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help=f"store the all-data best in {rhythm.SUNG_RHYTHM_FILE}")
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = [it for it in load_ssvd_scores(shared) if it.page]
    scores = np.zeros((len(GRID), len(items)))
    for j, it in enumerate(items):
        res = transcribe.transcribe(str(it.audio))
        accent = note_peaks_db(res.notes, res.raw_track)
        for i, pen in enumerate(GRID):
            rh = rhythm.analyze(res.notes, accent_db=accent, grid_penalties=pen)
            written = [(n.onset_s, q, n.midi) for n, q in zip(res.notes, rh.durations_q)]
            scores[i, j] = metrics.page_scores(written, res.key, rh.time_signature, it.page)["dur_right"]
    folds = np.array(exercise_folds(items))
    report = []
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        best = int(np.argmax(scores[:, train].mean(axis=1)))
        report.append({"fold": k, "recordings": int(test.sum()), "durations": scores[best, test].mean(), "default": scores[0, test].mean()})
        print(
            f"fold {k}: durations {scores[best, test].mean():.3f} (instrument penalties {scores[0, test].mean():.3f}) chosen {GRID[best]}"
        )
    w = np.array([r["recordings"] for r in report], dtype=float)
    held = float(sum(r["durations"] * n for r, n in zip(report, w)) / w.sum())
    print(f"held out, all folds: durations {held:.3f}")
    best = GRID[int(np.argmax(scores.mean(axis=1)))]
    print("best on all recordings:", best)
    if a.write:
        data = {
            "grid_penalties": list(best),
            "fitted_by": "python -m benchmarks.fit_sung_rhythm --write",
            "fitted_on": "ssvd-scores (40 recordings, 21 exercises), this tool's notes",
            "cv_by_exercise": {"folds": report, "durations": held},
        }
        rhythm.SUNG_RHYTHM_FILE.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {rhythm.SUNG_RHYTHM_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
