"""Run the accuracy benchmark: ``python -m benchmarks.run [options]``.

Transcribes every item of the chosen sets with our transcriber (``--pitch`` backend) and the
peers, scores them, prints a summary table, and writes ``benchmarks/results/<name>.csv`` (one row
per system, item and reference) and ``benchmarks/results/<name>.md`` (the tables).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from collections.abc import Iterable
from fractions import Fraction
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import metrics
from benchmarks.datasets import Item, Reference, find_shared, load_sets
from benchmarks.rendered.variations import VARIATIONS
from benchmarks.systems import (
    Prediction,
    basic_pitch_available,
    run_basic_pitch,
    run_ours,
    run_swift_notes,
    run_tutorial,
)

RESULTS = Path(__file__).resolve().parent / "results"
PEERS = ("basic-pitch", "tutorial", "swift-notes")


def ref_set(item: Item, ref: Reference) -> str:
    """The ``set`` column of a row scored against ``ref``: the set, and the reference's name if it has one."""
    return item.set + (f"/{ref.name}" if ref.name else "")


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Write result rows as CSV, with every column any row has, in first-seen order."""
    fields: list[str] = []
    for r in rows:
        fields.extend(k for k in r if k not in fields)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def score(item: Item, pred: Prediction) -> list[dict[str, Any]]:
    """Per-reference rows of metrics for one prediction."""
    rows = []
    for ref in item.refs:
        row: dict[str, Any] = {
            "system": pred.system,
            "set": ref_set(item, ref),
            "item": item.id,
            "seconds": round(pred.seconds, 3) if not math.isnan(pred.seconds) else "",
            "error": pred.error or "",
        }
        # A sung reference holds the labels' fractional sung pitch: it is scored the published
        # way, against the system's own estimate of the sung pitch (MIDI + cents / 100).
        est = (pred.sung_notes or pred.notes) if ref.sung else pred.notes
        row.update(metrics.note_scores(ref.notes, est))
        if item.page is not None and ref.sung and pred.written_midi:
            # ssvd-scores: the page measures of issue 23, once per recording (on its main row).
            row.update({"exercise": item.page.exercise, "true_ts": item.page.time_signature, "transpose": item.page.transpose})
            row.update({"est_ts": pred.time_signature or "", "est_key": pred.key or "", "est_bpm": pred.tempo_bpm or ""})
            written = [(on, q, m) for (on, q), m in zip(pred.written, pred.written_midi)]
            row.update(metrics.page_scores(written, pred.key, pred.time_signature, item.page))
            if pred.on_downbeat and item.page.on_bar_line:
                labels = [on for on, _, _ in item.page.label_notes]
                row["downbeat_f1"] = metrics.bar_line_f1_by_onset(
                    labels, item.page.on_bar_line, [n[0] for n in pred.notes], pred.on_downbeat
                )
        if item.f0 is not None:
            t = item.f0[0]
            est = metrics.notes_to_f0(pred.notes, t)
            row["rpa_notes"] = metrics.raw_pitch_accuracy(t, item.f0[1], t, est)
            if pred.track is not None:
                row["rpa_track"] = metrics.raw_pitch_accuracy(t, item.f0[1], pred.track[0], pred.track[1])
        truth = item.truth
        if truth is not None and "notes" not in truth:  # real-clips: the instrument only
            row["instrument"] = truth["instrument"]
        elif truth is not None:
            row.update(
                {
                    "instrument": truth["instrument"],
                    "noise": truth["noise"],
                    "source": truth["source"],
                    "true_bpm": round(truth["tempo_bpm"], 3),
                    "true_ts": truth["time_signature"],
                    "true_key": truth["key"],
                    "est_bpm": "" if pred.tempo_bpm is None else round(pred.tempo_bpm, 3),
                    "est_ts": pred.time_signature or "",
                    "est_key": pred.key or "",
                }
            )
            if pred.system != "basic-pitch":  # basic-pitch makes no notation
                row.update(metrics.key_scores(pred.key, truth["key"]))
                row["ts_right"] = metrics.ts_right(pred.time_signature, truth["time_signature"])
                row["tempo_right"] = metrics.tempo_right(pred.tempo_bpm, pred.time_signature, truth["tempo_bpm"], truth["time_signature"])
                row.update(metrics.duration_scores(pred.written, pred.tempo_bpm, truth["notes"], truth["tempo_bpm"]))
                if pred.on_downbeat:
                    truth_on = [n["onset_s"] for n in truth["notes"]]
                    truth_bar = [Fraction(n["pos_in_bar_q"]) == 0 for n in truth["notes"]]
                    row["downbeat_f1"] = metrics.bar_line_f1_by_onset(truth_on, truth_bar, [n[0] for n in pred.notes], pred.on_downbeat)
        rows.append(row)
    return rows


def _init_worker() -> None:
    """Keep each pool worker single-threaded so ``--jobs`` sets the real parallelism."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _task(args: tuple[str, Item, str, bool, dict[str, Any]]) -> tuple[Item, Prediction]:
    system, item, pitch, use_cache, options = args
    if system == "tutorial":
        return item, run_tutorial(item, use_cache)
    if system == "swift-notes":
        return item, run_swift_notes(item)
    return item, run_ours(item, pitch, options)


