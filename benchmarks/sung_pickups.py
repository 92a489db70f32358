"""A voice's meter on songs with and without a pickup: ``python -m benchmarks.sung_pickups [options]``.

ssvd-scores' prints start on a downbeat in 19 of 21 exercises, so the sung meter fitted on them
(``sung_meter.npz``: its phrase frame prices a pickup) is never asked about songs that open
with one, as many of the songs people sing do. This script asks: it takes the corpus tunes of
the rendered sets (excerpts of 20-30 s cut at a bar line), or with ``--songs N`` N whole Essen
folk songs in simple time that no fitted model saw (:func:`song_truths`), notation known (time
signature, pickup, every note's place in the bar), sings each one in notes only
(:func:`sung_take`: a slower or faster tempo, a slow tempo drift, jittered onsets, notes let go
early), writes the rhythm the voice path writes (``rhythm.analyze`` with
``SungRhythm.load()``, optionally other frame prices), and prints, for the tunes with a pickup
and those without: the time signature right (2/2 counts as 4/4), the downbeat F1 (our notes on
a bar line against the tune's) and the share written with a pickup. No audio is read: the notes'
pitch and timing are given, so it measures the rhythm stage alone. Seeded.
"""

from __future__ import annotations

import argparse
import dataclasses
from fractions import Fraction
from typing import Any

import numpy as np

from benchmarks import metrics
from benchmarks.datasets import load_rendered
from benchmarks.fit_meter import essen_songs
from benchmarks.rendered.corpus import Melody
from transcribe import rhythm
from transcribe.types import Note, Rhythm

#: The rendered sets whose tunes are sung (seed, variation): every set the benchmark builds but the fast one.
SETS: tuple[tuple[int, str], ...] = ((0, "fluidr3"), (5, "varied"), (7, "hall-check"), (20, "held-out"))
#: Meters a voice's rhythm is written in by the followed beat (simple time).
SIMPLE = ("2/4", "3/4", "4/4", "2/2")
#: How a take is sung: quarter-note tempo drawn from this range (BPM), drift (share of the tempo,
#: a slow sine through the take), onset jitter (SD, seconds), share of each note held (of its
#: written value, at most the interval to the next onset).
TEMPO_BPM, DRIFT, JITTER_S, HELD = (60.0, 120.0), 0.06, 0.03, (0.75, 0.95)


@dataclasses.dataclass(frozen=True)
class Take:
    """One tune sung in notes: its name, printed meter and pickup (quarters), the sung notes and,
    per note, whether the print has it on a bar line."""

    name: str
    time_signature: str
    pickup_q: Fraction
    notes: tuple[Note, ...]
    on_downbeat: tuple[bool, ...]


def sung_take(truth: dict[str, Any], rng: np.random.Generator) -> Take:
    """The rendered tune ``truth`` (a rendered item's JSON) sung: its notes' score positions at a
    tempo drawn from :data:`TEMPO_BPM`, drifting by :data:`DRIFT` along a slow sine, each onset
    jittered by :data:`JITTER_S`, each note held a share :data:`HELD` of its written value or of
    the interval to the next onset, whichever is shorter (the last note half to 1.3 times its
    value)."""
    notes = truth["notes"]
    pos_q = np.array([float(Fraction(n["offset_q"])) for n in notes])
    dur_q = float(Fraction(notes[-1]["duration_q"]))
    quarter_s = 60.0 / rng.uniform(*TEMPO_BPM)
    span = max(pos_q[-1], 1.0)
    phase, cycles = rng.uniform(0.0, 2 * np.pi), rng.uniform(0.5, 1.5)
    rate = 1.0 + DRIFT * np.sin(2 * np.pi * cycles * pos_q / span + phase)
    steps = np.diff(pos_q) * quarter_s * rate[1:]
    onsets = 0.5 + np.append(0.0, np.cumsum(steps)) + rng.normal(0.0, JITTER_S, len(pos_q))
    onsets = np.maximum.accumulate(onsets + 1e-4 * np.arange(len(onsets)))
    ioi = np.append(np.diff(onsets), dur_q * quarter_s * rng.uniform(0.5, 1.3))
    value = np.array([float(Fraction(n["duration_q"])) for n in notes]) * quarter_s * rate
    held = np.minimum(ioi, np.append(value[:-1], ioi[-1])) * rng.uniform(*HELD, len(ioi))
    sung = tuple(Note(float(a), float(a + h), int(n["midi"])) for a, h, n in zip(onsets, held, notes, strict=True))
    down = tuple(Fraction(n["pos_in_bar_q"]) == 0 for n in notes)
    return Take(truth["id"], truth["time_signature"], Fraction(truth["pickup_q"]), sung, down)


