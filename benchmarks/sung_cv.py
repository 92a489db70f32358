"""Sung note boundaries scored the published way, cross-validated by recording.

    python -m benchmarks.sung_cv                 # the package's voice path, per fold and mean
    python -m benchmarks.sung_cv --set vocadito  # ... on vocadito, both annotators
    python -m benchmarks.sung_cv --method model  # the sung-onset model, refitted per fold
    python -m benchmarks.sung_cv --save-features DIR               # each recording's model inputs, for ...
    python -m benchmarks.sung_cv --method model --features DIR --jobs 5   # ... the folds in parallel, without the audio
    python -m benchmarks.sung_cv --set ssvd-scores   # recordings/ID.flac + ID.notes.txt, folded by exercise

The protocol of the published SSVD figures: mir_eval.transcription with the labels' float
pitch (Hz of ``midi_float``) against the estimated sung pitch (note MIDI + cents / 100, with
the rounding tuning added back), onsets within 50 ms, pitch within 50 cents, offsets with
mir_eval's defaults (20 % of the note or 50 ms), and onset-only F1; each the mean over files.
Recordings are split into ``--folds`` folds by a seeded shuffle (ssvd-scores by exercise, every take
of an exercise in one fold, as :func:`benchmarks.fit_intonation.exercise_folds` splits it); with ``--method model`` the
model that scores a fold was fitted on the other folds only. The pitch track, voicing,
onset strengths and audio of each recording are cached under ``benchmarks/data/sung_cv/``
(one ``.npz`` each, rebuilt when missing), so an iteration costs seconds.
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import dataclass
from pathlib import Path

import mir_eval
import numpy as np

from benchmarks.datasets import find_shared
from benchmarks.fit_intonation import folds_by_exercise
from transcribe import audio as audio_io
from transcribe import features, gating, pipeline, pitch, profiles
from transcribe.config import Options
from transcribe.types import Audio, PitchTrack

CACHE = Path(__file__).resolve().parent / "data" / "sung_cv"


@dataclass(frozen=True, eq=False)
class Recording:
    """One labelled recording with the pipeline's evidence up to the note stage."""

    name: str
    audio: Audio
    raw: PitchTrack
    mask: np.ndarray
    sure: np.ndarray
    onset: np.ndarray
    attack: np.ndarray
    performer: profiles.Performer
    labels: np.ndarray  # (k, 3): onset_s, offset_s, midi_float

    def evidence(self) -> pipeline.NoteEvidence:
        """What the pipeline's note stage (:func:`transcribe.pipeline.find_notes`) reads of it."""
        return pipeline.NoteEvidence(self.audio, self.raw, self.mask, self.sure, self.onset, self.attack, self.performer)


def read_labels(path: Path) -> np.ndarray:
    rows = [[float(x) for x in line.split()[:3]] for line in path.read_text().splitlines() if line.strip()]
    return np.asarray(rows, dtype=np.float64).reshape(-1, 3)


def load(path: Path, labels: np.ndarray, *, cache: Path = CACHE, tag: str = "") -> Recording:
    """The recording's evidence, from the cache or computed as :func:`transcribe.transcribe` does.
    Cached as ``TAG-STEM.npz``, ``TAG`` the audio's folder name unless given."""
    opts = Options()
    cache.mkdir(parents=True, exist_ok=True)
    file = cache / f"{tag or path.parent.name}-{path.stem}.npz"
    if not file.exists():
        audio = audio_io.load(path, sr=pitch.sample_rate(opts.pitch))
        raw = pitch.estimate(audio, backend=opts.pitch, fmin_hz=opts.pitch_range_hz[0], fmax_hz=opts.pitch_range_hz[1])
        sure = gating.voiced_mask(
            raw, confidence=opts.voicing_threshold, loudness_floor_db=opts.loudness_floor_db, hysteresis=opts.voicing_hysteresis
        )
        mask = gating.bridge_gaps(raw, sure, max_gap_s=opts.max_gap_s)
        onset = features.onset_strength(audio.samples, audio.sr, raw.times_s)
        attack = features.onset_strength(audio.samples, audio.sr, raw.times_s, win_s=pipeline.ATTACK_WIN_S)
        np.savez(
            file,
            samples=audio.samples,
            sr=audio.sr,
            times=raw.times_s,
            f0=raw.f0_hz,
            conf=raw.confidence,
            loud=raw.loudness_db,
            backend=raw.backend,
            mask=mask,
            sure=sure,
            onset=onset,
            attack=attack,
        )
    z = np.load(file, allow_pickle=False)
    raw = PitchTrack(z["times"], z["f0"], z["conf"], z["loud"], str(z["backend"]))
    return Recording(
        path.stem,
        Audio(z["samples"], int(z["sr"])),
        raw,
        z["mask"],
        z["sure"],
        z["onset"],
        z["attack"],
        profiles.Performer.measure(raw, z["mask"]),
        labels,
    )


