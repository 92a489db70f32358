"""Fit the release network (``transcribe/models/release.npz``) on rendered sets.

    python -m benchmarks.fit_release [--train 2:96,3:192] [--check 0:48] [--hidden 16]

The shipped weights: ``--train 2:96,3:192,10:48:varied,11:48:varied,12:48:varied,16:48:auditorium,17:48:auditorium
--check 7:48:hall-check``.

Like :mod:`benchmarks.fit_reattack`, the training sets are rendered sets with seeds the
benchmark does not score. Each item runs through the transcriber with the pipeline's stage
hook recording the offset stage's input: every note that starts within 50 ms of a ground-truth note of its pitch gives
its candidate end frames (:func:`transcribe.notes.release.note_features`), each labelled
"ended" when it lies at or after that truth note's offset. The network has the same
layout and fit (:func:`benchmarks.fit_reattack.fit`) as the re-attack one.

Prints, for the current and the fitted weights, the share of matched notes whose end
lands within the benchmark's offset tolerance (20 % of the note, at least 50 ms) on the
training and ``--check`` sets, and writes the fitted weights, at full precision and with
their provenance, to ``transcribe/models/release.npz`` (``--out`` to write elsewhere).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.datasets import Item
from benchmarks.fit_reattack import fit_parser, fit_per_note, map_items, network_arrays, stage_inputs
from benchmarks.model_files import provenance, write_model
from transcribe.notes import release

#: A note matches a truth note of its pitch starting this close (seconds), as COnP does.
ONSET_TOL_S = 0.05


def _item_notes(item: Item) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float, float]]:
    """Per matched note: candidate frame times, features, labels, current end and truth end."""
    calls = stage_inputs(item).get("refine_offsets", [])
    if not calls:  # measured as a voice: the pipeline keeps its note ends
        return []
    notes, frames, min_note_s, rt60_s = (calls[-1][k] for k in ("notes", "frames", "min_note_s", "rt60_s"))
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
        ends, feats = release.note_features(note, nxt, frames, min_note_s=min_note_s, rt60_s=rt60_s)
        if not len(ends):
            continue
        t = frames.times_s[ends]
        rows.append((t, feats, t >= ref[j][1], note.offset_s, ref[j][1], note.onset_s))
    return rows


def collect(sets: list[tuple[int, int, str]], *, jobs: int = 2) -> list[tuple[Any, ...]]:
    """Matched notes of the rendered sets ``(seed, items)`` (see :func:`_item_notes`)."""
    return [row for rows in map_items(_item_notes, sets, jobs=jobs) for row in rows]


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
    ap = fit_parser(__doc__)
    args = ap.parse_args(argv)
    current = release.fitted_weights()
    _, check, fitted = fit_per_note(ap, args, collect, offsets_right, current, noun="matched notes", measure="offsets right")
    held_out = "none"
    if check:
        before, after = offsets_right(check, current), offsets_right(check, fitted)
        held_out = f"--check {args.check}: offsets right {before:.3f} (current) -> {after:.3f} (fitted)"
    prov = provenance(
        "benchmarks.fit_release",
        argv,
        seeds=f"--train {args.train}, weights from seed 0",
        data="matched notes of rendered sets",
        held_out=held_out,
    )
    write_model("release", args.out, arrays=network_arrays(fitted), names={"features": release.FEATURES}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
