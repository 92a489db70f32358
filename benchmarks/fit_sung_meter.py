"""Fit the bar count, phrase frame, tie and syncopation prices of a voice's meter
(``transcribe/models/sung_meter.npz``) on ssvd-scores, cross-validated by exercise.

``python -m benchmarks.fit_sung_meter [--write] [--out PATH] [--pauses-only]`` (~7 min: transcribes the 40 recordings once;
the first run also loads the meter model's corpus tunes, ~3 min, cached).
With the shipped ``sung_rhythm.npz`` fixed, the knobs of the meter read again on the followed
beat's written values (``rhythm.TempoFollow``) are chosen in four stages. Stage 1, by the page
measures (the mean of written durations and time signature, as ``fit_sung_rhythm``):
``bars_price``, how much a reading is marked down for giving the tune a bar count that folk
songs rarely have (``rhythm.meter.bar_count_cost`` of :func:`bar_log_share`, counted over the Essen
tunes of the meter model's sample and stored in the model file), and ``frame_price``, the bonus of
a reading and downbeat that start the tune on a downbeat and end it on a bar line
(``rhythm.meter.phrase_frame``), with ``level_weight``, how much the notes' levels count in that
reading, fixed at 0 (``--level-weights`` fits it; a singer's printed downbeats are sung no louder
than the other notes, which ``--downbeat-levels`` prints); of points that score alike, the one
with the best downbeat F1 (below).
Stage 2, with those fixed, by the mean of written durations and the downbeat F1
(:func:`downbeat_f1`: our notes on a downbeat against the printed notes they sing):
``tie_price``, the price of a note crossing a bar line when the values are read again with the
place in the bar tracked (``rhythm.follow_beats_in_bars``), with ``sync_price``, the price of a
syncopation there (``rhythm.syncopated``). Stage 3, with those fixed, by the same
objective: how a note ended by silence is written (``rest_gap_beats``, the silence from which a
note is written by its held length and a rest, instead of filling the interval to the next
onset; ``held_stretch``, the factor its held length is read with). Stage 4, with those fixed, by
the mean of all four measures (written durations, time signature, the share of recordings written
at the printed tempo level, i.e. the duration factor 1, and the downbeat F1): ``min_bpm``, the
slowest tempo a take is written at (a slower reading is written at twice the tempo,
``rhythm.level.at_double_tempo``). Stage 5, with those fixed, by the mean of written durations
and the downbeat F1: how a pause between phrases is read (``pause_beats``, the silence from which
an interval is a pause, read as any whole or half number of beats at the timing SD ``pause_sd``;
``restart_bonus``, the bonus of a pause that brings the next phrase to the first onset's place in
the bar; ``rhythm.follow_beats_in_bars``). Five folds split by
EXERCISE (seeded, as ``fit_intonation``): the stages chosen on four folds, scored on the fifth.
``--write`` stores the all-data choice with the fold figures.

``--pauses-only`` fits stage 5 alone, the other knobs as the shipped file stores them (rerun whole
on today's notes, the procedure moves the earlier stages to points that cost the songs no fit
sees: transcribe/models/README.md), five folds by exercise, and with ``--write`` stores its choice.
``--downbeat-levels`` instead prints how much louder the printed downbeats are sung (ships nothing).
``--duple`` instead measures (and ships nothing) two cues for 2/4 against 4/4 on the written rhythm
the shipped models give: the bar's length in seconds and the notes a bar holds (:func:`duple_reading`),
each applied two ways, its threshold chosen on four folds and scored on the fifth.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from fractions import Fraction

import numpy as np

import transcribe
from benchmarks import metrics
from benchmarks.datasets import Item, find_shared, load_ssvd_scores
from benchmarks.fit_intonation import exercise_folds, fold_choices
from benchmarks.fit_meter import SHIPPED_SAMPLE, training_tunes
from benchmarks.model_files import provenance, write_model
from benchmarks.rendered.corpus import Melody
from transcribe import models, rhythm
from transcribe.pipeline import note_peaks_db

#: Stage 1: the price of a rare length in bars (``rhythm.bar_count_cost`` of :func:`bar_log_share`).
BARS_PRICES = (0.0, 0.5, 1.0, 2.0, 4.0)
#: The longest tune the bar-count table tells apart (bars; a longer one counts as this long).
MAX_BARS = 64
FRAME_PRICES = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)
#: Stage 1, with those: how much the notes' levels count in the meter read again
#: (``rhythm.TempoFollow.level_weight``). Fixed at 0 by measurement (``--downbeat-levels``: the
#: printed downbeats are sung no louder than the other notes); ``--level-weights 0,0.5,1`` fits it.
LEVEL_WEIGHTS = (0.0,)
TIE_PRICES = (0.0, 0.5, 1.0, 2.0, 4.0)
#: Stage 2, with the tie price: the price of a syncopation (``rhythm.TempoFollow.sync_price``).
SYNC_PRICES = (0.0, 0.5, 1.0, 2.0, 4.0)
#: The stage-2 grid: a tie price of 0 leaves the values unread with the place in the bar, and
#: with them the syncopations, so it pairs with a syncopation price of 0 only.
TIE_SYNC_PRICES = tuple((t, y) for t in TIE_PRICES for y in SYNC_PRICES if t > 0 or y == 0)
#: Stage 3: the silence (beats) from which a note is written by its held length and a rest
#: (0: never), and the factor its held length is read with.
REST_GAPS = (0.0, 0.75, 1.0, 1.25, 1.5)
HELD_STRETCHES = (1.0, 1.15, 1.3, 1.5)
#: Stage 4: the slowest quarter-note tempo a take is written at (a slower reading is written at
#: twice the tempo, ``rhythm.level``); 0: never.
MIN_BPMS = (0.0, 40.0, 45.0, 50.0, 55.0, 60.0)
#: Stage 5: the silence (beats) from which an interval is a pause between phrases (0: never), the
#: timing SD of a pause, and the bonus of a pause that brings the next phrase to the first's place.
PAUSE_BEATS = (0.0, 1.0, 1.5, 2.0)
PAUSE_SDS = (0.3, 0.5)
RESTART_BONUSES = (1.0, 3.0, 6.0)
#: The stage-5 grid: with no pauses the other two do nothing, so they pair with 0 at one point.
PAUSE_POINTS = (
    (0.0, rhythm.TempoFollow.pause_sd, 0.0),
    *((b, sd, r) for b in PAUSE_BEATS if b > 0 for sd in PAUSE_SDS for r in RESTART_BONUSES),
)
#: The thresholds :func:`duple_reading` is tried with: seconds for the cue ``"bar_s"``, notes for
#: ``"notes_per_bar"`` (log-spaced).
DUPLE_THRESHOLDS = {
    "bar_s": tuple(float(x) for x in np.round(np.exp(np.linspace(np.log(1.0), np.log(5.0), 33)), 3)),
    "notes_per_bar": tuple(float(x) for x in np.round(np.exp(np.linspace(np.log(1.5), np.log(8.0), 30)), 3)),
}


def knobs(follow: rhythm.TempoFollow) -> tuple[float, ...]:
    """The knobs of ``follow`` this script fits, in the model file's order (``rhythm.SUNG_METER_PARAMS``).
    A search point is the follow stage itself (``rhythm.TempoFollow``), whose defaults leave every
    one of them off."""
    return tuple(float(getattr(follow, name)) for name in rhythm.SUNG_METER_PARAMS)


def duple_reading(
    time_signature: str, quarter_s: float, notes: int, length_q: float, *, cue: str, way: str, threshold: float
) -> tuple[str, Fraction]:
    """Two or four quarters a bar for a take written in 2/4 or 4/4, from one cue; an experiment
    of ``--duple`` (issue 23), not used by the tool.

    ``cue`` is ``"bar_s"`` (a bar's length in seconds, ``quarter_s`` a written quarter) or
    ``"notes_per_bar"`` (``notes`` over ``length_q`` written quarters, times the bar).
    ``way`` ``"regroup"`` keeps the written values and takes the bar of 2 or 4 quarters whose cue
    is nearer ``threshold`` (in log); ``"relabel"`` keeps the bar lines and writes 4/4 when the
    bar's cue exceeds ``threshold``, else 2/4, the values scaled to fill it. Returns the time
    signature and the factor the written values are multiplied by; any other meter is returned
    as it is, with factor 1.
    """
    if time_signature not in ("2/4", "4/4"):
        return time_signature, Fraction(1)
    per_q = quarter_s if cue == "bar_s" else notes / max(length_q, 1.0)
    if way == "regroup":
        m = 4 if abs(math.log(4 * per_q / threshold)) < abs(math.log(2 * per_q / threshold)) else 2
        return f"{m}/4", Fraction(1)
    now = int(time_signature[0])
    m = 4 if now * per_q > threshold else 2
    return f"{m}/4", Fraction(m, now)


def duple_report(takes: list, folds: np.ndarray, base: rhythm.SungRhythm) -> None:
    """``--duple``: time signature and written durations, all recordings and held out by exercise,
    for each cue and way of :func:`duple_reading` against the shipped rhythm."""
    written = []
    for _, notes, accent, _ in takes:
        written.append(rhythm.analyze(notes, accent_db=accent, written_as=base))

    def measured(j: int, ts: str, factor: Fraction) -> tuple[float, float]:
        it, notes, _, key = takes[j]
        got = [(n.onset_s, q * factor, n.midi) for n, q in zip(notes, written[j].durations_q)]
        page = metrics.page_scores(got, key, ts, it.page)
        return page["ts_right"], page["dur_right"]

    shipped = np.array([measured(j, rh.time_signature, Fraction(1)) for j, rh in enumerate(written)])
    print(f"shipped: time sig {shipped[:, 0].mean():.3f} durations {shipped[:, 1].mean():.3f}")
    for cue, thresholds in DUPLE_THRESHOLDS.items():
        for way in ("regroup", "relabel"):
            scores = []
            for t in thresholds:
                row = []
                for j, rh in enumerate(written):
                    length_q = float(rh.onsets_q[-1] + rh.durations_q[-1] - rh.pickup_q)
                    ts, factor = duple_reading(rh.time_signature, 60.0 / rh.bpm, len(rh.onsets_q), length_q, cue=cue, way=way, threshold=t)
                    row.append(measured(j, ts, factor))
                scores.append(row)
            s = np.array(scores)
            held, chosen = np.zeros(2), []
            for _, best, test in fold_choices(s, folds):
                held += s[best, test].sum(axis=0)
                chosen.append(thresholds[best])
            top = int(np.argmax(s[:, :, 0].mean(axis=1)))
            print(
                f"{cue} {way}: held out time sig {held[0] / len(written):.3f} durations {held[1] / len(written):.3f}"
                f" (folds chose {chosen}); all 40 at its best threshold {thresholds[top]:g}: time sig"
                f" {s[top, :, 0].mean():.3f} durations {s[top, :, 1].mean():.3f}"
            )


def printed_matches(item: Item, onsets_s: list[float]) -> list[tuple[int, bool]]:
    """Our notes matched to the labelled notes by onset (50 ms, as the benchmark's page measures),
    each label placed in the print by its alignment row: ``(our note's index, whether the print
    puts it on a downbeat)``, for the matched notes the alignment places (``PageTruth.on_bar_line``)."""
    places = item.page.on_bar_line
    pairs = metrics.onset_pairs([a for a, _, _ in item.page.label_notes], onsets_s)
    return [(ei, bool(places[ri])) for ri, ei in pairs if places[ri] is not None]


def downbeat_f1(item: Item, onsets_s: list[float], on_downbeat: list[bool]) -> float:
    """F1 of our notes on a downbeat against the printed notes they sing (:func:`printed_matches`);
    1 when neither side has a downbeat among the matched notes."""
    if not item.page.label_notes or not onsets_s:
        return 0.0
    labels = [a for a, _, _ in item.page.label_notes]
    return metrics.bar_line_f1_by_onset(labels, item.page.on_bar_line, onsets_s, on_downbeat)


def take_measures(take: tuple, written_as: rhythm.SungRhythm) -> np.ndarray:
    """Written durations, time signature, whether the take is written at the printed tempo level
    and the downbeat F1 of one take ``(item, notes, note levels, key)`` written ``written_as``."""
    it, notes, accent, key = take
    rh = rhythm.analyze(notes, accent_db=accent, written_as=written_as)
    page = metrics.page_scores([(n.onset_s, q, n.midi) for n, q in zip(notes, rh.durations_q)], key, rh.time_signature, it.page)
    f1 = downbeat_f1(it, [n.onset_s for n in notes], metrics.on_bar_lines(rh))
    return np.array([page["dur_right"], page["ts_right"], float(page["dur_scale"] == 1.0), f1])


def with_pauses(
    point: rhythm.TempoFollow,
    pause_beats: float = rhythm.TempoFollow.pause_beats,
    pause_sd: float = rhythm.TempoFollow.pause_sd,
    restart_bonus: float = rhythm.TempoFollow.restart_bonus,
) -> rhythm.TempoFollow:
    """``point`` with stage 5's knobs given (by default ``TempoFollow``'s own: no pauses between
    phrases)."""
    return dataclasses.replace(point, pause_beats=pause_beats, pause_sd=pause_sd, restart_bonus=restart_bonus)


def fit_pauses(takes: list, folds: np.ndarray, argv: list[str] | None, *, write: bool, out: str | None) -> None:
    """``--pauses-only``: stage 5 alone on the shipped file's other knobs (the whole procedure,
    rerun on today's notes, moves the earlier stages' choices to points that cost the songs no fit
    sees, transcribe/models/README.md), five folds by exercise; ``write`` stores the all-data choice
    with those knobs."""
    shipped = rhythm.SungRhythm.load()
    assert shipped.follow is not None
    tried = [with_pauses(shipped.follow, b, sd, r) for b, sd, r in PAUSE_POINTS]
    scores = np.array([[take_measures(t, dataclasses.replace(shipped, follow=p)) for t in takes] for p in tried])
    by = scores[:, :, [0, 3]]  # written durations and downbeat F1
    names = ("durations", "time_sig", "tempo_level", "downbeat_f1")
    held = np.zeros(scores.shape[1:])
    cv: dict[str, list[float]] = {m: [] for m in names}
    for k, b, test in fold_choices(by, folds):
        held[test] = scores[b, test]
        for m, v in zip(names, scores[b, test].mean(axis=0)):
            cv[m].append(float(v))
        got = " ".join(f"{m} {v:.3f}" for m, v in zip(names, scores[b, test].mean(axis=0)))
        off = " / ".join(f"{v:.3f}" for v in scores[0, test].mean(axis=0))
        print(f"fold {k}: {got} (no pauses: {off}) chosen {PAUSE_POINTS[b]}")
    print("held out, all folds:", " ".join(f"{m} {v:.4f}" for m, v in zip(names, held.mean(axis=0))))
    print("no pauses, all folds:", " ".join(f"{m} {v:.4f}" for m, v in zip(names, scores[0].mean(axis=0))))
    for (pb, sd, r), sc in zip(PAUSE_POINTS, scores.mean(axis=1)):
        print(
            f"  all 40 at pause_beats {pb:g}, pause_sd {sd:g}, restart_bonus {r:g}: " + " ".join(f"{m} {v:.4f}" for m, v in zip(names, sc))
        )
    best = tried[int(np.argmax(by.mean(axis=(1, 2))))]
    print("best on all recordings:", ", ".join(f"{n} {v:g}" for n, v in zip(rhythm.SUNG_METER_PARAMS, knobs(best))))
    if write:
        stored = models.load(rhythm.SUNG_METER_MODEL)
        prov = provenance(
            "benchmarks.fit_sung_meter",
            argv,
            seeds="exercise folds: numpy default_rng(0) permutation of the 21 exercises (as fit_intonation)",
            data="ssvd-scores (40 recordings, 21 exercises), this tool's notes, sung_rhythm.npz fixed; stage 5 only,"
            " the other knobs and bar_log_share as the file before stored them (" + stored.provenance.get("data", "") + ")",
            held_out="five folds by exercise: " + ", ".join(f"{m} {v:.3f}" for m, v in zip(names, held.mean(axis=0))),
        )
        arrays = {
            "params": np.array(knobs(best), dtype=float),
            "bar_log_share": np.asarray(stored.arrays["bar_log_share"]),
            **{f"cv.{m}": np.array(v) for m, v in cv.items()},
        }
        write_model("sung_meter", out, arrays=arrays, names={"features": rhythm.SUNG_METER_PARAMS}, prov=prov)


def bar_log_share(tunes: list[Melody]) -> np.ndarray:
    """Per whole number of bars, 0 to :data:`MAX_BARS`, the log share of ``tunes`` that long
    (add-one smoothed), 0 for the commonest length, shape (MAX_BARS + 1,). A tune's length runs
    from its first onset (a pickup's included) to the end of its last note."""
    counts = np.ones(MAX_BARS + 1)
    for mel in tunes:
        start = min(e.offset_q for e in mel.events)
        end = max(e.offset_q + e.duration_q for e in mel.events)
        counts[min(round(float((end - start) / mel.bar_q)), MAX_BARS)] += 1
    return np.log(counts / counts.max())


def downbeat_levels(takes: list) -> None:
    """``--downbeat-levels``: how much louder the notes the print puts on a downbeat are sung than
    the others, per take (:func:`printed_matches`; levels as the meter model reads them,
    ``rhythm.relative_levels``), in dB."""
    per_take, pooled = [], ([], [])
    for it, notes, accent, _ in takes:
        rel = rhythm.relative_levels(accent, np.array([n.midi for n in notes]), len(notes))
        on: list[float] = []
        off: list[float] = []
        for ei, down in printed_matches(it, [n.onset_s for n in notes]):
            (on if down else off).append(float(rel[ei]))
        if on and off:
            per_take.append(float(np.mean(on) - np.mean(off)))
            pooled[0].extend(on)
            pooled[1].extend(off)
    d = np.array(per_take)
    print(
        f"printed downbeats sung louder than the other notes, {len(d)} takes: median {np.median(d):+.2f} dB,"
        f" mean {d.mean():+.2f} dB, louder in {np.mean(d > 0):.0%} of takes;"
        f" pooled over {len(pooled[0])} + {len(pooled[1])} notes {np.mean(pooled[0]) - np.mean(pooled[1]):+.2f} dB"
    )


def best_then(goal: np.ndarray, then: np.ndarray) -> int:
    """The index of the highest ``goal`` (shape (points,)); of points whose ``goal`` ties with it
    (within 1e-9), the one with the highest ``then``; the first of those on a further tie."""
    tied = np.flatnonzero(goal >= goal.max() - 1e-9)
    return int(tied[np.argmax(then[tied])])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_sung_meter", description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="store the all-data best in transcribe/models/sung_meter.npz")
    ap.add_argument("--out", help="with --write: where to write the model file (default: the package's own)")
    ap.add_argument(
        "--level-weights",
        default=",".join(f"{v:g}" for v in LEVEL_WEIGHTS),
        help="comma list of the level weights stage 1 tries (default: %(default)s)",
    )
    ap.add_argument(
        "--bars-prices",
        default=",".join(f"{v:g}" for v in BARS_PRICES),
        help="comma list of the bar-count prices stage 1 tries (default: %(default)s)",
    )
    ap.add_argument("--downbeat-levels", action="store_true", help="print how loud printed downbeats are sung instead (ships nothing)")
    ap.add_argument("--duple", action="store_true", help="measure the 2/4-or-4/4 cues of duple_reading instead (ships nothing)")
    ap.add_argument(
        "--pauses-only",
        action="store_true",
        help="fit stage 5 alone (how a pause between phrases is read), the other knobs as the shipped file stores them",
    )
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        raise SystemExit("no shared data: set TRANSCRIBE_SHARED or provide ../shared")
    items = [it for it in load_ssvd_scores(shared) if it.page]
    base = rhythm.SungRhythm.load(meter_cue=a.duple)  # the shipped cues for --duple
    if base.follow is None:
        raise SystemExit("sung_rhythm.npz does not follow the beat: nothing to fit here")
    takes = []
    for it in items:
        res = transcribe.transcribe(str(it.audio))
        takes.append((it, res.notes, note_peaks_db(res.notes, res.raw_track), res.key))
    if a.downbeat_levels:
        downbeat_levels(takes)
        return 0
    if a.pauses_only:
        fit_pauses(takes, np.array(exercise_folds(items)), argv, write=a.write, out=a.out)
        return 0
    if a.duple:
        duple_report(takes, np.array(exercise_folds(items)), base)
        return 0
    # How long folk songs run, in bars: the Essen tunes the shipped meter model was fitted on
    # (none of them is sung by benchmarks.sung_pickups --songs).
    essen = [m for m in training_tunes(*SHIPPED_SAMPLE) if m.source == "essen"]
    share = bar_log_share(essen)
    base = dataclasses.replace(base, follow=dataclasses.replace(base.follow, bar_log_share=tuple(share)))
    unset = base.follow  # every knob fitted here at its default: off
    cache: dict[tuple[rhythm.TempoFollow, int], np.ndarray] = {}
    level_weights = [float(v) for v in a.level_weights.split(",") if v.strip()]
    bars_prices = [float(v) for v in a.bars_prices.split(",") if v.strip()]

    def measured(point: rhythm.TempoFollow, j: int) -> np.ndarray:
        """Durations, time signature, printed tempo level and downbeat F1 of take ``j``."""
        if (point, j) not in cache:
            cache[(point, j)] = take_measures(takes[j], dataclasses.replace(base, follow=point))
        return cache[(point, j)]

    # Stage 1: the meter's cues, by durations and time signature.
    points = [
        dataclasses.replace(unset, bars_price=b, frame_price=f, level_weight=v)
        for v in level_weights
        for b in bars_prices
        for f in FRAME_PRICES
    ]
    scores = np.array([[measured(p, j) for j in range(len(takes))] for p in points])
    for p, s in zip(points, scores.mean(axis=1)):
        got = f"durations {s[0]:.3f} time sig {s[1]:.3f} tempo level {s[2]:.3f} downbeat F1 {s[3]:.3f}"
        print(f"  all 40 at bars_price {p.bars_price:g}, frame_price {p.frame_price:g}, level_weight {p.level_weight:g}: {got}")
    folds = np.array(exercise_folds(items))

    def best_of(tried: list[rhythm.TempoFollow], train: np.ndarray, by: tuple[int, ...] = (0, 3)) -> rhythm.TempoFollow:
        """The point of ``tried`` best on the recordings ``train`` by the mean of the measures ``by``
        (indices into :func:`measured`; durations and downbeat F1)."""
        goal = [np.mean([measured(p, j)[list(by)].mean() for j in np.flatnonzero(train)]) for p in tried]
        return tried[int(np.argmax(goal))]

    def stage2(first: rhythm.TempoFollow, train: np.ndarray) -> rhythm.TempoFollow:
        """Stages 2 to 5: with the meter's cues fixed, the tie and syncopation prices, then how a
        note ended by silence is written, each by durations and downbeat F1; then the slowest
        tempo written, by all four measures (durations, time signature, tempo level, downbeat F1);
        then how a pause between phrases is read, by durations and downbeat F1."""
        second = best_of([dataclasses.replace(first, tie_price=t, sync_price=y) for t, y in TIE_SYNC_PRICES], train)
        third = best_of([dataclasses.replace(second, rest_gap_beats=g, held_stretch=h) for g in REST_GAPS for h in HELD_STRETCHES], train)
        fourth = best_of([dataclasses.replace(third, min_bpm=m) for m in MIN_BPMS], train, by=(0, 1, 2, 3))
        return best_of([with_pauses(fourth, b, sd, r) for b, sd, r in PAUSE_POINTS], train)

    def stage1(train: np.ndarray) -> int:
        """The stage-1 point best on the recordings ``train`` by durations and time signature; of
        points that score alike there (the phrase frame often moves bar lines only), the one
        with the best downbeat F1."""
        return best_then(scores[:, train, :2].mean(axis=2).mean(axis=1), scores[:, train, 3].mean(axis=1))

    report = []
    for k in range(int(folds.max()) + 1):
        test = folds == k
        chosen = stage2(points[stage1(folds != k)], folds != k)
        got = np.array([measured(chosen, j) for j in np.flatnonzero(test)]).mean(axis=0)
        off = np.array([measured(unset, j) for j in np.flatnonzero(test)]).mean(axis=0)
        # Stage 3 left off: notes ended by silence fill the interval, read as held.
        filled = np.array([measured(dataclasses.replace(chosen, rest_gap_beats=0.0, held_stretch=1.0), j) for j in np.flatnonzero(test)])
        filled = filled.mean(axis=0)
        # Stage 4 left off: every take written at the tempo it was read at.
        unfloored = np.array([measured(dataclasses.replace(chosen, min_bpm=0.0), j) for j in np.flatnonzero(test)]).mean(axis=0)
        # Stage 5 left off: no pauses between phrases.
        no_pauses = np.array([measured(with_pauses(chosen), j) for j in np.flatnonzero(test)]).mean(axis=0)
        names = ("durations", "time_sig", "tempo_level", "downbeat_f1")
        report.append(
            {
                "recordings": int(test.sum()),
                **dict(zip(names, got)),
                **{f"off_{m}": v for m, v in zip(names, off)},
                "filled_durations": filled[0],
                **{f"unfloored_{m}": v for m, v in zip(names, unfloored)},
                **{f"no_pauses_{m}": v for m, v in zip(names, no_pauses)},
            }
        )
        print(
            f"fold {k}: "
            + " ".join(f"{m} {v:.3f}" for m, v in zip(names, got))
            + f" (off: {off[0]:.3f} / {off[1]:.3f} / {off[3]:.3f}; stage 3 off: durations {filled[0]:.3f};"
            + f" stage 4 off: {' / '.join(f'{v:.3f}' for v in unfloored)};"
            + f" stage 5 off: {' / '.join(f'{v:.3f}' for v in no_pauses)}) chosen {knobs(chosen)}"
        )
    w = np.array([r["recordings"] for r in report], dtype=float)
    measures = [m for m in report[0] if m != "recordings"]
    held = {m: float(sum(r[m] * n for r, n in zip(report, w)) / w.sum()) for m in measures}
    print("held out, all folds:", {m: round(v, 3) for m, v in held.items()})
    everyone = np.ones(len(takes), dtype=bool)
    best = stage2(points[stage1(everyone)], everyone)
    for t, y in TIE_SYNC_PRICES:
        at = with_pauses(dataclasses.replace(best, tie_price=t, sync_price=y, rest_gap_beats=0.0, held_stretch=1.0, min_bpm=0.0))
        s = np.array([measured(at, j) for j in range(len(takes))]).mean(axis=0)
        got = f"durations {s[0]:.3f} time sig {s[1]:.3f} downbeat F1 {s[3]:.3f}"
        print(f"  all 40 at {best.bars_price:g}, {best.frame_price:g}, tie_price {t:g}, sync_price {y:g}: {got}")
    for g in REST_GAPS:
        for h in HELD_STRETCHES:
            at = with_pauses(dataclasses.replace(best, rest_gap_beats=g, held_stretch=h, min_bpm=0.0))
            s = np.array([measured(at, j) for j in range(len(takes))]).mean(axis=0)
            got = f"durations {s[0]:.4f} time sig {s[1]:.3f} downbeat F1 {s[3]:.3f}"
            print(f"  all 40 at {best.tie_price:g}, rest_gap_beats {g:g}, held_stretch {h:g}: {got}")
    for m in MIN_BPMS:
        s = np.array([measured(with_pauses(dataclasses.replace(best, min_bpm=m)), j) for j in range(len(takes))]).mean(axis=0)
        got = f"durations {s[0]:.3f} time sig {s[1]:.3f} tempo level {s[2]:.3f} downbeat F1 {s[3]:.3f}"
        print(f"  all 40 at held_stretch {best.held_stretch:g}, min_bpm {m:g}: {got}")
    for b, sd, r in PAUSE_POINTS:
        s = np.array([measured(with_pauses(best, b, sd, r), j) for j in range(len(takes))]).mean(axis=0)
        got = f"durations {s[0]:.4f} time sig {s[1]:.3f} tempo level {s[2]:.3f} downbeat F1 {s[3]:.4f}"
        print(f"  all 40 at min_bpm {best.min_bpm:g}, pause_beats {b:g}, pause_sd {sd:g}, restart_bonus {r:g}: {got}")
    print("best on all recordings:", ", ".join(f"{n} {v:g}" for n, v in zip(rhythm.SUNG_METER_PARAMS, knobs(best))))
    if a.write:
        prov = provenance(
            "benchmarks.fit_sung_meter",
            argv,
            seeds="exercise folds: numpy default_rng(0) permutation of the 21 exercises (as fit_intonation)",
            data="ssvd-scores (40 recordings, 21 exercises), this tool's notes, sung_rhythm.npz fixed;"
            f" bar counts of the {len(essen)} Essen tunes of the meter model's sample"
            f" (--tunes {SHIPPED_SAMPLE[0]} --seed {SHIPPED_SAMPLE[1]})",
            held_out="five folds by exercise: " + ", ".join(f"{m} {v:.3f}" for m, v in held.items()),
        )
        arrays = {
            "params": np.array(knobs(best), dtype=float),
            "bar_log_share": share,
            "cv.durations": np.array([r["durations"] for r in report]),
            "cv.time_sig": np.array([r["time_sig"] for r in report]),
            "cv.downbeat_f1": np.array([r["downbeat_f1"] for r in report]),
            "cv.tempo_level": np.array([r["tempo_level"] for r in report]),
        }
        write_model("sung_meter", a.out, arrays=arrays, names={"features": rhythm.SUNG_METER_PARAMS}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