def load_set(folder: Path, *, cache: Path = CACHE) -> list[Recording]:
    """Every labelled recording of a sung set, in name order: ``ID.flac`` + ``ID.txt``, or ssvd-scores' layout."""
    if (folder / "index.tsv").exists():
        return load_scores(folder, cache=cache)
    return [load(lab.with_suffix(".flac"), read_labels(lab), cache=cache) for lab in sorted(folder.glob("*.txt"))]


def load_scores(folder: Path, *, cache: Path = CACHE) -> list[Recording]:
    """ssvd-scores (its README): audio ``recordings/ID.flac``, labels ``recordings/ID.notes.txt``
    (the rows with the offset after the onset, as the benchmark reads them), in name order."""
    recs = []
    for lab in sorted((folder / "recordings").glob("*.notes.txt")):
        labels = read_labels(lab)
        rec_id = lab.name.removesuffix(".notes.txt")
        recs.append(load(lab.parent / f"{rec_id}.flac", labels[labels[:, 1] > labels[:, 0]], cache=cache, tag=folder.name))
    return recs


def exercise_of(folder: Path) -> dict[str, str]:
    """ssvd-scores' ``index.tsv``: the exercise each recording sang."""
    rows = [line.split("\t") for line in (folder / "index.tsv").read_text().splitlines()[1:] if line.strip()]
    return {r[0].strip(): r[1].strip() for r in rows}


def exercise_folds_of(names: list[str], exercises: dict[str, str], k: int, seed: int) -> list[list[int]]:
    """Folds of ssvd-scores recordings by EXERCISE (every take of an exercise on the same side): the
    split the page fits make (:func:`benchmarks.fit_intonation.folds_by_exercise`), as index lists."""
    fold = folds_by_exercise([exercises[n] for n in names], k=k, seed=seed)
    return [[i for i, f in enumerate(fold) if f == j] for j in range(k)]


def read_vocadito(path: Path) -> np.ndarray:
    """A vocadito note file (``onset_s,f0_hz,duration_s``) as (k, 3) onset_s, offset_s, midi_float."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    return np.stack([rows[:, 0], rows[:, 0] + rows[:, 2], 69.0 + 12.0 * np.log2(rows[:, 1] / 440.0)], axis=1)


def vocadito(folder: Path, *, cache: Path = CACHE) -> None:
    """The pipeline's notes on vocadito against both annotators (nothing is fitted on it)."""
    for who in ("A1", "A2"):
        per = []
        for wav in sorted(folder.glob("vocadito_*.wav")):
            rec = load(wav, read_vocadito(folder / f"{wav.stem}_notes{who}.csv"), cache=cache)
            per.append(score(rec.labels, default_notes(rec)))
        m = np.mean(per, axis=0)
        print(f"vocadito {who}: COnP {m[0]:.3f}  COnPOff {m[1]:.3f}  onsets {m[2]:.3f}")


def default_notes(rec: Recording, **options: object) -> np.ndarray:
    """Today's note stage on the cached evidence: (k, 3) onset_s, offset_s, sung Hz."""
    opts = Options.from_kwargs(**options)
    found, tuning, _ = pipeline.find_notes(rec.evidence(), opts)
    return as_rows(found, tuning)


def as_rows(found: tuple, tuning_cents: float) -> np.ndarray:
    rows = [(n.onset_s, n.offset_s, 440.0 * 2.0 ** ((n.midi + (n.cents + tuning_cents) / 100.0 - 69.0) / 12.0)) for n in found]
    return np.asarray(rows, dtype=np.float64).reshape(-1, 3)


