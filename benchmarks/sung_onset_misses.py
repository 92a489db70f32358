"""Where the voice path's onsets are lost: ``python -m benchmarks.sung_onset_misses [--set ssvd|ssvd-scores]``.

Runs the shipped voice path on a sung set and matches its onsets to the labelled ones (mir_eval,
50 ms, pitch ignored, as the benchmark's onsets-alone F1). Every label left unmatched and every
note of ours left unmatched is put in one class by what lies near it (:func:`miss_classes`), and
the unmatched labels' signed errors are split by whether the label follows the one before it
legato (within :data:`LEGATO_S`) or after a silence. In sample for ssvd (the sung model's own
training set); docs/models/sung-onsets.md reads the table.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from multiprocessing import Pool

import numpy as np

import transcribe
from benchmarks import metrics
from benchmarks.datasets import Item, find_shared, load_ssvd, load_ssvd_scores

#: An unmatched onset with a counterpart this close (seconds) is "off", not missing.
NEAR_S = 0.15
#: A label that starts this soon after the previous label ends (seconds) is legato.
LEGATO_S = 0.03

Span = tuple[float, float, float]  # onset_s, offset_s, pitch (MIDI)


def miss_classes(ref: Sequence[Span], est: Sequence[Span]) -> tuple[Counter, list[tuple[float, bool]]]:
    """The unmatched labels and notes of one recording by class, and the signed errors (ours minus
    the label, seconds) of the labels missed with an unmatched onset of ours near, each with
    whether the label is legato.

    Classes of a missed label: ``off`` (an unmatched onset of ours within :data:`NEAR_S`),
    ``off_taken`` (the nearest onset of ours within it is matched to another label), ``merged``
    (inside one of our notes; ``merged_same`` when on the pitch of the label before it), ``none``
    (no note of ours there). Of an unmatched note of ours: ``est_off`` (an unmatched label within
    :data:`NEAR_S`), ``est_split`` (inside a labelled note), ``est_outside``.
    """
    out: Counter = Counter()
    errors: list[tuple[float, bool]] = []
    if not ref or not est:
        out["none"] += len(ref)
        out["est_outside"] += len(est)
        return out, errors
    r_on = np.array([a for a, _, _ in ref])
    e_on = np.array([a for a, _, _ in est])
    pairs = metrics.onset_pairs(r_on, e_on)
    ref_hit, est_hit = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, (a, _, pitch) in enumerate(ref):
        if i in ref_hit:
            continue
        j = int(np.argmin(np.abs(e_on - a)))
        if abs(e_on[j] - a) <= NEAR_S:
            if j in est_hit:
                out["off_taken"] += 1
            else:
                out["off"] += 1
                errors.append((float(e_on[j] - a), i > 0 and a - ref[i - 1][1] < LEGATO_S))
        elif any(s <= a <= e for s, e, _ in est):
            out["merged_same" if i > 0 and abs(ref[i - 1][2] - pitch) < 0.5 else "merged"] += 1
        else:
            out["none"] += 1
    for j, (a, _, _) in enumerate(est):
        if j in est_hit:
            continue
        i = int(np.argmin(np.abs(r_on - a)))
        if abs(r_on[i] - a) <= NEAR_S and i not in ref_hit:
            out["est_off"] += 1
        elif any(s <= a <= e for s, e, _ in ref):
            out["est_split"] += 1
        else:
            out["est_outside"] += 1
    return out, errors


def _one(item: Item) -> tuple[Counter, list[tuple[float, bool]], int, int]:
    res = transcribe.transcribe(str(item.audio))
    ref = next(r for r in item.refs if r.name == "published").notes
    est = [(n.onset_s, n.offset_s, float(n.midi)) for n in res.notes]
    return (*miss_classes(ref, est), len(ref), len(est))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sung_onset_misses", description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=("ssvd", "ssvd-scores"), default="ssvd")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = load_ssvd(shared) if a.set == "ssvd" else load_ssvd_scores(shared)
    with Pool(a.jobs) as pool:
        got = pool.map(_one, items)
    total: Counter = sum((g[0] for g in got), Counter())
    errors = np.array([e for g in got for e in g[1]], dtype=float).reshape(-1, 2)
    print(f"{a.set}: {len(items)} recordings, {sum(g[2] for g in got)} labels, {sum(g[3] for g in got)} notes of ours")
    names = {
        "off": "label missed, an unmatched onset of ours 50-150 ms off",
        "off_taken": "label missed, the nearest onset of ours matched elsewhere",
        "merged": "label missed, inside one of our notes (a pitch change)",
        "merged_same": "label missed, inside one of our notes (on the pitch of the label before)",
        "none": "label missed, no note of ours there",
        "est_off": "our onset unmatched, a label 50-150 ms off",
        "est_split": "our onset unmatched, inside a labelled note",
        "est_outside": "our onset unmatched, outside every label",
    }
    for key, text in names.items():
        print(f"| {text} | {total[key]} |")
    for legato, label in ((1.0, "legato"), (0.0, "after a silence")):
        e = errors[errors[:, 1] == legato, 0]
        print(f"off labels {label}: {len(e)}, {int((e > 0).sum())} late, {int((e < 0).sum())} early")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
