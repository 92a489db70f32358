"""Fit the parameters of :mod:`transcribe.intonation` on ssvd-scores, cross-validated by exercise.

``python -m benchmarks.fit_intonation [--write]`` (~3 min on one core). The inputs are the
recordings' human-labelled sung notes (onset, offset, sung pitch) rounded at A440 the way the
voice path finds them, so the fit sees the naming problem alone (not note finding). Each
parameter set of a small grid is scored per recording by the page measures it drives: the
share of notes written as the printed pitch in the singer's register (intended pitch) and
whether the key signature is right, averaged. Five folds split by EXERCISE (every recording
of an exercise on the same side; seeded): the grid point best on four folds is scored on the
fifth. Prints each fold's held-out figures, then the grid point best on all recordings, which
``--write`` stores in ``transcribe/data/intonation.json`` with the fold figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict, replace

import numpy as np

from benchmarks.datasets import Item, find_shared, load_ssvd_scores
from transcribe import harmony
from transcribe.intonation import PARAMS_FILE, IntonationParams, name_sung_notes
from transcribe.types import Note

GRID = {
    "key_model_weight": (0.0, 3.0, 10.0, 30.0),
    "chromatic_cost": (3.0, 5.0, 8.0, 12.0),
    "drift_per_note_cents": (3.0, 5.0, 8.0),
}
FOLDS = 5


def recording_scores(item: Item, params: IntonationParams) -> tuple[float, float]:
    """(intended pitch share, key signature right) of one recording's labels named with ``params``."""
    page = item.page
    assert page is not None
    found = tuple(Note(a, b, int(round(m)), (m - round(m)) * 100.0) for a, b, m in page.label_notes)
    meant = name_sung_notes(found, params=params)
    hits = [n.midi == want for n, want in zip(meant.notes, page.intended_midi) if want is not None]
    key_right = 7 * harmony.key_signature_sharps(meant.key) % 12 == page.major_pc
    return (float(np.mean(hits)) if hits else 0.0), float(key_right)


def exercise_folds(items: list[Item], *, seed: int = 0) -> list[int]:
    """Fold number per item, whole exercises per fold."""
    exercises = sorted({it.page.exercise for it in items if it.page})
    order = np.random.default_rng(seed).permutation(len(exercises))
    fold_of = {exercises[j]: k % FOLDS for k, j in enumerate(order)}
    return [fold_of[it.page.exercise] for it in items if it.page]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_intonation", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help=f"store the all-data best in {PARAMS_FILE}")
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = [it for it in load_ssvd_scores(shared) if it.page]
    base = IntonationParams()
    points = [replace(base, **dict(zip(GRID, values))) for values in itertools.product(*GRID.values())]
    scores = np.array([[recording_scores(it, p) for it in items] for p in points])  # (points, items, 2)
    objective = scores.mean(axis=2)
    folds = np.array(exercise_folds(items))
    report = []
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        best = int(np.argmax(objective[:, train].mean(axis=1)))
        pitch, key = scores[best, test].mean(axis=0)
        pitch0, key0 = scores[points.index(base), test].mean(axis=0)
        report.append(
            {
                "fold": k,
                "recordings": int(test.sum()),
                "intended_pitch": pitch,
                "key_sig": key,
                "default_pitch": pitch0,
                "default_key_sig": key0,
            }
        )
        print(
            f"fold {k}: {int(test.sum()):2d} recordings held out  intended pitch {pitch:.3f} key sig {key:.3f}"
            f"  (defaults {pitch0:.3f} / {key0:.3f})  chosen {dict(zip(GRID, (getattr(points[best], g) for g in GRID)))}"
        )
    held = np.array([[r["intended_pitch"], r["key_sig"]] for r in report])
    weights = np.array([r["recordings"] for r in report], dtype=float)
    mean_pitch, mean_key = (held * weights[:, None]).sum(axis=0) / weights.sum()
    print(f"held out, all folds: intended pitch {mean_pitch:.3f} key sig {mean_key:.3f} (labels as input)")
    best = points[int(np.argmax(objective.mean(axis=1)))]
    print("best on all recordings:", {g: getattr(best, g) for g in GRID})
    if a.write:
        data = {
            "params": asdict(best),
            "fitted_by": "python -m benchmarks.fit_intonation --write",
            "fitted_on": "ssvd-scores (40 recordings, 21 exercises): labelled sung notes rounded at A440",
            "cv_by_exercise": {"folds": report, "intended_pitch": mean_pitch, "key_sig": mean_key},
        }
        PARAMS_FILE.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {PARAMS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
