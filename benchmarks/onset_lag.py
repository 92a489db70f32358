"""Where instrument onsets sit against the labels: ``python -m benchmarks.onset_lag [options]``.

For every labelled note matched by one of ours (same pitch, onsets within :data:`MATCH_S`), the
signed onset error (ours minus label, ms) at three stages of the instrument path: before the
onset network (the attack search of :func:`transcribe.notes.search.segment` and the handovers),
the network's chosen frame (no shift), and the shipped onsets (network and shift). Also where
landmarks of the searched window lie against the label: the attack strength's peak, the onset
strength's peak, the level's steepest rise, the level's first rise (back from the steepest
rise while the level climbs more than :data:`RISE_STEP_DB` a frame) and the pitch's arrival (first frame within 50 cents).
Medians are printed per set, instrument and (rendered sets) soundfont, room, noise and velocity.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from multiprocessing import Pool
from typing import Any

import numpy as np

from benchmarks.datasets import Item, find_shared, load_real_clips, load_rendered
from benchmarks.fit_reattack import stage_inputs
from transcribe.notes import attack

#: A label and one of our notes of its pitch this close are a match (seconds).
MATCH_S = 0.1
#: The level's first rise: back from the steepest rise while the level climbs more than this a frame (dB).
RISE_STEP_DB = 0.5
STAGES = ("search", "net", "shipped")
MARKS = ("att_peak", "onset_peak", "steepest", "first_rise", "arrival")


def _zero_shift(shift: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        **shift,
        "bias": np.zeros_like(shift["bias"]),
        "linear": np.zeros_like(shift["linear"]),
        "square": np.zeros_like(shift["square"]),
    }


def item_rows(item: Item) -> list[dict[str, Any]]:
    """One row per labelled note that the shipped onsets match."""
    calls = stage_inputs(item).get("refine_onsets", [])
    if not calls:
        return []
    c = calls[-1]
    notes, frames, min_note_s, own = c["notes"], c["frames"], c["min_note_s"], c["own_level"]
    shift = attack.fitted_shift()
    staged = {
        "search": notes,
        "net": attack.refine_onsets(notes, frames, min_note_s=min_note_s, own_level=own, shift=_zero_shift(shift)),
        "shipped": attack.refine_onsets(notes, frames, min_note_s=min_note_s, own_level=own),
    }
    truth = item.truth or {}
    tnotes = truth.get("notes", [])
    rows = []
    for r_on, _r_off, r_midi in item.refs[0].notes:
        row: dict[str, Any] = {"set": item.set, "item": item.id, "instrument": truth.get("instrument", "?")}
        for k in ("soundfont", "room", "noise"):
            row[k] = truth.get(k, "-")
        vel = [n["velocity"] for n in tnotes if abs(n["onset_s"] - r_on) < 1e-6]
        row["velocity"] = "-" if not vel else ("soft<64" if vel[0] < 64 else ("mid64-95" if vel[0] < 96 else "loud96+"))
        idx = None
        for stage, got in staged.items():
            cands = [(abs(n.onset_s - r_on), i) for i, n in enumerate(got) if n.midi == round(r_midi) and abs(n.onset_s - r_on) <= MATCH_S]
            if not cands:
                row[stage] = np.nan
                continue
            i = min(cands)[1]
            row[stage] = 1000.0 * (got[i].onset_s - r_on)
            if stage == "search":
                idx = i
        if idx is not None:  # landmarks of the window the network searches (around the pre-network onset)
            note = notes[idx]
            prev = notes[idx - 1] if idx > 0 else None
            starts, feats = attack.onset_features(note, prev, frames, min_note_s=min_note_s, own_level=own)
            if len(starts):
                t = frames.times_s[starts]
                f = {name: feats[:, i] for i, name in enumerate(attack.FEATURES)}
                row["att_peak"] = 1000.0 * (t[np.argmax(f["attack"])] - r_on)
                row["onset_peak"] = 1000.0 * (t[np.argmax(f["onset"])] - r_on)
                row["steepest"] = 1000.0 * (t[np.argmax(f["rise_db"])] - r_on)
                b = k = int(np.argmax(f["rise_db"]))
                while b > 0 and f["step_db"][b] > RISE_STEP_DB:  # back to where the level starts to climb
                    b -= 1
                row["first_rise"] = 1000.0 * (t[b] - r_on)
                arr = f["pitch_off_cents"] < 50
                row["arrival"] = 1000.0 * (t[np.argmax(arr)] - r_on) if arr.any() else np.nan
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]], by: str) -> str:
    """Medians (ms) of each stage's and landmark's signed error, per set and value of ``by``, as Markdown."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[f"{r['set']} {r[by]}" if by != "set" else r["set"]].append(r)
    cols = (*STAGES, *MARKS)
    lines = [
        f"| {by} | labels | matched | " + " | ".join(cols) + " | shipped >25 ms early | shipped >25 ms late |",
        "|---" * (len(cols) + 5) + "|",
    ]
    for key in sorted(groups):
        g = groups[key]
        shipped = np.array([r["shipped"] for r in g], dtype=float)
        m = shipped[np.isfinite(shipped)]
        meds = []
        for c in cols:
            v = np.array([r.get(c, np.nan) for r in g], dtype=float)
            v = v[np.isfinite(v)]
            meds.append(f"{np.median(v):+.0f}" if len(v) else "-")
        early = f"{np.mean(m < -25):.0%}" if len(m) else "-"
        late = f"{np.mean(m > 25):.0%}" if len(m) else "-"
        lines.append(f"| {key} | {len(g)} | {len(m)} | " + " | ".join(meds) + f" | {early} | {late} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="5:varied", help="rendered sets SEED:VARIATION, comma-separated ('' for none)")
    ap.add_argument("--real-clips", action="store_true", help="add ../shared real-clips")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--by", default="set,instrument,soundfont,room,noise,velocity")
    args = ap.parse_args(argv)
    items: list[Item] = []
    for spec in filter(None, args.seeds.split(",")):
        seed, var = spec.split(":")
        items += load_rendered(int(seed), 48, variation=var, name=f"seed{seed}")[: args.limit]
    if args.real_clips:
        shared = find_shared()
        if shared is None:
            raise SystemExit("no shared data: set TRANSCRIBE_SHARED")
        items += load_real_clips(shared)
    with Pool(args.jobs) as pool:
        rows = [r for got in pool.map(item_rows, items) for r in got]
    for by in args.by.split(","):
        print(table(rows, by))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
