"""Who plays: the voice-or-instrument decision of ``auto`` on every item of the chosen sets.

``python -m benchmarks.routing [--sets real-clips,vocadito,ssvd,ssvd-scores,rendered,held-out,varied]``

Prints, per item, the tuning's steadiness, the share of the pitch motion made in jumps
(:func:`transcribe.profiles.jump_share`), the score they make together (steadiness +
:data:`~transcribe.profiles.JUMP_WEIGHT` x jump share) and the decision
(:attr:`transcribe.profiles.Performer.instrument`), then per set how many items go each way and the
range of the measures. Every sung item should go the voice way, every instrument the instrument way.
``varied`` is the generated set the line between them was chosen on (``--varied-seed``, built by
``python -m benchmarks.build_rendered --seed 5 --variation varied`` if missing). With ``varied`` and
at least one sung set, it also prints, for a few weights of the jump share, the margin between
the highest sung score and the lowest ``varied`` one and its midpoint: the shipped
:data:`~transcribe.profiles.JUMP_WEIGHT` and :data:`~transcribe.profiles.INSTRUMENT_MIN_SCORE`
are the weight with the widest margin among them (0.5: sung at most 0.544, varied at least 0.684)
and a threshold inside that margin, near its midpoint (0.614; shipped 0.62).
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks.datasets import Item, load_rendered, load_sets
from transcribe import audio as audio_io
from transcribe import gating, pitch, profiles
from transcribe.config import Options

SUNG_SETS = ("ssvd", "ssvd-scores", "vocadito")
ALL_SETS = "real-clips,vocadito,ssvd,ssvd-scores,rendered,held-out,varied"


def performer_of(path: str, opts: Options) -> profiles.Performer:
    """The evidence :func:`transcribe.transcribe` decides on, computed the same way."""
    audio = audio_io.load(path, sr=pitch.sample_rate(opts.pitch))
    raw = pitch.estimate(audio, backend=opts.pitch, fmin_hz=opts.pitch_range_hz[0], fmax_hz=opts.pitch_range_hz[1])
    sure = gating.voiced_mask(
        raw, confidence=opts.voicing_threshold, loudness_floor_db=opts.loudness_floor_db, hysteresis=opts.voicing_hysteresis
    )
    return profiles.Performer.measure(raw, gating.bridge_gaps(raw, sure, max_gap_s=opts.max_gap_s))


def score(who: profiles.Performer) -> float:
    """The line :attr:`transcribe.profiles.Performer.instrument` draws for an unsteady tuning."""
    return who.tuning.steadiness + profiles.JUMP_WEIGHT * who.jump_share


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=ALL_SETS)
    ap.add_argument("--pitch", default="swift")
    ap.add_argument("--seed", type=int, default=0, help="seed of the rendered set")
    ap.add_argument("--varied-seed", type=int, default=5, help="seed of the varied generated set")
    ap.add_argument("--quiet", action="store_true", help="only the per-set summary")
    args = ap.parse_args(argv)
    opts = Options.from_kwargs(pitch=args.pitch)
    by_set: dict[str, list[tuple[str, profiles.Performer]]] = {}
    names = args.sets.split(",")
    items: list[Item] = load_sets([n for n in names if n != "varied"], seed=args.seed, n_rendered=48, limit=None, jobs=1)
    if "varied" in names:
        items += load_rendered(args.varied_seed, 48, 1, variation="varied", name="varied")
    for item in items:
        who = performer_of(str(item.audio), opts)
        by_set.setdefault(item.set, []).append((item.id, who))
        if not args.quiet:
            kind = "instrument" if who.instrument else "voice"
            line = f"steadiness {who.tuning.steadiness:.3f}  jumps {who.jump_share:.3f}  score {score(who):.3f}  -> {kind}"
            print(f"{item.set:12s} {item.id:36s} {line}", flush=True)
    print("\n| set | items | instrument | voice | steadiness | jump share | score | expected |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rows in by_set.items():
        inst = sum(w.instrument for _, w in rows)
        st = np.array([w.tuning.steadiness for _, w in rows])
        js = np.array([w.jump_share for _, w in rows])
        sc = np.array([score(w) for _, w in rows])
        expected = "voice" if name in SUNG_SETS else "instrument"
        ranges = f"{st.min():.2f}-{st.max():.2f} | {js.min():.2f}-{js.max():.2f} | {sc.min():.2f}-{sc.max():.2f}"
        print(f"| {name} | {len(rows)} | {inst} | {len(rows) - inst} | {ranges} | {expected} |")
    sung = [w for name in SUNG_SETS for _, w in by_set.get(name, [])]
    varied = [w for _, w in by_set.get("varied", [])]
    if sung and varied:
        print("\n| jump weight | highest sung score | lowest varied score | margin | midpoint |")
        print("|---|---|---|---|---|")
        for weight, top, low in margins(sung, varied):
            print(f"| {weight:.2f} | {top:.3f} | {low:.3f} | {low - top:.3f} | {(top + low) / 2:.3f} |")
    return 0


def margins(sung: list[profiles.Performer], varied: list[profiles.Performer]) -> list[tuple[float, float, float]]:
    """For each weight in 0.25, 0.5, 0.75, 1.0: the highest sung and the lowest varied score
    ``steadiness + weight * jump_share``."""
    out = []
    for weight in (0.25, 0.5, 0.75, 1.0):
        top = max(w.tuning.steadiness + weight * w.jump_share for w in sung)
        low = min(w.tuning.steadiness + weight * w.jump_share for w in varied)
        out.append((weight, top, low))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
