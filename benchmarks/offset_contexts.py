"""Where instrument offsets go wrong, by what follows the note:
``python -m benchmarks.offset_contexts [--sets held-out] [--seed 0] [--variation fluidr3]``.

Runs the shipped transcriber (SwiftF0, default options) on rendered or real instrument sets and
takes the true notes COnP matches (mir_eval, onset 50 ms, pitch 50 cents, offsets ignored). A
matched note's offset is right within mir_eval's offset tolerance (the larger of 50 ms and 20 %
of the true note's length), else late or early; each wrong one is put in one cause
(:func:`offset_cause`) by what follows the true note: a repeat of its pitch that ours runs into
(a merged repeat), a rest ours rings through, a step to another pitch, or the end. Prints the
counts per cause and instrument. (COnPOff matches notes afresh with their offsets; a note right
here is one it can match.) Nothing is fitted.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence

from benchmarks import metrics
from benchmarks.datasets import Item
from benchmarks.onset_contexts import run_on_instrument_sets
from benchmarks.systems import run_ours

#: mir_eval's offset tolerance: the larger of this (seconds) and :data:`OFFSET_SHARE` of the true length.
OFFSET_MIN_S, OFFSET_SHARE = 0.05, metrics.OFFSET_RATIO
#: A true note starting more than this after the one before it ends (seconds) follows a rest.
REST_S = 0.02
CAUSES = (
    "right",
    "late: into a repeat",  # ours runs past the onset of the next true note, of the same pitch
    "late: through a rest",  # ours runs on into the silence after the true note
    "late: into a step",  # ours runs past the onset of the next true note, of another pitch
    "late: the last note",
    "early: before a step",  # ours ends early where the next true note follows without a rest
    "early: before a rest",
    "early: the last note",
)

Span = tuple[float, float, float]  # onset_s, offset_s, pitch (MIDI)


def offset_cause(ref: Sequence[Span], i: int, est_offset_s: float) -> str:
    """The cause (one of :data:`CAUSES`) of the offset ``est_offset_s`` of our note matched to true
    note ``i`` of ``ref`` (sorted by onset)."""
    onset, offset, pitch = ref[i]
    err = est_offset_s - offset
    if abs(err) <= max(OFFSET_MIN_S, OFFSET_SHARE * (offset - onset)):
        return "right"
    last = i + 1 == len(ref)
    if err > 0:
        if last:
            return "late: the last note"
        next_onset, _, next_pitch = ref[i + 1]
        if est_offset_s <= next_onset + REST_S:
            return "late: through a rest"
        return "late: into a repeat" if round(next_pitch) == round(pitch) else "late: into a step"
    if last:
        return "early: the last note"
    return "early: before a rest" if ref[i + 1][0] - offset > REST_S else "early: before a step"


def causes(ref: Sequence[Span], est: Sequence[Span]) -> Counter:
    """Per cause, the true notes of ``ref`` that one of ``est`` matches the way COnP does."""
    ref, est = sorted(ref), sorted(est)
    return Counter(offset_cause(ref, i, est[j][1]) for i, j in metrics.matched_pairs(ref, est))


def _one(item: Item) -> tuple[str, Counter]:
    warnings.simplefilter("ignore")
    pred = run_ours(item, "swift")
    instrument = item.truth["instrument"] if item.truth else item.id
    return instrument, causes(item.refs[0].notes, pred.notes)


def _row(name: str, counts: Counter) -> str:
    n = sum(counts.values())
    cells = [f"{counts[c]} ({counts[c] / n:.2f})" if n else "–" for c in CAUSES]
    return f"| {name} | {n} | " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    run = run_on_instrument_sets("python -m benchmarks.offset_contexts", __doc__.split("\n\n")[0], argv, _one)
    if run is None:
        return 1
    sets, n_items, got = run
    by: dict[str, Counter] = {}
    for instrument, counts in got:
        by[instrument] = by.get(instrument, Counter()) + counts
    print(f"{', '.join(sets)}: {n_items} items; true notes matched by COnP, by their offset\n")
    print("| | matched | " + " | ".join(CAUSES) + " |")
    print("|" + "---|" * (len(CAUSES) + 2))
    for instrument in sorted(by):
        print(_row(instrument, by[instrument]))
    print(_row("**all**", sum(by.values(), Counter())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
