"""Sounds before a sung take's first sure note: what each confidence floor would drop.

    python -m benchmarks.leading_notes [--folds 5] [--seed 0]

A voice's notes before its first note of at least some mean confidence are dropped
(:func:`transcribe.notes.cleanup.drop_unsure_lead`, :data:`transcribe.profiles.VOICE_LEAD_MIN_CONFIDENCE`).
On every labelled sung recording of ``../shared`` (ssvd-dev, ssvd-scores, vocadito with both
annotators), the voice's notes as the note stage finds them (the pipeline's ``"lead"`` hook, before
the drop) are cut at each floor of :data:`FLOORS`; a dropped note is *real* when it overlaps a
labelled note (either annotator's on vocadito), else a *stray*. It prints, per floor, the strays
and real notes dropped and the recordings they come from, then the floor chosen on each training
split of ``--folds`` folds by recording (seeded shuffle; most strays minus real notes dropped, the
lowest floor on a tie) and what it drops on the held-out recordings, then the list of dropped
notes at the shipped floor. The evidence of each recording is cached as :mod:`benchmarks.sung_cv`
caches it.
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks.datasets import find_shared
from benchmarks.sung_cv import CACHE, Recording, folds_of, load, load_set, read_vocadito
from transcribe import pipeline, profiles
from transcribe.config import Options
from transcribe.notes.cleanup import drop_unsure_lead
from transcribe.types import Note

#: The floors compared (a note's mean frame confidence, SwiftF0).
FLOORS = (0.0, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def found_notes(rec: Recording) -> tuple[Note, ...]:
    """The voice's notes of ``rec`` before the lead is dropped (the pipeline's ``"lead"`` hook)."""
    got: list[tuple[Note, ...]] = []

    def hook(stage: str, data: dict) -> None:
        if stage == "lead":
            got.append(data["notes"])

    pipeline.find_notes(rec.evidence(), Options(onsets="pitch"), hook=hook)
    return got[0]


def dropped(notes: tuple[Note, ...], labels: np.ndarray, floor: float) -> tuple[int, int, list[Note]]:
    """Strays and real notes ``floor`` drops from ``notes`` (labels: (k, 2+) onset_s, offset_s), and the dropped notes."""
    kept = drop_unsure_lead(notes, min_confidence=floor)
    gone = list(notes[: len(notes) - len(kept)])
    real = sum(bool(np.any((labels[:, 0] < n.offset_s) & (labels[:, 1] > n.onset_s))) for n in gone)
    return len(gone) - real, real, gone


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("../shared is missing (or set TRANSCRIBE_SHARED): the sung sets live there")
    singing = shared / "data" / "singing"
    recs: list[tuple[str, Recording]] = []
    for name in ("ssvd-dev", "ssvd-scores"):
        recs += [(name, r) for r in load_set(singing / name, cache=CACHE)]
    voc = singing / "vocadito"
    for wav in sorted(voc.glob("vocadito_*.wav")):
        both = np.concatenate([read_vocadito(voc / f"{wav.stem}_notes{who}.csv") for who in ("A1", "A2")])
        recs.append(("vocadito", load(wav, both, cache=CACHE)))
    notes = [found_notes(r) for _, r in recs]
    # counts[i, f] = (strays, real) that FLOORS[f] drops from recording i
    counts = np.array([[dropped(n, r.labels, f)[:2] for f in FLOORS] for n, (_, r) in zip(notes, recs)])
    print(f"{len(recs)} sung recordings ({', '.join(sorted({s for s, _ in recs}))}); notes found: {sum(map(len, notes))}")
    print("| floor | strays dropped | real notes dropped | recordings touched |")
    print("|---|---|---|---|")
    for f, floor in enumerate(FLOORS):
        touched = int(np.sum(counts[:, f].sum(axis=1) > 0))
        print(f"| {floor:.2f} | {counts[:, f, 0].sum()} | {counts[:, f, 1].sum()} | {touched} |")
    folds = folds_of([r.name for _, r in recs], args.folds, args.seed)
    held = np.zeros(2, dtype=int)
    for k, test in enumerate(folds):
        train = np.setdiff1d(np.arange(len(recs)), test)
        gain = counts[train, :, 0].sum(axis=0) - counts[train, :, 1].sum(axis=0)
        f = int(np.flatnonzero(gain == gain.max())[0])
        got = counts[test, f].sum(axis=0)
        held += got
        print(f"fold {k}: n={len(test)}  chose {FLOORS[f]:.2f}  held out: strays {got[0]}, real {got[1]}")
    print(f"held out, all folds: strays dropped {held[0]}, real notes dropped {held[1]}")
    shipped = profiles.VOICE_LEAD_MIN_CONFIDENCE["swift"]
    print(f"dropped at the shipped floor {shipped}:")
    for n, (s, r) in zip(notes, recs):
        strays, real, gone = dropped(n, r.labels, shipped)
        if gone:
            desc = ", ".join(f"{g.onset_s:.2f}-{g.offset_s:.2f} s MIDI {g.midi} conf {g.confidence:.2f}" for g in gone)
            print(f"  {s} {r.name}: {strays} stray, {real} real: {desc}")


if __name__ == "__main__":
    main()
