"""Fit the sung-note onset and offset model (:mod:`transcribe.sung`) on SSVD's training split.

    python -m benchmarks.fit_sung_onsets            # fit on all of ssvd-dev, write transcribe/models/sung_onsets.npz
    python -m benchmarks.sung_cv --method model     # the same fit, cross-validated by recording
    python -m benchmarks.fit_sung_onsets --features DIR   # from features saved by sung_cv --save-features
    python -m benchmarks.fit_sung_onsets --extra-set ssvd-scores   # on ssvd-dev and ssvd-scores' labelled notes

Each frame's :func:`transcribe.sung.frame_features` (the same call inference makes) is
labelled 1 for the onset network where a labelled note starts within half a frame of it
(and the frames either side, weighted less), and likewise at labelled offsets for the offset
network. Frames far from any label are subsampled (seeded). Both networks are fitted with
:func:`benchmarks.fit_reattack.fit`; the peak thresholds and the pitch offset are then
chosen on the training recordings' own COnP / COnPOff, and after them the weight of the
note-length prior (:mod:`transcribe.notes.semimarkov`) with the onset threshold. The fit reads only each recording's
:class:`Item` (frame arrays, features, labels), which ``sung_cv --save-features`` stores, so it
can run where the audio is not.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks import fit_reattack, model_files, sung_cv
from benchmarks.datasets import find_shared
from transcribe import features, models, pitch, profiles
from transcribe.config import Options
from transcribe.notes import cleanup, network, sung
from transcribe.types import FrameArrays

HIDDEN, L2, MAX_ITER = 16, 1e-4, 500
#: Soft targets of the frames 1, 2, ... frames from a labelled onset (offset).
SIDE_TARGETS = (0.5, 0.25)
#: Share of frames far from every label kept for fitting.
FAR_SHARE = 0.15
OUT = models.path("sung_onsets")
#: Onset and offset probability thresholds and legato-step sizes the fit chooses among.
ONSET_MINS, OFFSET_MINS, STEP_MINS_ST = (0.2, 0.25, 0.3, 0.35, 0.4), (0.1, 0.2, 0.3), (1.0, 1.4, 1.8, np.inf)
#: Then, with those offset and legato-step choices: the note-length prior's weight
#: (:mod:`transcribe.notes.semimarkov`) and the onset threshold it scores against.
DECODE_ONSET_MINS, LENGTH_WEIGHTS = (0.3, 0.35, 0.4), (0.2, 0.4, 0.8)


@dataclass(frozen=True, eq=False)
class Item:
    """What the fit reads of one recording: its frame arrays, :func:`transcribe.notes.sung.frame_features`
    and labels (k, 3: onset_s, offset_s, midi_float)."""

    name: str
    frames: FrameArrays
    x: np.ndarray
    labels: np.ndarray

    def save(self, folder: Path) -> None:
        f = self.frames
        arrays = {"times": f.times_s, "midi": f.midi, "confidence": f.confidence, "voiced": f.voiced}
        np.savez_compressed(folder / f"{self.name}.npz", x=self.x, labels=self.labels, **arrays)

    @classmethod
    def read(cls, file: Path) -> Item:
        z = np.load(file, allow_pickle=False)
        zero = np.zeros_like(z["times"])
        frames = FrameArrays(z["times"], z["midi"], z["confidence"], zero, zero, zero, z["voiced"])
        return cls(file.stem, frames, z["x"], z["labels"])


def item_of(rec: sung_cv.Recording) -> Item:
    frames = frames_of(rec)
    return Item(rec.name, frames, sung.frame_features(frames, bands_of(rec)), rec.labels)


def read_items(folder: Path) -> list[Item]:
    """The items saved in ``folder``, in name order (the order :func:`sung_cv.load_set` gives)."""
    return [Item.read(f) for f in sorted(folder.glob("*.npz"))]


def frames_of(rec: sung_cv.Recording) -> FrameArrays:
    """The per-frame arrays the model reads, as the pipeline builds them."""
    return FrameArrays.of(rec.raw, rec.onset, rec.attack, rec.mask)


def bands_of(rec: sung_cv.Recording) -> np.ndarray:
    """The band levels the model reads, as the pipeline computes them."""
    return features.band_levels_db(rec.audio.samples, rec.audio.sr, rec.raw.times_s)


def _targets(times: np.ndarray, at_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: 1 at the frame nearest each labelled time, :data:`SIDE_TARGETS` beside it; and distance (frames) to the nearest."""
    n, hop = len(times), float(times[1] - times[0])
    y = np.zeros(n)
    near = np.full(n, 1e9)
    for t in at_s:
        i = int(np.clip(np.round((t - times[0]) / hop), 0, n - 1))
        y[i] = 1.0
        for d, w in enumerate(SIDE_TARGETS, start=1):
            for j in (i - d, i + d):
                if 0 <= j < n and y[j] < 1.0:
                    y[j] = max(y[j], w)
        near = np.minimum(near, np.abs(np.arange(n) - i))
    return y, near


