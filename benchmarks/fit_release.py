"""Fit the release network (``transcribe.release.WEIGHTS``) on rendered sets.

    python -m benchmarks.fit_release [--train 2:96,3:192] [--check 0:48] [--hidden 16]

Like :mod:`benchmarks.fit_reattack`, the training sets are rendered sets with seeds the
benchmark does not score. Each item runs through the transcriber with the offset stage
watched: every note that starts within 50 ms of a ground-truth note of its pitch gives
its candidate end frames (:func:`transcribe.release.note_features`), each labelled
"ended" when it lies at or after that truth note's offset. The network has the same
layout and fit (:func:`benchmarks.fit_reattack.fit`) as the re-attack one.

Prints, for the current and the fitted weights, the share of matched notes whose end
lands within the benchmark's offset tolerance (20 % of the note, at least 50 ms) on the
training and ``--check`` sets, and the fitted weights as Python to paste into
``transcribe/release.py``.
"""

from __future__ import annotations

import argparse
import warnings
from multiprocessing import Pool
from typing import Any

import numpy as np

from benchmarks.datasets import Item, load_rendered
from benchmarks.fit_reattack import _fmt, _sets, fit
from transcribe import release
from transcribe.types import FrameArrays

#: A note matches a truth note of its pitch starting this close (seconds), as COnP does.
ONSET_TOL_S = 0.05


def _item_notes(item: Item) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float, float]]:
    """Per matched note: candidate frame times, features, labels, current end and truth end."""
    import transcribe

    warnings.simplefilter("ignore")
    seen: list[tuple[Any, ...]] = []
    orig = release.refine_offsets

    def watch(notes: Any, track: Any, onset: np.ndarray, voiced: np.ndarray, *, min_note_s: float, **kw: Any) -> Any:
        seen.append((notes, track, onset, voiced, min_note_s))
        return orig(notes, track, onset, voiced, min_note_s=min_note_s, **kw)

    release.refine_offsets = watch
    try:
        transcribe.transcribe(str(item.audio), pitch="swift")
    finally:
        release.refine_offsets = orig
    if not seen:  # measured as a voice: the pipeline keeps its note ends
        return []
    notes, track, onset, voiced, min_note_s = seen[-1]
    arrays = FrameArrays.of(track, onset, onset, voiced)
    ref = sorted(item.refs[0].notes)
    used: set[int] = set()
    rows = []
    for i, note in enumerate(notes):
        cands = [
            (abs(r[0] - note.onset_s), j)
            for j, r in enumerate(ref)
            if j not in used and r[2] == note.midi and abs(r[0] - note.onset_s) <= ONSET_TOL_S
        ]
        if not cands:
            continue
        j = min(cands)[1]
        used.add(j)
        nxt = notes[i + 1].onset_s if i + 1 < len(notes) else None
        frames, feats = release.note_features(note, nxt, arrays, min_note_s=min_note_s)
        if not len(frames):
            continue
        t = track.times_s[frames]
        rows.append((t, feats, t >= ref[j][1], note.offset_s, ref[j][1], note.onset_s))
    return rows


def collect(sets: list[tuple[int, int]], *, jobs: int = 2) -> list[tuple[Any, ...]]:
    """Matched notes of the rendered sets ``(seed, items)`` (see :func:`_item_notes`)."""
    items = [it for seed, k in sets for it in load_rendered(seed, k)]
    with Pool(jobs) as pool:
        return [row for rows in pool.map(_item_notes, items) for row in rows]


def offsets_right(notes: list[tuple[Any, ...]], weights: dict[str, np.ndarray] | None) -> float:
    """Share of matched notes whose end (after the network, or as found for ``None``) is right."""
    right = 0
    for t, feats, _, end, true_end, start in notes:
        if weights is not None:
            k = release.end_frame(release.probability(feats, weights=weights))
            if k < len(t):
                end = min(end, float(t[k]))
        right += abs(end - true_end) <= max(0.05, 0.2 * (true_end - start))
    return right / max(len(notes), 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default="2:96,3:192", help="training sets as seed:items, comma separated")
    ap.add_argument("--check", default="0:48", help="sets only reported, as seed:items")
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--l2", type=float, default=1e-3)
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
    print(f"matched notes: {len(notes)} training" + (f", {len(check)} check" if check else ""))
    print("offsets right   train   check")
    for label, w in (("as found", None), ("current", release.WEIGHTS), ("fitted", fitted)):
        c = f"{offsets_right(check, w):.3f}" if check else "-"
        print(f"{label:14s}  {offsets_right(notes, w):.3f}   {c}")
    print("# fmt: off")
    print("WEIGHTS: dict[str, np.ndarray] = {")
    for k, v in fitted.items():
        print(f'    "{k}": {_fmt(np.asarray(v))},')
    print("}")
    print("# fmt: on")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
