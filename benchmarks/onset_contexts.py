"""Which instrument onsets are found, by what comes before them:
``python -m benchmarks.onset_contexts [--sets held-out] [--seed 0] [--variation fluidr3]``.

Runs the shipped transcriber (SwiftF0, default options) on rendered or real instrument sets and
matches its onsets to the true ones as the benchmark's onsets-alone F1 does (mir_eval, 50 ms,
pitch ignored). Every true note is put in one context (:func:`onset_context`): the first note,
a note after a rest, a repeated note (the pitch of the note before it, no rest between: only the
level and the spectrum show it) or a step to another pitch. Prints, per context and per
instrument, how many true onsets were found, and how many of ours match none; then the repeats
by the silence the player left before them (:func:`repeat_gap`). Nothing is fitted.
"""

from __future__ import annotations

import argparse
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from multiprocessing import Pool
from typing import TypeVar

from benchmarks import metrics
from benchmarks.datasets import Item, load_sets
from benchmarks.systems import run_ours

#: A note starting more than this after the one before it ends (seconds) follows a rest.
REST_S = 0.1
CONTEXTS = ("first", "after_rest", "repeat", "step")
#: A repeat's gap (from the note before it ends to its onset, seconds) falls in the first of these
#: classes whose upper edge it is under (the last edge is :data:`REST_S`).
GAPS: tuple[tuple[str, float], ...] = (("none", 0.005), ("under 30 ms", 0.03), ("30-60 ms", 0.06), ("60-100 ms", REST_S + 1e-9))
T = TypeVar("T")

Span = tuple[float, float, float]  # onset_s, offset_s, pitch (MIDI)


def onset_context(ref: Sequence[Span], i: int) -> str:
    """The context of true note ``i`` of ``ref`` (sorted by onset): one of :data:`CONTEXTS`."""
    if i == 0:
        return "first"
    onset, _, pitch = ref[i]
    _, prev_end, prev_pitch = ref[i - 1]
    if onset - prev_end > REST_S:
        return "after_rest"
    return "repeat" if round(prev_pitch) == round(pitch) else "step"


def repeat_gap(ref: Sequence[Span], i: int) -> str:
    """The class in :data:`GAPS` of the silence before true note ``i`` of ``ref``, a repeat
    (:func:`onset_context`)."""
    gap = ref[i][0] - ref[i - 1][1]
    return next(name for name, edge in GAPS if gap < edge)


def found_by_context(ref: Sequence[Span], est_onsets_s: Sequence[float]) -> tuple[Counter, Counter, int]:
    """Per context, the true notes and those whose onset one of ``est_onsets_s`` matches (one to
    one, :func:`benchmarks.metrics.onset_pairs`), and how many estimated onsets match none. The
    repeats are counted once more under ``("repeat", gap)``, gap their :func:`repeat_gap`."""
    ref = sorted(ref)
    pairs = metrics.onset_pairs([a for a, _, _ in ref], est_onsets_s)
    hit = {i for i, _ in pairs}
    total, found = Counter(), Counter()
    for i in range(len(ref)):
        ctx = onset_context(ref, i)
        keys = [ctx, ("repeat", repeat_gap(ref, i))] if ctx == "repeat" else [ctx]
        for key in keys:
            total[key] += 1
            found[key] += i in hit
    return total, found, len(est_onsets_s) - len(pairs)


def _one(item: Item) -> tuple[str, Counter, Counter, int]:
    warnings.simplefilter("ignore")
    pred = run_ours(item, "swift")
    instrument = item.truth["instrument"] if item.truth else item.id
    return (instrument, *found_by_context(item.refs[0].notes, [n[0] for n in pred.notes]))


def _row(name: str, total: Counter, found: Counter, false: int) -> str:
    cells = [f"{found[c]} / {total[c]} ({found[c] / total[c]:.2f})" if total[c] else "–" for c in CONTEXTS]
    return f"| {name} | " + " | ".join(cells) + f" | {false} |"


def run_on_instrument_sets(
    prog: str, description: str, argv: list[str] | None, one: Callable[[Item], T]
) -> tuple[list[str], int, list[T]] | None:
    """``one`` of every item of the instrument sets a diagnosis script's command line names
    (``--sets``, ``--seed``, ``--variation``, ``--jobs``; rendered sets built if missing), in a pool
    of worker processes: the sets' names, the number of items and ``one``'s results in item order.
    ``None`` (after saying so) when the sets hold no item."""
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("--sets", default="held-out", help="comma list of rendered, held-out, real-clips")
    ap.add_argument("--seed", type=int, default=0, help="seed of the rendered set")
    ap.add_argument("--variation", default="fluidr3", help="variation of the rendered set")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    sets = [s.strip() for s in a.sets.split(",") if s.strip()]
    if not set(sets) <= {"rendered", "held-out", "real-clips"}:
        ap.error("--sets takes rendered, held-out and real-clips (instrument sets)")
    items = load_sets(sets, seed=a.seed, n_rendered=48, limit=None, jobs=a.jobs, variation=a.variation)
    if not items:
        print("no items to run")
        return None
    with Pool(a.jobs) as pool:
        return sets, len(items), pool.map(one, items)


def main(argv: list[str] | None = None) -> int:
    run = run_on_instrument_sets("python -m benchmarks.onset_contexts", __doc__.split("\n\n")[0], argv, _one)
    if run is None:
        return 1
    sets, n_items, got = run
    header = "| | " + " | ".join(c.replace("_", " ") for c in CONTEXTS) + " | ours matching none |"
    print(f"{', '.join(sets)}: {n_items} items; true onsets found (50 ms, pitch ignored)\n")
    print(header)
    print("|" + "---|" * (len(CONTEXTS) + 2))
    by: dict[str, tuple[Counter, Counter, int]] = {}
    for instrument, total, found, false in got:
        t, f, n = by.get(instrument, (Counter(), Counter(), 0))
        by[instrument] = (t + total, f + found, n + false)
    for instrument in sorted(by):
        print(_row(instrument, *by[instrument]))
    all_total = sum((t for t, _, _ in by.values()), Counter())
    all_found = sum((f for _, f, _ in by.values()), Counter())
    print(_row("**all**", all_total, all_found, sum(n for _, _, n in by.values())))
    print("\nRepeats by the silence before them (from the note before's end), found / true:\n")
    print("| " + " | ".join(name for name, _ in GAPS) + " |")
    print("|" + "---|" * len(GAPS))
    cells = [(all_found[("repeat", name)], all_total[("repeat", name)]) for name, _ in GAPS]
    print("| " + " | ".join(f"{f} / {t} ({f / t:.2f})" if t else "–" for f, t in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
