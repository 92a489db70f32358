"""Fit the onset network and shift (``transcribe/models/attack.npz``) on rendered sets.

    python -m benchmarks.fit_attack [--train 2:96,3:192] [--check 0:48] [--hidden 16]

The shipped weights: ``--train 2:96,3:192,10:48:varied,11:48:varied,12:48:varied,16:48:auditorium,17:48:auditorium --check ''``.

Like :mod:`benchmarks.fit_reattack`, the training sets are rendered sets with seeds the
benchmark does not score. Each item runs through the transcriber with the pipeline's stage
hook recording the onset stage's input (it runs for recordings measured as instruments): every note with a ground-truth
note of its pitch starting within the searched window gives its candidate frames
(:func:`transcribe.notes.attack.onset_features`, with the level at the note's own harmonics
that the pipeline hands the stage), each labelled right when it lies within
one frame (16 ms) of that truth onset. The network has the same layout and fit
(:func:`benchmarks.fit_reattack.fit`) as the re-attack one.

Then the onset shift (:func:`transcribe.notes.attack.fitted_shift`): for every such note, the fitted
network's chosen frame and its error against the truth onset (clipped to
+-:data:`SHIFT_CLIP_S`); a ridge regression on the standardised
:func:`transcribe.notes.attack.shift_features` and their squares predicts that error.

Prints, for the current and the fitted weights, the share of those notes whose onset
lands within 50 ms of the truth (the benchmark's onset tolerance) on the training and
``--check`` sets; then the same share with the fitted network alone and with it and the
fitted shift; and writes both, at full precision and with their provenance, to
``transcribe/models/attack.npz`` (``--out`` to write elsewhere).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.datasets import Item
from benchmarks.fit_reattack import fit_parser, fit_per_note, map_items, network_arrays, stage_inputs
from benchmarks.model_files import provenance, write_model
from transcribe.notes import attack

#: A candidate frame this close to the truth onset is right (seconds).
MATCH_S = 0.016
#: Errors of the chosen frame are clipped here for the shift's fit (a wrong match is not a trend).
SHIFT_CLIP_S = 0.1
#: Ridge penalty of the shift's fit, on standardised features.
SHIFT_L2 = 10.0


def _item_notes(item: Item) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float, float]]:
    """Per note with a truth onset in its window: frame times, features, labels, onset, truth."""
    calls = stage_inputs(item).get("refine_onsets", [])
    if not calls:  # measured as a voice: the pipeline keeps its onsets
        return []
    notes, frames, min_note_s = calls[-1]["notes"], calls[-1]["frames"], calls[-1]["min_note_s"]
    own_level, rt60_s = calls[-1]["own_level"], calls[-1].get("rt60_s", 0.0)
    ref = item.refs[0].notes
    rows = []
    for i, note in enumerate(notes):
        prev = notes[i - 1] if i > 0 else None
        starts, feats = attack.onset_features(note, prev, frames, min_note_s=min_note_s, own_level=own_level, rt60_s=rt60_s)
        if not len(starts):
            continue
        t = frames.times_s[starts]
        truths = [r[0] for r in ref if r[2] == note.midi and t[0] - MATCH_S <= r[0] <= t[-1] + MATCH_S]
        if not truths:
            continue
        truth = min(truths, key=lambda x: abs(x - note.onset_s))
        rows.append((t, feats, np.abs(t - truth) <= MATCH_S, note.onset_s, truth))
    return rows


def collect(sets: list[tuple[int, int, str]], *, jobs: int = 2) -> list[tuple[Any, ...]]:
    """Notes of the rendered sets ``(seed, items, variation)`` (see :func:`_item_notes`)."""
    return [row for rows in map_items(_item_notes, sets, jobs=jobs) for row in rows]


def onsets_right(
    notes: list[tuple[Any, ...]], weights: dict[str, np.ndarray] | None, min_prob: float, shift: dict[str, np.ndarray] | None = None
) -> float:
    """Share of notes whose onset (moved by the network and ``shift``, or as found for
    ``weights=None``) is within 50 ms."""
    right = 0
    for t, feats, _, onset, truth in notes:
        if weights is not None:
            p = attack.probability(feats, weights=weights)
            k = int(np.argmax(p))
            if p[k] >= min_prob:
                onset = float(t[k])
                if shift is not None:
                    onset += float(attack.onset_shift_s(attack.shift_features(feats, p, k), shift))
        right += abs(onset - truth) <= 0.05
    return right / max(len(notes), 1)


def fit_shift(notes: list[tuple[Any, ...]], weights: dict[str, np.ndarray], min_prob: float) -> dict[str, np.ndarray]:
    """Onset shift weights (:func:`transcribe.notes.attack.onset_shift_s`) for the frames ``weights`` choose."""
    x, err = [], []
    for t, feats, _, _, truth in notes:
        p = attack.probability(feats, weights=weights)
        k = int(np.argmax(p))
        if p[k] >= min_prob:
            x.append(attack.shift_features(feats, p, k))
            err.append(truth - float(t[k]))
    xa, ea = np.array(x), np.clip(np.array(err), -SHIFT_CLIP_S, SHIFT_CLIP_S)
    mean, scale = xa.mean(axis=0), xa.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.clip((xa - mean) / scale, -attack.MAX_Z, attack.MAX_Z)
    design = np.column_stack([np.ones(len(z)), z, z * z])
    penalty = SHIFT_L2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0  # the bias is not shrunk
    coef = np.linalg.solve(design.T @ design + penalty, design.T @ ea)
    n = z.shape[1]
    return {"mean": mean, "scale": scale, "bias": np.array(coef[0]), "linear": coef[1 : n + 1], "square": coef[n + 1 :]}


def main(argv: list[str] | None = None) -> int:
    ap = fit_parser(__doc__)
    ap.add_argument("--min-prob", type=float, default=0.3)
    args = ap.parse_args(argv)
    current, current_shift = attack.fitted_weights(), attack.fitted_shift()
    rows, check, fitted = fit_per_note(
        ap,
        args,
        collect,
        lambda rows, w: onsets_right(rows, w, args.min_prob, current_shift if w is current else None),
        current,
        noun="notes",
        measure="onsets right",
    )
    shift = fit_shift(rows, fitted, args.min_prob)
    print("onset shift     train   check")
    for label, sh in (("network alone", None), ("with shift", shift)):
        c = f"{onsets_right(check, fitted, args.min_prob, sh):.3f}" if check else "-"
        print(f"{label:14s}  {onsets_right(rows, fitted, args.min_prob, sh):.3f}   {c}")
    held_out = "none"
    if check:
        before, after = onsets_right(check, current, args.min_prob, current_shift), onsets_right(check, fitted, args.min_prob, shift)
        held_out = f"--check {args.check}: onsets within 50 ms {before:.3f} (current) -> {after:.3f} (fitted)"
    prov = provenance(
        "benchmarks.fit_attack", argv, seeds=f"--train {args.train}, weights from seed 0", data="notes of rendered sets", held_out=held_out
    )
    arrays = {**network_arrays(fitted), **network_arrays(shift, "shift")}
    names = {"features": attack.FEATURES, "shift_features": attack.SHIFT_FEATURES}
    write_model("attack", args.out, arrays=arrays, names=names, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
