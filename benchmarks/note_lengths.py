"""Notes found by how fast they follow each other: ``python -m benchmarks.note_lengths [options]``.

Every labelled note of a rendered set is put in a band by its inter-onset interval (the time to
the next labelled onset; the last note counts as long) and counted as found when a note of the
system's matches it the way COnP matches (:func:`benchmarks.metrics.found_refs`: onset within
50 ms, pitch within 50 cents, offsets ignored). Printed per band for ours and, where it is
installed (``bash benchmarks/setup_peers.sh``), basic-pitch. ``--variation fast`` is the varied set played 1.7 times
faster (:data:`benchmarks.rendered.variations.VARIATIONS`): runs of 60-150 ms notes.
"""

from __future__ import annotations

import argparse
import itertools
from multiprocessing import Pool

import numpy as np

from benchmarks import datasets, metrics, systems
from benchmarks.rendered.variations import VARIATIONS

#: Band edges of the inter-onset interval (seconds).
EDGES_S = (0.0, 0.08, 0.10, 0.12, 0.15, 0.20, 0.30, np.inf)


def intervals_s(ref: list[tuple[float, float, int]]) -> np.ndarray:
    """Each labelled note's time to the next onset after it (seconds; ``inf`` for the last), in
    the order of ``ref``."""
    onsets = np.asarray([n[0] for n in ref], dtype=np.float64)
    if not len(onsets):
        return onsets
    order = np.argsort(onsets, kind="stable")
    out = np.empty(len(onsets))
    out[order] = np.append(np.diff(onsets[order]), np.inf)
    return out


def recall_by_band(ioi_s: np.ndarray, hit: np.ndarray, edges_s: tuple[float, ...] = EDGES_S) -> list[tuple[int, float]]:
    """Per band ``[edges_s[k], edges_s[k + 1])``: the number of notes and the share found (NaN when none)."""
    out = []
    for lo, hi in itertools.pairwise(edges_s):
        inside = (ioi_s >= lo) & ((ioi_s < hi) | bool(np.isposinf(hi)))
        n = int(inside.sum())
        out.append((n, float(hit[inside].mean()) if n else float("nan")))
    return out


def _ours(item: datasets.Item) -> systems.Prediction:
    return systems.run_ours(item, "swift")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--variation", choices=sorted(VARIATIONS), default="fast")
    ap.add_argument("--items", type=int, default=48)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    items = datasets.load_rendered(args.seed, args.items, args.jobs, variation=args.variation, name=f"rendered-{args.variation}")
    with Pool(max(1, args.jobs)) as pool:
        preds = {"ours": pool.map(_ours, items)}
    if systems.basic_pitch_available():
        bp = systems.run_basic_pitch(items, jobs=args.jobs)
        preds["basic-pitch"] = [bp[(it.set, it.id)] for it in items]
    ioi = np.concatenate([intervals_s(list(it.refs[0].notes)) for it in items])
    rows = {}
    for name, ps in preds.items():
        hit = np.concatenate([metrics.found_refs(it.refs[0].notes, p.notes) for it, p in zip(items, ps)])
        rows[name] = recall_by_band(ioi, hit)
    print(f"seed {args.seed}, {args.variation}, {len(items)} items: share of labelled notes found (COnP), by the time to the next onset")
    print("| interval | notes | " + " | ".join(rows) + " |")
    print("|---|---|" + "---|" * len(rows))
    for k, (lo, hi) in enumerate(itertools.pairwise(EDGES_S)):
        band = f"{lo * 1000:.0f}-{hi * 1000:.0f} ms" if np.isfinite(hi) else f"{lo * 1000:.0f} ms and more"
        n = next(iter(rows.values()))[k][0]
        print(f"| {band} | {n} | " + " | ".join(f"{r[k][1]:.2f}" for r in rows.values()) + " |")


if __name__ == "__main__":
    main()
