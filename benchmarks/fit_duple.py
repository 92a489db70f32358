"""Fit the two-or-four-beats check (``transcribe/models/duple.npz``) on real transcriptions.

    python -m benchmarks.fit_duple [--sets 2x96,3x192,4x192+5x192,6x192,7x192,8x192] [--scored]

The meter model (:mod:`benchmarks.fit_meter`) is fitted on simulated takes and
reads many 2/4 tunes as 4/4 in real transcriptions. This script takes the
rendered items of other seeds (default 2 to 8, only those whose tunes
neither scored set uses; transcribed once and cached by
:func:`benchmarks.meter_real.collect`), and wherever the meter model's choice
is two or four simple beats a bar and exactly one of the best two-beat and
four-beat readings has the right time signature, it records
:func:`transcribe.rhythm.duple_features` and which one is right. An
L2-regularised logistic model (C = 1, intercept not penalised, features as
they are) is fitted on those items, with the fixed log-odds of a long last note
(:data:`transcribe.rhythm.LONG_END_LOG_ODDS`, taken from the corpus, not fitted:
the rendered items are cut at a bar line, so their endings say little) added
to the items that have one.

It prints, per seed, the time signatures right with the meter model alone and
with the check cross-validated (``--folds`` folds split by tune, so a tune
rendered in two seeds is never scored by weights fitted on it), then the
weights fitted on all of them, written at full precision and with their provenance to
``transcribe/models/duple.npz`` (``--out`` to write elsewhere).
With ``--scored`` it also reports the two scored sets (seeds 0 and 1) with the
check fitted on all the calibration seeds; they are never used to fit.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from benchmarks import fit_meter, metrics
from benchmarks.meter_real import collect
from benchmarks.model_files import provenance, write_model
from transcribe import rhythm


def item_rows(rows: list[tuple]) -> list[dict]:
    """Per item: its seed, whether the meter model alone is right, and the check's input."""
    out = []
    for seed, _, path, number, notes, accent, truth in rows:
        rec: dict = {"seed": seed, "tune": (path, number), "alone": False, "x": None}
        if len(notes) >= 8:  # as rhythm.analyze: too few notes for a meter
            cands, feats, _, k = fit_meter.readings(notes, truth, accent)
            d = rhythm.place_on_tatums(notes).ioi
            index = rhythm.pick_reading(cands, feats)
            _, ts = fit_meter.chosen(lambda c, f, i=index: i, cands, feats, k)
            rec["alone"] = metrics.ts_right(ts, truth["ts"]) > 0
            rel = rhythm.relative_levels(accent, np.array([n.midi for n in notes]), len(notes))
            got = rhythm.duple_features(cands, feats, index, k, rel)
            if got is not None:
                x, two, four = got
                rec.update(
                    x=x,
                    two_right=metrics.ts_right(cands[two].time_signature, truth["ts"]) > 0,
                    four_right=metrics.ts_right(cands[four].time_signature, truth["ts"]) > 0,
                    long_end=rhythm.long_end(d, cands[four]),
                )
        out.append(rec)
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, offset: np.ndarray, c: float = 1.0) -> tuple[np.ndarray, float]:
    """Weights and intercept minimising the log loss plus ``|w|^2 / (2 c)``; ``offset`` is a
    fixed term added to each item's log-odds (the long last note), shape (len(y),)."""
    from scipy.optimize import minimize

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta[:-1] + theta[-1] + offset
        p = 1.0 / (1.0 + np.exp(-z))
        loss = float(np.sum(np.logaddexp(0.0, z) - y * z)) + float(theta[:-1] @ theta[:-1]) / (2.0 * c)
        g = np.append(x.T @ (p - y) + theta[:-1] / c, np.sum(p - y))
        return loss, g

    res = minimize(objective, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    return res.x[:-1], float(res.x[-1])


def trainable(recs: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The items where exactly one of the two readings is right: features, "two is right"
    and the fixed log-odds of their last note."""
    use = [r for r in recs if r["x"] is not None and r["two_right"] != r["four_right"]]
    offset = [-rhythm.LONG_END_LOG_ODDS if r["long_end"] else 0.0 for r in use]
    return np.array([r["x"] for r in use]), np.array([float(r["two_right"]) for r in use]), np.array(offset)


def right_with(recs: list[dict], w: np.ndarray, b: float) -> int:
    """Items with the right time signature when the check decides between two and four beats."""
    n = 0
    for r in recs:
        if r["x"] is None:
            n += r["alone"]
        else:
            n += r["two_right"] if rhythm.duple_log_odds(r["x"], w, b, long_end=r["long_end"]) > 0.0 else r["four_right"]
    return n


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_duple", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sets",
        default="2x96,3x192,4x192+5x192,6x192,7x192,8x192",
        help="rendered sets SEEDxITEMS to fit on; '+' separates groups transcribed and cached apart",
    )
    ap.add_argument("--scored", action="store_true", help="also report the scored sets (seeds 0 and 1)")
    ap.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds, split by tune")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, help="where to write the model file (default: the package's own)")
    a = ap.parse_args(argv)
    groups = [[(int(s), int(n)) for s, n in (x.split("x") for x in g.split(","))] for g in a.sets.split("+")]
    held = fit_meter.scored_tunes()
    recs = item_rows([r for g in groups for r in collect(g, a.jobs) if (r[2], r[3]) not in held])
    seeds = sorted({r["seed"] for r in recs})
    tunes = sorted({r["tune"] for r in recs}, key=str)
    # A tune rendered in two seeds stays in one fold, so no fold is scored on a tune it was fitted on.
    fold_of = {t: i % a.folds for i, t in enumerate(np.random.default_rng(0).permutation(len(tunes)))}
    fold = {t: fold_of[j] for j, t in enumerate(tunes)}
    print(f"{len(recs)} items ({len(tunes)} tunes) of seeds {', '.join(map(str, seeds))} whose tunes the scored sets do not use")
    right = {}
    for f in range(a.folds):
        w, b = fit_logistic(*trainable([r for r in recs if fold[r["tune"]] != f]), a.c)
        for i, r in enumerate(recs):
            if fold[r["tune"]] == f:
                right[i] = right_with([r], w, b)
    print(f"seed  items  meter model alone  with the check ({a.folds}-fold by tune)")
    for s in [*seeds, None]:
        idx = [i for i, r in enumerate(recs) if s is None or r["seed"] == s]
        alone, checked = sum(recs[i]["alone"] for i in idx) / len(idx), sum(right[i] for i in idx) / len(idx)
        print(f"{'all' if s is None else s:>4}  {len(idx):>5d}  {alone:>17.3f}  {checked:.3f}")
    x, y, offset = trainable(recs)
    w, b = fit_logistic(x, y, offset, a.c)
    print(f"fitted on all {len(y)} items where exactly one reading is right ({int(y.sum())} two-beat)")
    if a.scored:
        scored = item_rows(collect(list(fit_meter.HELD_OUT_SETS), a.jobs))
        for s in sorted({r["seed"] for r in scored}):
            test = [r for r in scored if r["seed"] == s]
            alone, checked = sum(r["alone"] for r in test) / len(test), right_with(test, w, b) / len(test)
            print(f"scored seed {s}: {len(test)} items, meter model alone {alone:.3f}, with the check {checked:.3f}")
    assert math.isfinite(b)
    alone, checked = sum(r["alone"] for r in recs) / len(recs), sum(right.values()) / len(recs)
    prov = provenance(
        "benchmarks.fit_duple",
        argv,
        seeds=f"rendered seeds {', '.join(map(str, seeds))}; folds by tune from seed 0",
        data=f"real transcriptions of {len(recs)} rendered items ({len(tunes)} tunes) whose tunes neither scored set uses",
        held_out=f"time signature {alone:.3f} -> {checked:.3f}, {a.folds} folds split by tune",
    )
    arrays = {"weights": np.asarray(w, dtype=np.float64), "intercept": np.float64(b)}
    write_model("duple", a.out, arrays=arrays, names={"features": rhythm.DUPLE_FEATURES}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
