"""Fit the key weights (``transcribe/models/key.npz``) on corpus melodies.

    python -m benchmarks.fit_key [--tunes 1500] [--seed 1]

Uses the same held-out-from-the-benchmark corpus melodies as
``benchmarks/fit_meter.py`` (and its cache), each transposed by a random
interval and performed as a transcription would give it (jittered onsets,
shortened notes, a few dropped or merged notes, a few pitches a semitone or
an octave off). A conditional-logit model
over the 24 keys (softmax of a weighted sum of :func:`transcribe.harmony.key_features`,
L2-regularised) is fitted on four fifths of the tunes; accuracy on the
held-out fifth is printed for the current and the fitted weights, and the fitted
weights are written, at full precision and with their provenance, to
``transcribe/models/key.npz`` (``--out`` to write elsewhere).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from benchmarks import fit_meter as fm
from benchmarks.model_files import provenance, write_model
from benchmarks.rendered import corpus
from transcribe import harmony
from transcribe.types import Note

_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def key_row(tonic: str, mode: str, shift: int) -> int:
    """Row of :func:`harmony.key_features` for a music21 tonic name (``"B-"``) moved ``shift`` semitones."""
    pc = _LETTER_PC[tonic[0].upper()] + tonic.count("#") - tonic.count("-") + shift
    return pc % 12 + (12 if mode == "minor" else 0)


def _takes(args: tuple[int, corpus.Melody, int, int]) -> list[tuple[int, np.ndarray, int]]:
    index, mel, seed, takes = args
    rng = np.random.default_rng([seed, index, 1])
    rows = []
    for _ in range(takes):
        shift = int(rng.integers(-5, 7))
        notes, _, _ = fm.perform(mel, rng)
        if len(notes) < 8:
            continue
        # Transcriptions get a few pitches wrong: a semitone off (4 %), an octave off (1 %).
        err = rng.choice([0, -1, 1, -12, 12], size=len(notes), p=[0.95, 0.02, 0.02, 0.005, 0.005])
        moved = tuple(Note(n.onset_s, n.offset_s, n.midi + shift + int(e)) for n, e in zip(notes, err))
        rows.append((index, harmony.key_features(moved), key_row(mel.key_tonic, mel.key_mode, shift)))
    return rows


def accuracy(wts: np.ndarray, rows: list) -> float:
    return float(np.mean([int(np.argmax(f @ wts)) == r for _, f, r in rows])) if rows else float("nan")


def _signature(row: int) -> int:
    """Pitch class of the relative major's tonic: rows with the same key signature share it."""
    return (row % 12 + (3 if row >= 12 else 0)) % 12


def signature_accuracy(wts: np.ndarray, rows: list) -> float:
    """Share of takes whose best key has the right key signature (a relative key counts)."""
    return float(np.mean([_signature(int(np.argmax(f @ wts))) == _signature(r) for _, f, r in rows])) if rows else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tunes", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--takes", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, help="where to write the model file (default: the package's own)")
    args = ap.parse_args(argv)
    tunes = fm.training_tunes(args.tunes, args.seed, jobs=args.jobs)
    rows, train, test = fm.run_takes(tunes, _takes, seed=args.seed, takes=args.takes, jobs=args.jobs)
    data = []
    for _, feats, right in train:
        mask = np.zeros(24, dtype=bool)
        mask[right] = True
        data.append((feats, mask))
    wts = fm.fit(data, args.l2)
    print(f"{len(tunes)} tunes, {len(rows)} takes")
    print("weights    key: train  held out   signature: train  held out")
    held_out = []
    for name, w in (("current", harmony.key_weights()), ("fitted", wts)):
        print(
            f"{name:8s}        {accuracy(w, train):.3f}  {accuracy(w, test):.3f}"
            f"                {signature_accuracy(w, train):.3f}  {signature_accuracy(w, test):.3f}"
        )
        held_out.append(f"{name}: key {accuracy(w, test):.3f}, key signature {signature_accuracy(w, test):.3f}")
    prov = provenance(
        "benchmarks.fit_key",
        argv,
        seeds=f"--seed {args.seed} (tune sample, transpositions, takes, held-out fifth)",
        data=f"{len(tunes)} corpus tunes neither scored rendered set uses, {args.takes} simulated takes each",
        held_out="held-out fifth of the tunes: " + "; ".join(held_out),
    )
    write_model("key", args.out, arrays={"weights": wts}, names={"features": harmony.KEY_FEATURES}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