def rows(items: list[Item], *, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, onset targets and offset targets of the frames kept for fitting."""
    rng = np.random.default_rng(seed)
    xs, ons, offs = [], [], []
    for it in items:
        x = it.x
        y_on, d_on = _targets(it.frames.times_s, it.labels[:, 0])
        y_off, d_off = _targets(it.frames.times_s, it.labels[:, 1])
        keep = (np.minimum(d_on, d_off) <= 6) | (rng.random(len(x)) < FAR_SHARE)
        xs.append(x[keep])
        ons.append(y_on[keep])
        offs.append(y_off[keep])
    return np.vstack(xs), np.concatenate(ons), np.concatenate(offs)


def fit_network(x: np.ndarray, y: np.ndarray, *, seed: int) -> dict[str, np.ndarray]:
    """One network (:func:`transcribe.notes.network.probability`'s layout) fitted by
    :func:`benchmarks.fit_reattack.fit` to soft targets ``y``, at most :data:`MAX_ITER` iterations."""
    return fit_reattack.fit(x, y, hidden=HIDDEN, l2=L2, seed=seed, max_iter=MAX_ITER)


def model_notes(item: Item, model: sung.SungModel) -> np.ndarray:
    """The model's notes of one recording as scored rows, as the voice path keeps them (the
    unsure sounds before the first sure note and the notes far from the sung line dropped:
    ``cleanup.keep_sung``; those read beyond the pitch model's range far from the rest:
    ``cleanup.drop_far_beyond``)."""
    p_on, p_off = network.probability(item.x, model.onset), network.probability(item.x, model.offset)
    found = sung.read_notes(item.frames, p_on, p_off, model, min_note_s=0.07)
    floor = profiles.lead_min_confidence(profiles.VOICE, backend="swift")
    found = cleanup.keep_sung(found, min_confidence=floor, tuning_cents=0.0)
    fmin_hz, fmax_hz = Options().pitch_range_hz
    lo_hz, hi_hz = pitch.searched_directly("swift", fmin_hz=fmin_hz, fmax_hz=fmax_hz)
    return sung_cv.as_rows(cleanup.drop_far_beyond(found, lo_hz=lo_hz, hi_hz=hi_hz, tuning_cents=0.0), 0.0)


def fit(items: list[Item], *, seed: int = 0) -> sung.SungModel:
    """The model fitted on ``items``: both networks, then pitch offset, thresholds and legato step on the same
    recordings, then the length prior's weight with the onset threshold (the offset and step choices kept)."""
    x, y_on, y_off = rows(items, seed=seed)
    w_on = fit_network(x, y_on, seed=seed)
    w_off = fit_network(x, y_off, seed=seed + 1)
    probs = [(it.frames, network.probability(it.x, w_on), network.probability(it.x, w_off)) for it in items]
    # The pitch offset: the shift of the measured pitches that puts most of the training notes a
    # first reading finds (onset within 50 ms of a label) within 50 cents of their labels.
    model = sung.SungModel(w_on, w_off, 0.3, 0.2, 4, 0.0)
    diffs = []
    for it, (f, p_on, p_off) in zip(items, probs):
        for n in sung.read_notes(f, p_on, p_off, model, min_note_s=0.07):
            k = np.argmin(np.abs(it.labels[:, 0] - n.onset_s))
            if abs(it.labels[k, 0] - n.onset_s) < 0.05:
                diffs.append(it.labels[k, 2] - (n.midi + n.cents / 100.0))
    d = np.asarray(diffs)
    grid = np.arange(-0.5, 0.5, 0.01)
    offset_st = float(grid[np.argmax([np.sum(np.abs(d - g) < 0.5) for g in grid])]) if len(d) else 0.0

    def training_score(cand: sung.SungModel) -> float:
        got = [
            sung_cv.score(it.labels, sung_cv.as_rows(sung.read_notes(f, p_on, p_off, cand, min_note_s=0.07), 0.0))[:2]
            for it, (f, p_on, p_off) in zip(items, probs)
        ]
        return float(np.mean(got, axis=0).sum())

    def best_of(cands: list[sung.SungModel]) -> sung.SungModel:
        best = None
        for cand in cands:
            s = training_score(cand)
            if best is None or s > best[0] + 1e-9:
                best = (s, cand)
        return best[1]

    peaks = best_of(
        [
            sung.SungModel(w_on, w_off, on_min, off_min, 4, offset_st, step_min)
            for on_min in ONSET_MINS
            for off_min in OFFSET_MINS
            for step_min in STEP_MINS_ST
        ]
    )
    return best_of([replace(peaks, onset_min=on_min, length_weight=weight) for on_min in DECODE_ONSET_MINS for weight in LENGTH_WEIGHTS])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cv", default="", help="the cross-validated score to record in the file (from benchmarks.sung_cv)")
    ap.add_argument(
        "--extra-set",
        action="append",
        default=[],
        help="also fit on this sung set of ../shared/data/singing (e.g. ssvd-scores); repeatable",
    )
    ap.add_argument(
        "--features",
        type=Path,
        action="append",
        help="read the recordings' items from this folder (benchmarks.sung_cv --save-features): one per set, ssvd-dev's first,"
        " then each --extra-set's in order",
    )
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the model file")
    ap.add_argument("--cache", type=Path, default=sung_cv.CACHE, help="where each recording's pitch track and audio are cached")
    args = ap.parse_args(argv)
    sets = ["ssvd-dev", *args.extra_set]
    if args.features is not None:
        if len(args.features) != len(sets):
            ap.error(f"--features given {len(args.features)} times for {len(sets)} sets ({', '.join(sets)}): one folder per set")
        per_set = [read_items(folder) for folder in args.features]
        for name, folder, items in zip(sets, args.features, per_set):
            if not items:
                raise SystemExit(
                    f"no recordings in {folder}: save them with python -m benchmarks.sung_cv --set {name} --save-features {folder}"
                )
    else:
        shared = find_shared()
        if shared is None:
            raise SystemExit("../shared is missing: the model is fitted on ../shared/data/singing/ssvd-dev")
        for name in sets:
            if not (shared / "data" / "singing" / name).is_dir():
                raise SystemExit(f"no sung set {name} in {shared / 'data' / 'singing'}: name a folder there with --extra-set")
        per_set = [[item_of(r) for r in sung_cv.load_set(shared / "data" / "singing" / name, cache=args.cache)] for name in sets]
    recs = [it for items in per_set for it in items]
    model = fit(recs, seed=args.seed)
    prov = model_files.provenance(
        "benchmarks.fit_sung_onsets",
        argv,
        seeds=f"{args.seed} (network initialisation and the subsampling of far frames)",
        data=" + ".join(f"{name}, {len(items)} recordings" for name, items in zip(sets, per_set)) + ", all of them",
        held_out=f"cross-validated: {args.cv}",
    )
    model.save(args.out, provenance={**prov, "fitted": f"hidden {HIDDEN}, l2 {L2}, max_iter {MAX_ITER}"})
    print(
        f"wrote {args.out}: onset_min {model.onset_min} offset_min {model.offset_min} step_min_st {model.step_min_st}"
        f" length_weight {model.length_weight}"
        f" pitch_offset_st {model.pitch_offset_st:.4f}"
    )


if __name__ == "__main__":
    main()
