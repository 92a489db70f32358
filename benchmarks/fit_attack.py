"""Fit the onset network (``transcribe.attack.WEIGHTS``) on rendered sets.

    python -m benchmarks.fit_attack [--train 2:96,3:192] [--check 0:48] [--hidden 16]

Like :mod:`benchmarks.fit_reattack`, the training sets are rendered sets with seeds the
benchmark does not score. Each item runs through the transcriber with the onset stage
watched (it runs for recordings measured as instruments): every note with a ground-truth
note of its pitch starting within the searched window gives its candidate frames
(:func:`transcribe.attack.onset_features`), each labelled right when it lies within
one frame (16 ms) of that truth onset. The network has the same layout and fit
(:func:`benchmarks.fit_reattack.fit`) as the re-attack one.

Prints, for the current and the fitted weights, the share of those notes whose onset
lands within 50 ms of the truth (the benchmark's onset tolerance) on the training and
``--check`` sets, and the fitted weights as Python to paste into ``transcribe/attack.py``.
"""

from __future__ import annotations

import argparse
import warnings
from multiprocessing import Pool
from typing import Any

import numpy as np

from benchmarks.datasets import Item, load_rendered
from benchmarks.fit_reattack import _fmt, _sets, fit
from transcribe import attack
from transcribe.types import FrameArrays

#: A candidate frame this close to the truth onset is right (seconds).
MATCH_S = 0.016


def _item_notes(item: Item) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float, float]]:
    """Per note with a truth onset in its window: frame times, features, labels, onset, truth."""
    import transcribe

    warnings.simplefilter("ignore")
    seen: list[tuple[Any, ...]] = []
    orig = attack.refine_onsets

    def watch(notes: Any, track: Any, onset: np.ndarray, att: np.ndarray, voiced: np.ndarray, *, min_note_s: float, **kw: Any) -> Any:
        seen.append((notes, track, onset, att, voiced, min_note_s))
        return orig(notes, track, onset, att, voiced, min_note_s=min_note_s, **kw)

    attack.refine_onsets = watch
    try:
        transcribe.transcribe(str(item.audio), pitch="swift")
    finally:
        attack.refine_onsets = orig
    if not seen:  # measured as a voice: the pipeline keeps its onsets
        return []
    notes, track, onset, att, voiced, min_note_s = seen[-1]
    ref = item.refs[0].notes
    arrays = FrameArrays.of(track, onset, att, voiced)
    rows = []
    for i, note in enumerate(notes):
        prev = notes[i - 1] if i > 0 else None
        frames, feats = attack.onset_features(note, prev, arrays, min_note_s=min_note_s)
        if not len(frames):
            continue
        t = track.times_s[frames]
        truths = [r[0] for r in ref if r[2] == note.midi and t[0] - MATCH_S <= r[0] <= t[-1] + MATCH_S]
        if not truths:
            continue
        truth = min(truths, key=lambda x: abs(x - note.onset_s))
        rows.append((t, feats, np.abs(t - truth) <= MATCH_S, note.onset_s, truth))
    return rows


def collect(sets: list[tuple[int, int]], *, jobs: int = 2) -> list[tuple[Any, ...]]:
    """Notes of the rendered sets ``(seed, items)`` (see :func:`_item_notes`)."""
    items = [it for seed, k in sets for it in load_rendered(seed, k)]
    with Pool(jobs) as pool:
        return [row for rows in pool.map(_item_notes, items) for row in rows]


def onsets_right(notes: list[tuple[Any, ...]], weights: dict[str, np.ndarray] | None, min_prob: float) -> float:
    """Share of notes whose onset (moved by the network, or as found for ``None``) is within 50 ms."""
    right = 0
    for t, feats, _, onset, truth in notes:
        if weights is not None:
            p = attack.probability(feats, weights=weights)
            if p.max() >= min_prob:
                onset = float(t[int(np.argmax(p))])
        right += abs(onset - truth) <= 0.05
    return right / max(len(notes), 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default="2:96,3:192", help="training sets as seed:items, comma separated")
    ap.add_argument("--check", default="0:48", help="sets only reported, as seed:items")
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--min-prob", type=float, default=0.3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    train = _sets(args.train)
    if {s for s, _ in train} & {0, 1}:
        ap.error("seeds 0 and 1 are the benchmark's sets; train on others")
    notes = collect(train, jobs=args.jobs)
    check = collect(_sets(args.check), jobs=args.jobs) if args.check else None
    x = np.vstack([r[1] for r in notes])
    y = np.concatenate([r[2] for r in notes])
    fitted = fit(x, y, hidden=args.hidden, l2=args.l2)
    print(f"notes: {len(notes)} training" + (f", {len(check)} check" if check else ""))
    print("onsets right    train   check")
    for label, w in (("as found", None), ("current", attack.WEIGHTS), ("fitted", fitted)):
        c = f"{onsets_right(check, w, args.min_prob):.3f}" if check else "-"
        print(f"{label:14s}  {onsets_right(notes, w, args.min_prob):.3f}   {c}")
    print("# fmt: off")
    print("WEIGHTS: dict[str, np.ndarray] = {")
    for k, v in fitted.items():
        print(f'    "{k}": {_fmt(np.asarray(v))},')
    print("}")
    print("# fmt: on")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
