"""Fit the re-attack network (``transcribe/models/reattack.npz``) on rendered sets.

    python -m benchmarks.fit_reattack [--train 2:96,3:192] [--check 0:48] [--hidden 16]

The shipped weights: ``--train 2:96,3:192,10:48:varied,11:48:varied,12:48:varied,16:48:auditorium,17:48:auditorium --check ''``.

The training sets are rendered sets (``benchmarks.build_rendered``) with seeds
the benchmark does not score (2 and 3 by default; the benchmark scores seed 0
and, as its second check, seed 1). Each item runs through the transcriber with
the pipeline's stage hook recording every note run that the re-attack search
looks at; :func:`transcribe.notes.reattack.run_candidates` gives its candidates and a
candidate is *right* when the ground truth starts a note of the run's pitch
within 64 ms of it (inside the run, so it is a repeated note the pitch track
cannot show). A one-hidden-layer network (ReLU units, logistic output,
L2-regularised cross-entropy, L-BFGS from seeded small weights) is fitted on
standardised features.

The transcriber that gives the candidates runs with the package's own weights, whose feature
names must match :data:`transcribe.notes.reattack.FEATURES`. After new features are added, first
give the old weights zero weights on them (``mean`` 0, ``scale`` 1, zero ``hidden`` columns: the
same decisions), then fit: the candidates do not depend on the weights.

Prints the candidates' hits and false alarms at the decision threshold on the
training sets and the ``--check`` sets for the current and the fitted weights,
and writes the fitted weights at full precision, with their provenance, to
``transcribe/models/reattack.npz`` (``--out`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import warnings
from collections import defaultdict
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.datasets import Item, load_rendered
from benchmarks.model_files import provenance, write_model
from benchmarks.rendered.variations import HELD_OUT_SEED, VARIATIONS
from transcribe import notes
from transcribe.notes import reattack

#: A candidate within this much of a true onset of the run's pitch is right (seconds).
MATCH_S = 0.064


def stage_inputs(item: Item) -> dict[str, list[dict[str, Any]]]:
    """Transcribe ``item`` (default options, SwiftF0) and return what the hooked stages got
    (the ``hook`` of :func:`transcribe.pipeline.transcribe`): per stage name, one dict per call."""
    import transcribe

    warnings.simplefilter("ignore")
    got: dict[str, list[dict[str, Any]]] = defaultdict(list)
    transcribe.transcribe(str(item.audio), pitch="swift", hook=lambda stage, inputs: got[stage].append(inputs))
    return dict(got)


def map_items(fn: Callable[[Item], Any], sets: list[tuple[int, int, str]], *, jobs: int) -> list[Any]:
    """``fn`` of every item of the rendered sets ``(seed, items, variation)``, in a pool of ``jobs`` processes."""
    items = [it for seed, k, var in sets for it in load_rendered(seed, k, variation=var)]
    with Pool(jobs) as pool:
        return pool.map(fn, items)


def _item_rows(item: Item) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every re-attack candidate the transcriber considers in ``item``."""
    return run_rows(stage_inputs(item).get("reattack_run", []), item.refs[0].notes)


def run_rows(runs: list[dict[str, Any]], ref: Any) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the re-attack candidates of the hooked note ``runs`` of one
    recording whose true notes are ``ref`` ((onset_s, offset_s, midi) each)."""
    xs, ys = [], []
    for run in runs:
        start, end, frames, min_len, guard, recording = (run[k] for k in ("start", "end", "frames", "min_len", "guard", "recording"))
        t = np.asarray(frames.times_s)
        if end - start < 2 * max(min_len, 2):
            continue
        w = frames.window(start, end)
        midi, voiced = w.midi, w.voiced
        splits, feats = reattack.run_candidates(w, recording, start=start)
        n = end - start
        keep = (splits >= min_len) & (n - splits >= max(min_len, guard))
        if not keep.any():
            continue
        vm = midi[voiced & np.isfinite(midi)]
        if not len(vm):
            continue
        pitch = round(float(np.median(vm)))
        lo, hi = t[start] + 0.5 * min_len * recording.hop_s, t[end - 1] - 0.05
        onsets = np.array([a for a, _, m in ref if m == pitch and lo < a < hi])
        at = t[start + splits[keep]]
        right = np.array([bool(len(onsets)) and bool(np.abs(onsets - x).min() <= MATCH_S) for x in at])
        xs.append(feats[keep])
        ys.append(right)
    if not xs:
        return np.zeros((0, len(reattack.FEATURES))), np.zeros(0, dtype=bool)
    return np.vstack(xs), np.concatenate(ys)


def collect(sets: list[tuple[int, int, str]], *, jobs: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Stacked candidate features and labels of the rendered sets ``(seed, items)``."""
    rows = map_items(_item_rows, sets, jobs=jobs)
    return np.vstack([r[0] for r in rows]), np.concatenate([r[1] for r in rows])


