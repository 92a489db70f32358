"""Fit the bar count and phrase frame of a voice's meter (``transcribe/models/sung_meter.npz``) on
ssvd-scores, cross-validated by exercise.

``python -m benchmarks.fit_sung_meter [--write] [--out PATH]`` (~3 min: transcribes the 40 recordings once).
With the shipped ``sung_rhythm.npz`` fixed, two knobs of the meter read again on the followed
beat's written values (``rhythm.TempoFollow``) are chosen from a small grid by the page measures
(the mean of written durations and time signature, as ``fit_sung_rhythm``): ``bars_price``, how
much a reading is marked down for making the tune's length far from 4, 8, 16, 32 or 64 bars
(``rhythm.meter.bar_count_cost``), and ``frame_price``, the bonus of a reading and downbeat that
start the tune on a downbeat and end it on a bar line (``rhythm.meter.phrase_frame``). Reported
beside them: the share of recordings written at the printed tempo level (the duration factor 1)
and the downbeat F1 (:func:`downbeat_f1`: our notes on a downbeat against the printed notes they
sing). Five folds split by EXERCISE (seeded, as ``fit_intonation``): the grid point best on four
folds is scored on the fifth. ``--write`` stores the all-data best with the fold figures.
"""

from __future__ import annotations

import argparse
import dataclasses
from fractions import Fraction
from pathlib import Path

import mir_eval
import numpy as np

import transcribe
from benchmarks import metrics
from benchmarks.datasets import Item, _float_rows, _pair_alignment, find_shared, load_ssvd_scores
from benchmarks.fit_intonation import exercise_folds, fold_choices
from benchmarks.model_files import provenance, write_model
from transcribe import rhythm
from transcribe.pipeline import note_peaks_db
from transcribe.values import TimeSignature

BARS_PRICES = (0.0, 4.0, 8.0, 16.0, 32.0, 64.0)
FRAME_PRICES = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)


def printed_downbeats(exercise: Path) -> list[bool]:
    """Per printed note of an ssvd-scores ``EX.txt`` (rests left out, tie continuations kept, as
    the alignment's ``score_note_index`` counts them), whether it starts a bar."""
    fields: dict[str, str] = {}
    for line in exercise.read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.split(" #")[0].strip()
    measure_q = TimeSignature(fields["time"]).measure_q
    pickup_q = Fraction(fields.get("pickup_quarters", "0"))
    out, at_q = [], Fraction(0)
    for tok in fields["notes"].split():
        if tok == "|":
            continue
        name, _, length = tok.partition(":")
        if name != "r":
            out.append((at_q - pickup_q) % measure_q == 0)
        at_q += Fraction(length.rstrip("~")).limit_denominator(48)
    return out


