"""Fit how a voice's rhythm is written (``transcribe/models/sung_rhythm.npz``) on ssvd-scores,
cross-validated by exercise.

``python -m benchmarks.fit_sung_rhythm [--write] [--out PATH]`` (~15 min: transcribes the 40 recordings once).
A voice is written with simple values unless the onsets insist: the price per onset of a
finer beat division (sixteenths) and of the other one (triplets), a shift against meters in
beats of three, the shortest gap written as a rest (a shorter breath joins the note), and
whether (and how) the intervals between onsets are read as values of a drifting beat
(``rhythm.TempoFollow``: drift, timing SD, price per rank of a value, whether the meter is
read again on the written values), are
chosen from a small grid by the page measures they drive (the mean of the share of notes
written with the printed length, one factor in {1/2, 1, 2} per recording, and the time
signature; ``benchmarks.metrics.page_scores``). Five folds split by
EXERCISE (seeded, as ``fit_intonation``): the grid point best on four folds is scored on the
fifth. ``--write`` stores the all-data best with the fold figures.
"""

from __future__ import annotations

import argparse
import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np

import transcribe
from benchmarks import metrics
from benchmarks.datasets import find_shared, load_ssvd_scores
from benchmarks.fit_intonation import exercise_folds, fold_choices
from benchmarks.model_files import provenance, write_model
from transcribe import rhythm
from transcribe.pipeline import note_peaks_db

PENALTIES = ((rhythm.FINE_PENALTY, rhythm.OTHER_PENALTY), (0.15, 0.25), (0.3, 0.4), (0.5, 0.6), (1.0, 1.0))
SHIFTS = (0.0, 0.5, 1.0, 2.0, 4.0)
RESTS = (0.5, 1.0, 1.5)
#: Writing each interval between onsets as a value of a drifting beat (``rhythm.TempoFollow``):
#: the beat's drift per note, the timing SD, the price of a value's rarity and whether the meter
#: is read again on the written values. The grid penalties then only place the first onset.
FOLLOWS = [(d, t, v, rm) for d in (0.01, 0.02, 0.03) for t in (0.15, 0.2) for v in (0.5, 1.0) for rm in (False, True)]
#: Folk songs whose intervals between onsets give each value's rarity (Essen, quarter beats).
CORPUS_TUNES = 400


def corpus_value_counts(n: int = CORPUS_TUNES, seed: int = 0) -> np.ndarray:
    """How often each value of ``rhythm.VALUES_BEATS`` (quarters) lies between two onsets of ``n``
    Essen folk songs with a quarter beat (music21's corpus; seeded order; none a scored rendered
    set uses), a rest counted with the note before it."""
    import warnings

    from benchmarks.fit_meter import scored_tunes
    from benchmarks.rendered import corpus

    root, used = corpus.corpus_dir(), scored_tunes()
    cands = [c for c in corpus.candidates()["essen"] if (str(Path(c[0]).relative_to(root)), c[1]) not in used]
    counts = np.zeros(len(rhythm.VALUES_BEATS))
    index = {Fraction(v).limit_denominator(8): i for i, v in enumerate(rhythm.VALUES_BEATS)}
    tunes = 0
    for i in np.random.default_rng(seed).permutation(len(cands)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = corpus.load_melody(*cands[i], "essen")
        if m is None or m.beat_q != 1:
            continue
        on = [e.offset_q for e in m.events if e.midi > 0]
        for a, b in itertools.pairwise(on):
            if (b - a) in index:
                counts[index[b - a]] += 1
        tunes += 1
        if tunes >= n:
            break
    return counts


def grid(surprise: tuple[float, ...]) -> list[rhythm.SungRhythm]:
    """The grid: the tatum grid's rules (no following), then following with ``surprise``."""
    return [rhythm.SungRhythm(p, s, r) for p in PENALTIES for s in SHIFTS for r in RESTS] + [
        rhythm.SungRhythm((0.3, 0.4), s, r, rhythm.TempoFollow(d, t, v, rm, value_surprise=surprise))
        for s in (0.0, 4.0)
        for r in (1.0, 1.5)
        for d, t, v, rm in FOLLOWS
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_sung_rhythm", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="store the all-data best in transcribe/models/sung_rhythm.npz")
    ap.add_argument("--out", type=Path, help="with --write: where to write the model file (default: the package's own)")
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = [it for it in load_ssvd_scores(shared) if it.page]
    counts = corpus_value_counts()
    surprise = rhythm.value_surprise(counts)
    print("values", rhythm.VALUES_BEATS, "rarity", np.round(surprise, 2))
    points = grid(surprise)
    scores = np.zeros((len(points), len(items), 2))
    for j, it in enumerate(items):
        res = transcribe.transcribe(str(it.audio))
        accent = note_peaks_db(res.notes, res.raw_track)
        for i, how in enumerate(points):
            rh = rhythm.analyze(res.notes, accent_db=accent, written_as=how)
            written = [(n.onset_s, q, n.midi) for n, q in zip(res.notes, rh.durations_q)]
            page = metrics.page_scores(written, res.key, rh.time_signature, it.page)
            scores[i, j] = page["dur_right"], page["ts_right"]
    objective = scores.mean(axis=2)
    folds = np.array(exercise_folds(items))
    report = []
    for k, best, test in fold_choices(scores, folds):
        dur, ts = scores[best, test].mean(axis=0)
        dur0, ts0 = scores[0, test].mean(axis=0)
        report.append(
            {"fold": k, "recordings": int(test.sum()), "durations": dur, "time_sig": ts, "default_durations": dur0, "default_time_sig": ts0}
        )
        print(f"fold {k}: durations {dur:.3f} time sig {ts:.3f} (an instrument's rules {dur0:.3f} / {ts0:.3f}) chosen {points[best]}")
    w = np.array([r["recordings"] for r in report], dtype=float)
    measures = ("durations", "time_sig", "default_durations", "default_time_sig")
    held = {m: float(sum(r[m] * n for r, n in zip(report, w)) / w.sum()) for m in measures}
    print("held out, all folds:", {m: round(v, 3) for m, v in held.items()})
    best = points[int(np.argmax(objective.mean(axis=1)))]
    print("best on all recordings:", best)
    if a.write:
        prov = provenance(
            "benchmarks.fit_sung_rhythm",
            argv,
            seeds="exercise folds: numpy default_rng(0) permutation of the 21 exercises (as fit_intonation)",
            data=f"ssvd-scores (40 recordings, 21 exercises), this tool's notes; value rarity from {CORPUS_TUNES} Essen folk songs",
            held_out="five folds by exercise: " + ", ".join(f"{m} {v:.3f}" for m, v in held.items()),
        )
        arrays = {
            "params": np.array(best.values(), dtype=float),
            "value_surprise": np.array(surprise),
            "value_counts": counts,
            "cv.durations": np.array([r["durations"] for r in report]),
            "cv.time_sig": np.array([r["time_sig"] for r in report]),
        }
        names = {"features": rhythm.SUNG_RHYTHM_PARAMS, "values": tuple(str(v) for v in rhythm.VALUES_BEATS)}
        write_model("sung_rhythm", a.out, arrays=arrays, names=names, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