def true_tempo_bpm(item: Item) -> float | None:
    """The quarter-note tempo a rendered item was rendered at, as a user who knows it would give
    it; ``None`` where the set has none (the sung sets' prints give none)."""
    return float(item.truth["tempo_bpm"]) if item.truth and "tempo_bpm" in item.truth else None


def true_time_signature(item: Item) -> str | None:
    """The time signature an item is printed (ssvd-scores) or rendered (rendered sets) in, as a
    user who knows it would give it; ``None`` where the set has none."""
    if item.page is not None:
        return item.page.time_signature
    return item.truth.get("time_signature") if item.truth else None


def option_pairs(pairs: list[str]) -> dict[str, Any]:
    """``--opt key=value`` pairs as keyword arguments for ``transcribe()`` (numbers parsed)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        k, _, v = pair.partition("=")
        val: Any = v
        for conv in (int, float):
            try:
                val = conv(v)
                break
            except ValueError:
                continue
        out[k.strip().replace("-", "_")] = val
    return out


def _parse_options(pairs: list[str], pitch: str) -> dict[str, Any]:
    """``--opt key=value`` pairs as keyword arguments (numbers parsed); SPICE defaults to the shared v1 model."""
    out = option_pairs(pairs)
    shared = find_shared()
    if pitch == "spice" and "spice_model" not in out and shared and (shared / "models" / "spice_1").is_dir():
        out.update(spice_model=str(shared / "models" / "spice_1"), spice_version=1)
    return out


def _mean(values: Iterable[Any]) -> float:
    v = [float(x) for x in values if x != "" and x is not None and not (isinstance(x, float) and math.isnan(x))]
    return float(np.mean(v)) if v else math.nan


def summarize(rows: list[dict[str, Any]], by: str = "set") -> list[dict[str, Any]]:
    """One line per (system, ``by``) with mean-of-item metrics and micro F1."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        key = r["set"] if by == "set" else f"{r['set']}[{r.get(by, '')}]"
        groups.setdefault((r["system"], key), []).append(r)
    out = []
    for (system, key), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        n_ref = sum(r["n_ref"] for r in rs)
        n_est = sum(r["n_est"] for r in rs)
        m = sum(r["conp_match"] for r in rs)
        micro = 2 * m / (n_ref + n_est) if n_ref + n_est else math.nan
        line = {
            "set": key,
            "system": system,
            "items": len(rs),
            "errors": sum(1 for r in rs if r["error"]),
            "COnP F1": _mean(r["conp_f1"] for r in rs),
            "COnP F1 micro": micro,
            "COnPOff F1": _mean(r["conpoff_f1"] for r in rs),
            "On F1": _mean(r["on_f1"] for r in rs),
            "RPA notes": _mean(r.get("rpa_notes") for r in rs),
            "RPA track": _mean(r.get("rpa_track") for r in rs),
            "intended pitch": _mean(r.get("pitch_right") for r in rs),
            "key": _mean(r.get("key_exact") for r in rs),
            "key sig": _mean(r.get("key_rel") for r in rs),
            "time sig": _mean(r.get("ts_right") for r in rs),
            # The printed bar's music in one bar of ours, at the tempo level the durations were read
            # at (metrics.bar_right; ssvd-scores): a diagnosis beside "time sig".
            "bar length": _mean(r.get("bar_right") for r in rs),
            "tempo": _mean(r.get("tempo_right") for r in rs),
            "durations": _mean(r.get("dur_right") for r in rs),
            "downbeats": _mean(r.get("downbeat_f1") for r in rs),
            # (the notation-defect count of benchmarks/notation.py goes here, beside the page measures)
            "s/item": _mean(r["seconds"] for r in rs),
        }
        out.append(line)
    return out