def downbeat_f1(item: Item, onsets_s: list[float], on_downbeat: list[bool]) -> float:
    """F1 of our notes on a downbeat against the printed notes they sing: our notes matched to the
    labelled notes by onset (50 ms, as the benchmark's page measures), each label placed in the
    print by its alignment row; 1 when neither side has a downbeat among the matched notes."""
    folder = item.audio.parent.parent
    exercise = item.page.exercise
    printed = printed_downbeats(folder / "exercises" / f"{exercise}.txt")
    labels = list(item.page.label_notes)
    rows = _float_rows(folder / "recordings" / f"{item.audio.stem}.score.txt")
    row_of = _pair_alignment(labels, rows)
    if not labels or not onsets_s:
        return 0.0
    r_iv = np.array([[a, max(b, a + 1e-3)] for a, b, _ in labels], dtype=float)
    e_on = np.array(onsets_s, dtype=float)
    pairs = mir_eval.transcription.match_note_onsets(r_iv, np.stack([e_on, e_on + 0.01], axis=1), onset_tolerance=metrics.ONSET_TOL_S)
    tp = fp = fn = 0
    for ri, ei in pairs:
        j = row_of[ri]
        if j is None or not 0 <= int(rows[j][2]) < len(printed):
            continue
        theirs, ours = printed[int(rows[j][2])], on_downbeat[ei]
        tp, fp, fn = tp + (ours and theirs), fp + (ours and not theirs), fn + (theirs and not ours)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_sung_meter", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="store the all-data best in transcribe/models/sung_meter.npz")
    ap.add_argument("--out", help="with --write: where to write the model file (default: the package's own)")
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = [it for it in load_ssvd_scores(shared) if it.page]
    base = rhythm.SungRhythm.load(meter_cue=False)
    if base.follow is None:
        raise SystemExit("sung_rhythm.npz does not follow the beat: nothing to fit here")
    points = [(b, f) for b in BARS_PRICES for f in FRAME_PRICES]
    # measures: written durations, time signature; reported only: written at the printed tempo
    # level, downbeat F1
    scores = np.zeros((len(points), len(items), 4))
    for j, it in enumerate(items):
        res = transcribe.transcribe(str(it.audio))
        accent = note_peaks_db(res.notes, res.raw_track)
        for i, (price, frame) in enumerate(points):
            follow = dataclasses.replace(base.follow, bars_price=price, frame_price=frame)
            rh = rhythm.analyze(
                res.notes,
                accent_db=accent,
                grid_penalties=base.grid_penalties,
                compound_shift=base.compound_shift,
                rest_min_beats=base.rest_min_beats,
                follow=follow,
            )
            written = [(n.onset_s, q, n.midi) for n, q in zip(res.notes, rh.durations_q)]
            page = metrics.page_scores(written, res.key, rh.time_signature, it.page)
            measure_q = TimeSignature(rh.time_signature).measure_q
            down = [(q - rh.pickup_q) % measure_q == 0 for q in rh.onsets_q]
            scores[i, j] = (
                page["dur_right"],
                page["ts_right"],
                float(page["dur_scale"] == 1.0),
                downbeat_f1(it, [n.onset_s for n in res.notes], down),
            )
    folds = np.array(exercise_folds(items))
    report = []
    for k, best, test in fold_choices(scores[:, :, :2], folds):
        dur, ts, level, down = scores[best, test].mean(axis=0)
        dur0, ts0, _, down0 = scores[0, test].mean(axis=0)
        report.append(
            {
                "fold": k,
                "recordings": int(test.sum()),
                "durations": dur,
                "time_sig": ts,
                "tempo_level": level,
                "downbeat_f1": down,
                "off_durations": dur0,
                "off_time_sig": ts0,
                "off_downbeat_f1": down0,
            }
        )
        off = f"(off: {dur0:.3f} / {ts0:.3f} / {down0:.3f})"
        print(f"fold {k}: durations {dur:.3f} time sig {ts:.3f} downbeat F1 {down:.3f} {off} chosen {points[best]}")
    w = np.array([r["recordings"] for r in report], dtype=float)
    measures = ("durations", "time_sig", "tempo_level", "downbeat_f1", "off_durations", "off_time_sig", "off_downbeat_f1")
    held = {m: float(sum(r[m] * n for r, n in zip(report, w)) / w.sum()) for m in measures}
    print("held out, all folds:", {m: round(v, 3) for m, v in held.items()})
    for (b, f), s in zip(points, scores.mean(axis=1)):
        got = f"durations {s[0]:.3f} time sig {s[1]:.3f} tempo level {s[2]:.3f} downbeat F1 {s[3]:.3f}"
        print(f"  all 40 at bars_price {b:g}, frame_price {f:g}: {got}")
    best = points[int(np.argmax(scores[:, :, :2].mean(axis=2).mean(axis=1)))]
    print(f"best on all recordings: bars_price {best[0]:g}, frame_price {best[1]:g}")
    if a.write:
        prov = provenance(
            "benchmarks.fit_sung_meter",
            argv,
            seeds="exercise folds: numpy default_rng(0) permutation of the 21 exercises (as fit_intonation)",
            data="ssvd-scores (40 recordings, 21 exercises), this tool's notes, sung_rhythm.npz fixed",
            held_out="five folds by exercise: " + ", ".join(f"{m} {v:.3f}" for m, v in held.items()),
        )
        arrays = {
            "params": np.array(best, dtype=float),
            "cv.durations": np.array([r["durations"] for r in report]),
            "cv.time_sig": np.array([r["time_sig"] for r in report]),
        }
        write_model("sung_meter", a.out, arrays=arrays, names={"features": rhythm.SUNG_METER_PARAMS}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