def score(labels: np.ndarray, est: np.ndarray) -> tuple[float, float, float]:
    """COnP, COnPOff and onset-only F1 of one recording (mir_eval, published tolerances)."""
    ref_iv, ref_hz = labels[:, :2], 440.0 * 2.0 ** ((labels[:, 2] - 69.0) / 12.0)
    if len(est) == 0:
        return 0.0, 0.0, 0.0
    est_iv, est_hz = est[:, :2].copy(), est[:, 2]
    est_iv[:, 1] = np.maximum(est_iv[:, 1], est_iv[:, 0] + 1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        conp = mir_eval.transcription.precision_recall_f1_overlap(
            ref_iv, ref_hz, est_iv, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None
        )[2]
        conpoff = mir_eval.transcription.precision_recall_f1_overlap(
            ref_iv, ref_hz, est_iv, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0
        )[2]
        on = mir_eval.transcription.onset_precision_recall_f1(ref_iv, est_iv, onset_tolerance=0.05)[2]
    return float(conp), float(conpoff), float(on)


def folds_of(names: list[str], k: int, seed: int) -> list[list[int]]:
    order = np.random.default_rng(seed).permutation(len(names))
    return [sorted(int(i) for i in order[f::k]) for f in range(k)]


def _model_fold(items: list, test: list[int], seed: int) -> tuple[np.ndarray, str]:
    """Fit the sung model on every item not in ``test``; its scores on ``test`` (rows) and its choices."""
    from benchmarks import fit_sung_onsets

    model = fit_sung_onsets.fit([it for i, it in enumerate(items) if i not in set(test)], seed=seed)
    per = np.array([score(items[i].labels, fit_sung_onsets.model_notes(items[i], model)) for i in test])
    return per, (
        f"onset_min {model.onset_min} offset_min {model.offset_min} step_min_st {model.step_min_st} length_weight {model.length_weight}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--method",
        choices=("pipeline", "model"),
        default="pipeline",
        help="the package's note stage as it is, or the sung model refitted per fold",
    )
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="", help="comma list of the folds to run (default all), to spread them over processes")
    ap.add_argument(
        "--set",
        default="ssvd-dev",
        help="a folder of ../shared/data/singing with ID.flac + ID.txt, ssvd-scores (folded by exercise), or vocadito",
    )
    ap.add_argument("--cache", type=Path, default=CACHE, help="where each recording's pitch track and audio are cached")
    ap.add_argument("--save-features", type=Path, help="write each recording's model inputs (fit_sung_onsets.Item) here and stop")
    ap.add_argument("--features", type=Path, help="with --method model: read the recordings' inputs from here (no audio needed)")
    ap.add_argument("--jobs", type=int, default=1, help="with --method model: folds fitted in parallel processes")
    args = ap.parse_args(argv)
    from benchmarks import fit_sung_onsets

    if args.features is not None:
        if args.method != "model":
            raise SystemExit("--features holds the model's inputs only: use it with --method model")
        items = fit_sung_onsets.read_items(args.features)
        if not items:
            raise SystemExit(f"no recordings in {args.features}: save them with --save-features {args.features}")
        recs = None
        names = [it.name for it in items]
    else:
        shared = find_shared()
        if shared is None:
            raise SystemExit("../shared is missing (or set TRANSCRIBE_SHARED): the sung sets live there")
        if args.set == "vocadito":
            vocadito(shared / "data" / "singing" / "vocadito", cache=args.cache)
            return
        recs = load_set(shared / "data" / "singing" / args.set, cache=args.cache)
        names = [r.name for r in recs]
        if args.save_features is not None:
            args.save_features.mkdir(parents=True, exist_ok=True)
            for r in recs:
                fit_sung_onsets.item_of(r).save(args.save_features)
            print(f"wrote {len(recs)} recordings' inputs to {args.save_features}")
            return
        items = [fit_sung_onsets.item_of(r) for r in recs] if args.method == "model" else None
    shared = find_shared()
    folder = shared / "data" / "singing" / args.set if shared is not None else None
    if folder is not None and (folder / "index.tsv").exists():
        folds = exercise_folds_of(names, exercise_of(folder), args.folds, args.seed)
    else:
        folds = folds_of(names, args.folds, args.seed)
    per = np.full((len(names), 3), np.nan)
    only = sorted({int(x) for x in args.only.split(",") if x.strip()} or set(range(len(folds))))
    if args.method == "model":
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {f: pool.submit(_model_fold, items, folds[f], args.seed) for f in only}
            done = {f: fut.result() for f, fut in futures.items()}
    for f in only:
        test = folds[f]
        if args.method == "model":
            per[test], chosen = done[f]
        else:
            per[test] = [score(recs[i].labels, default_notes(recs[i])) for i in test]
            chosen = ""
        m = per[test].mean(axis=0)
        print(f"fold {f}: n={len(test):3d}  COnP {m[0]:.3f}  COnPOff {m[1]:.3f}  onsets {m[2]:.3f}  {chosen}".rstrip())
    for i in np.flatnonzero(np.isfinite(per[:, 0])):
        print(f"  {names[i]}: COnP {per[i, 0]:.3f}  COnPOff {per[i, 1]:.3f}  onsets {per[i, 2]:.3f}")
    scored = np.isfinite(per[:, 0])
    per, names = per[scored], [n for n, s in zip(names, scored) if s]
    m = per.mean(axis=0)
    print(f"mean over {len(per)} files: COnP {m[0]:.3f}  COnPOff {m[1]:.3f}  onsets {m[2]:.3f}")
    worst = np.argsort(per[:, 0])[:5]
    print("worst five (COnP / COnPOff / onsets):", "  ".join(f"{names[i]} {per[i, 0]:.2f}/{per[i, 1]:.2f}/{per[i, 2]:.2f}" for i in worst))


if __name__ == "__main__":
    main()