def to_markdown(lines: list[dict[str, Any]]) -> str:
    """A markdown table; NaN (metric not applicable) shows as a dash."""
    if not lines:
        return "(no results)\n"
    cols = [c for c in lines[0] if any(not _isnan(ln[c]) for ln in lines)]

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return "–" if math.isnan(v) else f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
        return str(v)

    head = "| " + " | ".join(cols) + " |\n|" + "|".join("---" for _ in cols) + "|\n"
    return head + "".join("| " + " | ".join(fmt(ln[c]) for c in cols) + " |\n" for ln in lines)


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sets",
        default="rendered,ssvd,vocadito,ssvd-scores,real-clips",
        help="comma list of rendered, held-out, ssvd, vocadito, ssvd-scores, real-clips",
    )
    ap.add_argument("--pitch", default="swift", help="our pitch backend: swift, pyin or spice")
    ap.add_argument(
        "--peers", default="basic-pitch,tutorial,swift-notes", help="comma list of basic-pitch, tutorial, swift-notes ('' for none)"
    )
    ap.add_argument("--no-ours", action="store_true", help="run only the peers")
    ap.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE", help="extra option for transcribe() (repeatable)")
    ap.add_argument(
        "--given-meter",
        action="store_true",
        help="give our transcriber each item's true time signature (as a user who knows it would), where the set has one",
    )
    ap.add_argument(
        "--given-tempo", action="store_true", help="give our transcriber each rendered item's true tempo, as a user who knows it would"
    )
    ap.add_argument("--limit", type=int, default=None, help="at most N items per set")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--seed", type=int, default=0, help="seed of the rendered set")
    ap.add_argument(
        "--variation",
        default="fluidr3",
        choices=sorted(VARIATIONS),
        help="variation of the rendered set (benchmarks.rendered.variations.VARIATIONS): varied (seed 5 is the set to choose on),"
        " hall-check",
    )
    ap.add_argument("--rendered-items", type=int, default=48, help="size of the rendered set")
    ap.add_argument("--name", default=None, help="results file stem (default bench-<pitch>)")
    ap.add_argument("--no-cache", action="store_true", help="re-run the peers instead of using their cache")
    a = ap.parse_args(argv)

    sets = [s.strip() for s in a.sets.split(",") if s.strip()]
    peers = [p.strip() for p in a.peers.split(",") if p.strip()]
    for p in peers:
        if p not in PEERS:
            ap.error(f"unknown peer {p!r} (choose from {', '.join(PEERS)})")
    t_start = time.perf_counter()
    items = load_sets(sets, seed=a.seed, n_rendered=a.rendered_items, limit=a.limit, jobs=a.jobs, variation=a.variation)
    if not items:
        print("no items to run", file=sys.stderr)
        return 1
    use_cache = not a.no_cache
    preds: list[tuple[Item, Prediction]] = []
    if "basic-pitch" in peers:
        if basic_pitch_available():
            bp = run_basic_pitch(items, a.jobs, use_cache)
            preds.extend((it, bp[(it.set, it.id)]) for it in items)
        else:
            print("[skip] basic-pitch: run `bash benchmarks/setup_peers.sh` first", file=sys.stderr)
    options = _parse_options(a.opt, a.pitch)
    tasks: list[tuple[str, Item, str, bool, dict[str, Any]]] = []
    if not a.no_ours:
        for it in items:
            given: dict[str, Any] = {}
            if a.given_meter and true_time_signature(it) is not None:
                given["time_signature"] = true_time_signature(it)
            if a.given_tempo and true_tempo_bpm(it) is not None:
                given["tempo_bpm"] = true_tempo_bpm(it)
            tasks.append(("ours", it, a.pitch, use_cache, {**options, **given}))
    for peer in ("tutorial", "swift-notes"):
        if peer in peers:
            tasks += [(peer, it, a.pitch, use_cache, options) for it in items]
    print(f"{len(items)} items, {len(tasks)} pool tasks on {a.jobs} worker(s)...", file=sys.stderr)
    if a.jobs > 1:
        with Pool(a.jobs, initializer=_init_worker) as pool:
            for i, res in enumerate(pool.imap_unordered(_task, tasks), 1):
                preds.append(res)
                if i % 20 == 0:
                    print(f"  {i}/{len(tasks)}", file=sys.stderr)
    else:
        preds.extend(_task(t) for t in tasks)

    rows = [row for it, p in preds for row in score(it, p)]
    rows.sort(key=lambda r: (r["system"], r["set"], r["item"]))
    errs = [r for r in rows if r["error"]]
    for r in errs[:5]:
        print(f"[error] {r['system']} {r['set']} {r['item']}: {r['error']}", file=sys.stderr)

    name = a.name or f"bench-{a.pitch}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_csv(rows, RESULTS / f"{name}.csv")
    table = to_markdown(summarize(rows))
    md = f"# Benchmark `{name}`\n\n`python -m benchmarks.run {' '.join(argv if argv is not None else sys.argv[1:])}`\n\n"
    md += table
    rendered = [r for r in rows if r["set"] == "rendered"]
    if rendered:
        md += "\n## Rendered set by noise condition\n\n" + to_markdown(summarize(rendered, by="noise"))
    by_instrument = [r for r in rows if r.get("instrument") and r["set"] in ("rendered", "held-out", "real-clips")]
    if by_instrument:
        inst_table = to_markdown(summarize(by_instrument, by="instrument"))
        md += "\n## By instrument (rendered, held-out, real-clips)\n\n" + inst_table
        if any(r["set"] != "rendered" for r in by_instrument):
            print(inst_table)
    from benchmarks.notation import defect_table

    defects = defect_table([(it.set, p.system, p.musicxml) for it, p in preds if p.musicxml is not None])
    md += "\n## Notation defects (target: zero)\n\n" + defects
    (RESULTS / f"{name}.md").write_text(md)
    print(table)
    print(defects)
    print(f"rows: {RESULTS / f'{name}.csv'}  tables: {RESULTS / f'{name}.md'}  ({time.perf_counter() - t_start:.0f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