def _objective(theta: np.ndarray, x: np.ndarray, y: np.ndarray, hidden: int, l2: float) -> tuple[float, np.ndarray]:
    """Mean cross-entropy plus L2 on the weights, and its gradient."""
    n, f = x.shape
    w1 = theta[: hidden * f].reshape(hidden, f)
    b1 = theta[hidden * f : hidden * f + hidden]
    w2 = theta[hidden * f + hidden : hidden * f + 2 * hidden]
    b2 = theta[-1]
    pre = x @ w1.T + b1
    h = np.maximum(pre, 0.0)
    z = h @ w2 + b2
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))
    eps = 1e-12
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + l2 * (np.sum(w1**2) + np.sum(w2**2))
    dz = (p - y) / n
    g_w2 = h.T @ dz + 2 * l2 * w2
    g_b2 = dz.sum()
    dh = np.outer(dz, w2) * (pre > 0)
    g_w1 = dh.T @ x + 2 * l2 * w1
    g_b1 = dh.sum(axis=0)
    return float(loss), np.concatenate([g_w1.ravel(), g_b1, g_w2, [g_b2]])


def fit(x: np.ndarray, y: np.ndarray, *, hidden: int, l2: float, seed: int = 0, max_iter: int = 4000) -> dict[str, np.ndarray]:
    """Network weights (in :func:`transcribe.notes.network.probability`'s layout) fitted to ``(x, y)``
    (0/1 or soft targets) by L-BFGS, at most ``max_iter`` iterations."""
    from scipy.optimize import minimize

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = (x - mean) / scale
    f = x.shape[1]
    rng = np.random.default_rng(seed)
    theta0 = np.concatenate([0.3 * rng.normal(size=hidden * f), np.zeros(hidden), 0.3 * rng.normal(size=hidden), [0.0]])
    theta = minimize(
        _objective, theta0, args=(xs, y.astype(float), hidden, l2), jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
    ).x
    return {
        "mean": mean,
        "scale": scale,
        "hidden": theta[: hidden * f].reshape(hidden, f),
        "hidden_bias": theta[hidden * f : hidden * f + hidden],
        "out": theta[hidden * f + hidden : hidden * f + 2 * hidden],
        "out_bias": np.array(theta[-1]),
    }


def _report(name: str, x: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray], threshold: float) -> str:
    pick = reattack.probability(x, weights=weights) >= threshold
    hits, false = int(np.sum(pick & y)), int(np.sum(pick & ~y))
    return f"{name}: {hits} of {int(y.sum())} right candidates taken, {false} of {int((~y).sum())} wrong ones"


def _sets(text: str) -> list[tuple[int, int, str]]:
    """``seed:items[:variation]`` comma list (variation: a name of
    :data:`benchmarks.rendered.variations.VARIATIONS`, default ``fluidr3``)."""
    out = []
    for part in (p for p in text.split(",") if p):
        seed, items, *var = part.split(":")
        name = var[0] if var else "fluidr3"
        if name not in VARIATIONS:
            raise SystemExit(f"unknown variation {name!r} in {part!r} (choose from {', '.join(VARIATIONS)})")
        out.append((int(seed), int(items), name))
    return out


