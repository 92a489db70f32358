"""Fit the sung-note onset and offset model (:mod:`transcribe.sung`) on SSVD's training split.

    python -m benchmarks.fit_sung_onsets            # fit on all of ssvd-dev, write transcribe/models/sung_onsets.npz
    python -m benchmarks.sung_cv --method model     # the same fit, cross-validated by recording

Each frame's :func:`transcribe.sung.frame_features` (the same call inference makes) is
labelled 1 for the onset network where a labelled note starts within half a frame of it
(and the frames either side, weighted less), and likewise at labelled offsets for the offset
network. Frames far from any label are subsampled (seeded). Both networks are fitted with
:func:`benchmarks.fit_reattack.fit`; the peak thresholds and the pitch offset are then
chosen on the training recordings' own COnP / COnPOff.
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks import model_files, sung_cv
from benchmarks.fit_reattack import _objective
from transcribe import features, models
from transcribe.notes import sung
from transcribe.types import FrameArrays

HIDDEN, L2, MAX_ITER = 16, 1e-4, 500
#: Share of frames far from every label kept for fitting.
FAR_SHARE = 0.15
OUT = models.path("sung_onsets")


def frames_of(rec: sung_cv.Recording) -> FrameArrays:
    """The per-frame arrays the model reads, as the pipeline builds them."""
    return FrameArrays.of(rec.raw, rec.onset, rec.attack, rec.mask)


def bands_of(rec: sung_cv.Recording) -> np.ndarray:
    """The band levels the model reads, as the pipeline computes them."""
    return features.band_levels_db(rec.audio.samples, rec.audio.sr, rec.raw.times_s)


def _targets(times: np.ndarray, at_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: 1 at the frame nearest each labelled time, 0.5 next to it; and distance (frames) to the nearest."""
    n, hop = len(times), float(times[1] - times[0])
    y = np.zeros(n)
    near = np.full(n, 1e9)
    for t in at_s:
        i = int(np.clip(np.round((t - times[0]) / hop), 0, n - 1))
        y[i] = 1.0
        for j in (i - 1, i + 1):
            if 0 <= j < n and y[j] < 1.0:
                y[j] = max(y[j], 0.5)
        near = np.minimum(near, np.abs(np.arange(n) - i))
    return y, near


def rows(recs: list[sung_cv.Recording], *, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, onset targets and offset targets of the frames kept for fitting."""
    rng = np.random.default_rng(seed)
    xs, ons, offs = [], [], []
    for rec in recs:
        x = sung.frame_features(frames_of(rec), bands_of(rec))
        y_on, d_on = _targets(rec.raw.times_s, rec.labels[:, 0])
        y_off, d_off = _targets(rec.raw.times_s, rec.labels[:, 1])
        keep = (np.minimum(d_on, d_off) <= 6) | (rng.random(len(x)) < FAR_SHARE)
        xs.append(x[keep])
        ons.append(y_on[keep])
        offs.append(y_off[keep])
    return np.vstack(xs), np.concatenate(ons), np.concatenate(offs)


def fit_network(x: np.ndarray, y: np.ndarray, *, seed: int) -> dict[str, np.ndarray]:
    """One network (:func:`transcribe.notes.network.probability`'s layout) fitted by L-BFGS to soft targets ``y``,
    with the objective of :mod:`benchmarks.fit_reattack` and at most :data:`MAX_ITER` iterations."""
    from scipy.optimize import minimize

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = (x - mean) / scale
    f = x.shape[1]
    rng = np.random.default_rng(seed)
    theta0 = np.concatenate([0.3 * rng.normal(size=HIDDEN * f), np.zeros(HIDDEN), 0.3 * rng.normal(size=HIDDEN), [0.0]])
    theta = minimize(_objective, theta0, args=(xs, y, HIDDEN, L2), jac=True, method="L-BFGS-B", options={"maxiter": MAX_ITER}).x
    return {
        "mean": mean,
        "scale": scale,
        "hidden": theta[: HIDDEN * f].reshape(HIDDEN, f),
        "hidden_bias": theta[HIDDEN * f : HIDDEN * f + HIDDEN],
        "out": theta[HIDDEN * f + HIDDEN : HIDDEN * f + 2 * HIDDEN],
        "out_bias": np.array(theta[-1]),
    }


def model_notes(rec: sung_cv.Recording, model: sung.SungModel) -> np.ndarray:
    """The model's notes of one recording as scored rows."""
    return sung_cv.as_rows(sung.notes_from(frames_of(rec), bands_of(rec), model, min_note_s=0.07), 0.0)


def fit(recs: list[sung_cv.Recording], *, seed: int = 0) -> sung.SungModel:
    """The model fitted on ``recs``: both networks, then thresholds and pitch offset on the same recordings."""
    x, y_on, y_off = rows(recs, seed=seed)
    w_on = fit_network(x, y_on, seed=seed)
    w_off = fit_network(x, y_off, seed=seed + 1)
    # The pitch offset: the shift of the measured pitches that puts most of the training notes a
    # first reading finds (onset within 50 ms of a label) within 50 cents of their labels.
    model = sung.SungModel(w_on, w_off, 0.3, 0.2, 4, 0.0)
    diffs = []
    for rec in recs:
        for n in sung.notes_from(frames_of(rec), bands_of(rec), model, min_note_s=0.07):
            k = np.argmin(np.abs(rec.labels[:, 0] - n.onset_s))
            if abs(rec.labels[k, 0] - n.onset_s) < 0.05:
                diffs.append(rec.labels[k, 2] - (n.midi + n.cents / 100.0))
    d = np.asarray(diffs)
    grid = np.arange(-0.5, 0.5, 0.01)
    offset_st = float(grid[np.argmax([np.sum(np.abs(d - g) < 0.5) for g in grid])]) if len(d) else 0.0
    probs = [(frames_of(r), *sung.probabilities(frames_of(r), bands_of(r), model)) for r in recs]
    best = None
    for on_min in (0.25, 0.3, 0.35, 0.4):
        for off_min in (0.1, 0.2, 0.3):
            cand = sung.SungModel(w_on, w_off, on_min, off_min, 4, offset_st)
            got = [
                sung_cv.score(r.labels, sung_cv.as_rows(sung.read_notes(f, p_on, p_off, cand, min_note_s=0.07), 0.0))[:2]
                for r, (f, p_on, p_off) in zip(recs, probs)
            ]
            s = float(np.mean(got, axis=0).sum())
            if best is None or s > best[0]:
                best = (s, cand)
    return best[1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cv", default="", help="the cross-validated score to record in the file (from benchmarks.sung_cv)")
    args = ap.parse_args(argv)
    shared = sung_cv.shared_dir()
    if shared is None:
        raise SystemExit("../shared is missing: the model is fitted on ../shared/data/singing/ssvd-dev")
    recs = sung_cv.load_set(shared / "data" / "singing" / "ssvd-dev")
    model = fit(recs, seed=args.seed)
    prov = model_files.provenance(
        "benchmarks.fit_sung_onsets",
        argv,
        seeds=f"{args.seed} (network initialisation and the subsampling of far frames)",
        data=f"ssvd-dev, {len(recs)} recordings, all of them",
        held_out=f"cross-validated: {args.cv}",
    )
    model.save(OUT, provenance={**prov, "fitted": f"hidden {HIDDEN}, l2 {L2}, max_iter {MAX_ITER}"})
    print(f"wrote {OUT}: onset_min {model.onset_min} offset_min {model.offset_min} pitch_offset_st {model.pitch_offset_st:.4f}")


if __name__ == "__main__":
    main()