def song_truths(n: int, *, jobs: int = 2) -> list[dict[str, Any]]:
    """``n`` whole Essen folk songs in simple time (:data:`SIMPLE`) as truth dicts of the shape
    :func:`sung_take` reads (the rendered items' JSON: ``notes`` with ``offset_q``,
    ``duration_q``, ``midi`` and ``pos_in_bar_q``; ``time_signature``, ``pickup_q``), from
    :func:`benchmarks.fit_meter.essen_songs` (none the meter model or a rendered set used)."""
    return [melody_truth(mel) for mel in essen_songs(n, simple=SIMPLE, jobs=jobs)]


def melody_truth(mel: Melody) -> dict[str, Any]:
    """A whole corpus melody as the truth dict :func:`sung_take` reads: its notes (rests left
    out) in quarters from the first onset, each with its place in the bar."""
    notes = [
        {
            "offset_q": str(e.offset_q + mel.pickup_q),
            "duration_q": str(e.duration_q),
            "midi": e.midi,
            "pos_in_bar_q": str(e.offset_q % mel.bar_q),
        }
        for e in mel.events
        if e.midi
    ]
    return {"id": mel.title, "time_signature": mel.time_signature, "pickup_q": str(mel.pickup_q), "notes": notes}


def downbeat_f1(rh: Rhythm, on_downbeat: tuple[bool, ...]) -> float:
    """F1 of our notes written on a bar line against the notes the print has on one."""
    return metrics.bar_line_f1(list(zip(metrics.on_bar_lines(rh), on_downbeat, strict=True)))


def measure(takes: list[Take], written_as: rhythm.SungRhythm, *, given_meter: bool = False) -> dict[str, np.ndarray]:
    """Per group (``"pickup"``, ``"none"``), rows of (time signature right, downbeat F1, written with
    a pickup), one per take; ``given_meter``: each take written in its own time signature, as a
    user who knows it gives it."""
    rows: dict[str, list[tuple[float, float, float]]] = {"pickup": [], "none": []}
    for take in takes:
        rh = rhythm.analyze(take.notes, time_signature=take.time_signature if given_meter else None, written_as=written_as)
        group = "pickup" if take.pickup_q else "none"
        meter_right = metrics.ts_right(rh.time_signature, take.time_signature)
        rows[group].append((meter_right, downbeat_f1(rh, take.on_downbeat), float(rh.pickup_q != 0)))
    return {k: np.array(v, dtype=float).reshape(-1, 3) for k, v in rows.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sung_pickups", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0, help="seed of the sung timing")
    ap.add_argument("--frame-prices", default="", help="comma list of phrase-frame prices to compare with the shipped one")
    ap.add_argument("--songs", type=int, default=0, help="sing this many whole Essen songs instead of the rendered sets' excerpts")
    ap.add_argument("--given-meter", action="store_true", help="give each take its time signature, as a user who knows it would")
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    if a.songs:
        truths = song_truths(a.songs)
        what = "whole Essen songs"
    else:
        truths = [it.truth for seed, variation in SETS for it in load_rendered(seed, variation=variation) if it.truth is not None]
        what = "corpus tunes"
    takes = [sung_take(t, rng) for t in truths if t["time_signature"] in SIMPLE]
    voice = rhythm.SungRhythm.load()
    assert voice.follow is not None
    prices = [voice.follow.frame_price] + [float(x) for x in a.frame_prices.split(",") if x.strip()]
    given = ", each in its time signature given" if a.given_meter else ""
    print(f"{len(takes)} {what} in simple time sung in notes, {sum(bool(t.pickup_q) for t in takes)} with a pickup (seed {a.seed}{given})")
    print("| frame price | tunes | n | time signature | downbeat F1 | written with a pickup |")
    print("|---|---|---|---|---|---|")
    for i, price in enumerate(prices):
        priced = dataclasses.replace(voice, follow=dataclasses.replace(voice.follow, frame_price=price))
        got = measure(takes, priced, given_meter=a.given_meter)
        label = f"{price:g}" + (" (shipped)" if i == 0 else "")
        for group, r in got.items():
            print(f"| {label} | {group} | {len(r)} | {r[:, 0].mean():.3f} | {r[:, 1].mean():.3f} | {r[:, 2].mean():.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