def fit_parser(doc: str) -> argparse.ArgumentParser:
    """The options every ``fit_*`` network script takes (training and check sets, network size)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default="2:96,3:192", help="training sets as seed:items[:variation], comma separated")
    ap.add_argument("--check", default="0:48", help="sets only reported, as seed:items[:variation]")
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, help="where to write the model file (default: the package's own)")
    return ap


def training_sets(ap: argparse.ArgumentParser, args: argparse.Namespace) -> list[tuple[int, int, str]]:
    """The ``--train`` sets; the benchmark's own (seeds 0, 1 and the held-out set's), any set
    with the held-out soundfont or room and the fast check set are refused."""
    train = _sets(args.train)
    if {s for s, _, _ in train} & {0, 1, HELD_OUT_SEED}:
        ap.error(f"seeds 0, 1 and {HELD_OUT_SEED} are the benchmark's sets; train on others")
    held = VARIATIONS["held-out"]
    for _, _, name in train:
        var = VARIATIONS[name]
        if set(var.soundfonts) & set(held.soundfonts) or set(var.rooms) & set(held.rooms):
            ap.error(f"variation {name!r} uses the held-out set's soundfont or room; train on others")
        if var.tempo_scale != 1.0:
            ap.error(f"variation {name!r} is the fast passages' check set, reported only; train on others")
    return train


def network_arrays(weights: dict[str, np.ndarray], prefix: str = "net") -> dict[str, np.ndarray]:
    """A network's weights (:func:`transcribe.notes.network.probability`'s layout) as model-file arrays."""
    return {f"{prefix}.{k}": np.asarray(v, dtype=np.float64) for k, v in weights.items()}


def fit_per_note(
    ap: argparse.ArgumentParser,
    args: argparse.Namespace,
    collect_rows: Callable[..., list[tuple[Any, ...]]],
    right: Callable[[list[tuple[Any, ...]], dict[str, np.ndarray] | None], float],
    current: dict[str, np.ndarray],
    *,
    noun: str,
    measure: str,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]] | None, dict[str, np.ndarray]]:
    """Fit a network whose rows are notes and print how it does: the body of the per-note
    ``fit_*`` scripts (onsets, releases). Returns the training rows, the check rows
    (``None`` without ``--check``) and the fitted weights.

    ``collect_rows(sets, jobs=...)`` gives one row per note, its candidate features at
    ``row[1]`` and their labels at ``row[2]``; ``right(rows, weights)`` is the share of
    notes the weights get right (``None``: as the transcriber found them). Prints that
    share as found, for ``current`` and for the fitted weights on the training and
    ``--check`` sets; the caller writes the fitted weights.
    """
    rows = collect_rows(training_sets(ap, args), jobs=args.jobs)
    check = collect_rows(_sets(args.check), jobs=args.jobs) if args.check else None
    x = np.vstack([r[1] for r in rows])
    y = np.concatenate([r[2] for r in rows])
    fitted = fit(x, y, hidden=args.hidden, l2=args.l2)
    print(f"{noun}: {len(rows)} training" + (f", {len(check)} check" if check else ""))
    print(f"{measure:14s}  train   check")
    for label, w in (("as found", None), ("current", current), ("fitted", fitted)):
        c = f"{right(check, w):.3f}" if check else "-"
        print(f"{label:14s}  {right(rows, w):.3f}   {c}")
    return rows, check, fitted


def main(argv: list[str] | None = None) -> int:
    ap = fit_parser(__doc__)
    args = ap.parse_args(argv)
    threshold = notes.SegmentParams().reattack_min_prob
    x, y = collect(training_sets(ap, args), jobs=args.jobs)
    check = collect(_sets(args.check), jobs=args.jobs) if args.check else None
    fitted = fit(x, y, hidden=args.hidden, l2=args.l2)
    for label, w in (("current", reattack.fitted_weights()), ("fitted", fitted)):
        print(label)
        print("  " + _report("train", x, y, w, threshold))
        if check is not None:
            print("  " + _report("check", *check, w, threshold))
    held_out = f"--check {args.check}: " + _report("fitted", *check, fitted, threshold) if check is not None else "none"
    prov = provenance(
        "benchmarks.fit_reattack",
        argv,
        seeds=f"--train {args.train}, weights from seed 0",
        data="re-attack candidates of rendered sets",
        held_out=held_out,
    )
    write_model("reattack", args.out, arrays=network_arrays(fitted), names={"features": reattack.FEATURES}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
