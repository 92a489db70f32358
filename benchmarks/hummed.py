"""Hummed tunes: ``python -m benchmarks.hummed [--items 36] [--seed 3] [--jobs N] [--vibrato-st 0,0.5] [--songs] [--opt KEY=VALUE]``.

A hummed tune has no consonant to mark a note: a step to the next note is a glide of the pitch
with the level held, a repeated note a short dip of the level (the throat closing a moment), a
rest a breath. SSVD's singers sing syllables, so the sung-onset model never saw a tune moved by
its pitch alone. This synthesizes seeded hummed takes and scores the default transcription the
published way (mir_eval, onsets 50 ms, sung pitch within 50 cents, offsets with mir_eval's
defaults, mean over takes), and prints how many of the notes reached by a legato step (a new
pitch, no silence before it) and of the re-hummed repeats are found, by the size of the step.

Each take (:func:`take`): a melody walking a major scale (:func:`melody`: mostly steps of one or
two scale notes, repeats, a few leaps, quarters, eighths and halves, a rest between phrases) in a
man's or a woman's register, at 60-110 BPM with the tempo drifting and onsets jittered; the
voice a harmonic source whose partials fall 9-16 dB an octave (a hum is dark), its tuning off by
up to 30 cents and drifting by 10-40 more, each note sung off by 15 cents (standard deviation: an
amateur's unsteady tuning, so that the tool reads every take as a voice), vibrato on the notes
held over 0.35 s (4.5-6.5 Hz, up to 50 cents, fading in), glides of 40-120 ms centred on the
onset, dips of 8-25 dB and 60-120 ms at a repeat (the onset at the dip's lowest point), and a
hiss 35-50 dB under the voice; each note's level 2 dB up or down. The reference note's pitch is
what is hummed (MIDI + the tuning and error at its onset).

With ``--songs`` the melodies are whole Essen folk songs in simple time instead (their own
pitches, rhythm and rests, moved into the drawn register; the songs of ``sung_pickups --songs``,
which no fitted model saw), hummed the same way, and the page is scored against each song's own
notation: key signature, intended pitch, written durations and time signature, as ssvd-scores'
README measures them (:func:`benchmarks.metrics.page_scores`), the key signature also apart for
the songs whose signature holds every note (a modal tune written with a major or minor
signature does not).

Nothing is fitted on these takes: they show whether a melody hummed legato keeps its notes.
"""

from __future__ import annotations

import argparse
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from multiprocessing import Pool
from typing import Any

import numpy as np

from benchmarks.datasets import PageTruth
from benchmarks.metrics import bar_line_f1_by_onset, matched_pairs, note_scores, page_scores
from benchmarks.rendered.corpus import Melody
from benchmarks.run import option_pairs
from benchmarks.systems import Prediction, adapt_result

SR = 16000
MAJOR = (0, 2, 4, 5, 7, 9, 11)
#: Steps between scale notes a melody takes, and how often (mostly steps and repeats).
MOVES, MOVE_P = (-4, -2, -1, 0, 1, 2, 4), (0.05, 0.12, 0.3, 0.1, 0.3, 0.08, 0.05)
NOTES = 28
#: The Essen songs ``--songs`` hums the first of: the sample ``sung_pickups --songs 400`` sings (cached).
SONG_SAMPLE = 400
#: Vibrato depth range (semitones either side of the note), drawn per held note.
VIBRATO_ST = (0.0, 0.5)


@dataclass(frozen=True)
class Take:
    """A hummed take: ``samples`` at :data:`SR`, the reference notes (onset_s, offset_s, hummed
    MIDI as a float; shape (k, 3)), per note whether it follows the note before with no silence
    (legato), its written MIDI pitch, the tonic of the major key with its signature (MIDI), each
    note's written length (quarters), and for a corpus song its time signature (``None`` for a
    walk on the scale)."""

    samples: np.ndarray
    notes: np.ndarray
    legato: np.ndarray
    written: np.ndarray
    tonic: int
    written_q: tuple[Fraction, ...] = ()
    time_signature: str | None = None
    on_downbeat: tuple[bool, ...] = ()


def melody(rng: np.random.Generator) -> list[tuple[int | None, float]]:
    """:data:`NOTES` notes as (scale degree or ``None`` for a rest, quarters): a walk on the
    scale, a rest of a quarter or a half after each phrase of 6-10 notes, the last note long."""
    out: list[tuple[int | None, float]] = []
    deg, left = int(rng.integers(0, 5)), int(rng.integers(6, 11))
    for i in range(NOTES):
        q = 2.0 if i == NOTES - 1 else float(rng.choice([0.5, 1.0, 1.5, 2.0], p=[0.3, 0.45, 0.1, 0.15]))
        out.append((deg, q))
        left -= 1
        if left == 0 and i < NOTES - 1:
            out.append((None, float(rng.choice([1.0, 2.0]))))
            left = int(rng.integers(6, 11))
        deg = int(np.clip(deg + rng.choice(MOVES, p=MOVE_P), -3, 10))
    return out


def song_tune(song: Melody, rng: np.random.Generator) -> tuple[list[tuple[int | None, float]], int]:
    """A corpus song as (MIDI pitch or ``None`` for a rest, quarters) in order, moved into a man's
    or a woman's register (its median pitch drawn from 50-55 or 60-67), and the MIDI number of
    the tonic of the major key with its signature, moved the same way."""
    events = sorted(song.events, key=lambda e: e.offset_q)
    tune: list[tuple[int | None, float]] = []
    for e, nxt in zip(events, [*events[1:], None]):
        tune.append((e.midi or None, float(e.duration_q)))
        gap = float(nxt.offset_q - e.offset_q - e.duration_q) if nxt is not None else 0.0
        if gap > 1e-6:
            tune.append((None, gap))
    while tune and tune[-1][0] is None:
        tune.pop()
    pitches = [m for m, _ in tune if m is not None]
    target = rng.uniform(50.0, 55.0) if rng.random() < 0.5 else rng.uniform(60.0, 67.0)
    shift = int(round(target - float(np.median(pitches))))
    moved = [(None if m is None else m + shift, q) for m, q in tune]
    return moved, 60 + (7 * song.key_sharps + shift) % 12


def take(seed: int, *, vibrato_st: tuple[float, float] = VIBRATO_ST, song: Melody | None = None) -> Take:
    """The hummed take of seed ``seed`` (see the module's docstring): a walk on a major scale, or
    ``song`` (a corpus song, its own pitches and rhythm) hummed in a drawn register."""
    rng = np.random.default_rng(seed)
    if song is None:
        tonic = int(rng.choice([48, 50, 52, 53])) + (12 if rng.random() < 0.5 else 0)
        tune = [(None if d is None else tonic + 12 * (d // 7) + MAJOR[d % 7], q) for d, q in melody(rng)]
    else:
        tune, tonic = song_tune(song, rng)
    quarter_s = 60.0 / rng.uniform(60.0, 110.0)
    pos = np.cumsum([0.0] + [q for _, q in tune])
    drift = 1.0 + 0.05 * np.sin(2 * np.pi * pos / pos[-1] * rng.uniform(0.5, 1.5) + rng.uniform(0, 2 * np.pi))
    starts = 0.6 + np.cumsum(np.append(0.0, np.diff(pos) * quarter_s * drift[1:]))
    starts[:-1] += rng.normal(0.0, 0.015, len(starts) - 1)
    total_s = float(starts[-1]) + 1.0
    n = int(total_s * SR)
    t = np.arange(n) / SR
    tuning = rng.uniform(-0.3, 0.3) + rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * t / total_s * rng.uniform(0.3, 1.0) + rng.uniform(0, 6.3))
    pitch = np.full(n, np.nan)
    level_db = np.full(n, -120.0)
    notes, legato, written, written_q = [], [], [], []
    on_downbeat: list[bool] = []
    prev_midi: float | None = None
    prev_a = 0.0
    for k, (midi, q) in enumerate(tune):
        a, b = float(starts[k]), float(starts[k + 1])
        if midi is None:
            prev_midi = None
            continue
        sung = midi + rng.normal(0.0, 0.15)
        rest_after = k + 1 < len(tune) and tune[k + 1][0] is None
        last = k == len(tune) - 1
        end = a + (b - a) * (0.85 if rest_after or last else 1.0)
        i0, i1 = int(a * SR), int(end * SR)
        seg = np.arange(i0, i1)
        bend = np.full(len(seg), sung)
        held = (seg - i0) / SR
        if end - a > 0.35:
            depth, rate = rng.uniform(*vibrato_st), rng.uniform(4.5, 6.5)
            bend += depth * np.clip(held / 0.25 - 0.4, 0.0, 1.0) * np.sin(2 * np.pi * rate * held)
        # A glide spans at most the note's own length either side (a song's short notes).
        glide_s = min(rng.uniform(0.04, 0.12), end - a, a - prev_a)
        step = prev_midi is not None and round(prev_midi) != midi
        if step:
            g0 = max(int((a - glide_s / 2) * SR), 0)
            g1 = int((a + glide_s / 2) * SR)
            pitch[g0:i0] = np.linspace(prev_midi, prev_midi + (sung - prev_midi) / 2, i0 - g0)
            bend[: g1 - i0] = np.linspace(prev_midi + (sung - prev_midi) / 2, sung, g1 - i0)
        pitch[i0:i1] = bend
        note_db = rng.uniform(-2.0, 2.0)
        env = np.full(len(seg), note_db)
        if prev_midi is None:  # after silence: the hum swells in
            env += 20.0 * np.log10(np.clip(held / 0.04, 1e-3, 1.0))
        if rest_after or last:
            env += 20.0 * np.log10(np.clip((end - a - held) / 0.05, 1e-3, 1.0))
        level_db[i0:i1] = env
        if prev_midi is not None and round(prev_midi) == midi:  # a repeat: a dip of the level at the onset
            depth_db, width_s = rng.uniform(8.0, 25.0), rng.uniform(0.06, 0.12)
            w = np.arange(int((a - width_s / 2) * SR), int((a + width_s / 2) * SR))
            level_db[w] -= depth_db * np.sin(np.pi * (w - w[0]) / len(w))
        notes.append((a, end, sung + float(np.interp(a, t, tuning))))
        legato.append(prev_midi is not None)
        written.append(midi)
        written_q.append(Fraction(q).limit_denominator(96))
        if song is not None:
            at_q = Fraction(float(pos[k])).limit_denominator(96) - song.pickup_q
            on_downbeat.append(at_q % song.bar_q == 0)
        prev_midi, prev_a = sung, a
    voiced = np.isfinite(pitch)
    f0 = 440.0 * 2.0 ** ((np.where(voiced, pitch + tuning, 60.0) - 69.0) / 12.0)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    slope = rng.uniform(-16.0, -9.0)
    source = sum(10 ** (slope * np.log2(h) / 20) * np.sin(h * phase) * (h * f0 < SR / 2 - 500) for h in range(1, 16))
    amp = 10 ** (level_db / 20) * voiced
    kernel = np.hanning(int(0.01 * SR))
    amp = np.convolve(amp, kernel / kernel.sum(), mode="same")
    y = 0.2 * source * amp
    y += 10 ** (-rng.uniform(35.0, 50.0) / 20) * 0.2 * rng.standard_normal(n)
    meter = song.time_signature if song is not None else None
    legato_a, written_a = np.asarray(legato, dtype=bool), np.asarray(written)
    return Take(y.astype(np.float32), np.asarray(notes), legato_a, written_a, tonic, tuple(written_q), meter, tuple(on_downbeat))


def run_one(
    seed: int,
    *,
    vibrato_st: tuple[float, float] = VIBRATO_ST,
    song: Melody | None = None,
    options: dict[str, Any] | None = None,
    given_meter: bool = False,
) -> dict[str, Any]:
    """Our notes of take ``seed`` (of ``song`` where given) against its reference: the scores
    and which reference notes were found. ``options``: extra ``transcribe()`` options (``--opt``);
    ``given_meter``: a song's own time signature given, as a user who knows it would."""
    import transcribe

    tk = take(seed, vibrato_st=vibrato_st, song=song)
    extra = {"time_signature": tk.time_signature} if given_meter and tk.time_signature else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = transcribe.transcribe(tk.samples, SR, **(options or {}), **extra)
    # Our notes at their sung pitch (MIDI + cents / 100, back at A440), the published protocol's,
    # and our written page, as the benchmark reads them from a result.
    pred = adapt_result(result, Prediction("ours", "hummed", str(seed)))
    est = pred.sung_notes
    scores = note_scores(tk.notes, est)
    pairs = matched_pairs(tk.notes, est)
    found = np.zeros(len(tk.notes), dtype=bool)
    found[[i for i, _ in pairs]] = True
    step = np.append(0, np.abs(np.diff(tk.written)))
    # The page, as ssvd-scores' README measures it: the melody transposed by the register it was
    # hummed in (T); our written notes matched to the hummed ones by onset.
    transpose = int(np.round(np.median(tk.notes[:, 2] - tk.written)))
    truth = PageTruth(
        exercise=str(seed),
        time_signature=tk.time_signature or "",
        major_pc=(tk.tonic + transpose) % 12,
        transpose=transpose,
        label_notes=tuple((float(a), float(b), float(m)) for a, b, m in tk.notes),
        intended_midi=tuple(int(w) + transpose for w in tk.written),
        written_q=tk.written_q,
    )
    page = page_scores([(on, q, m) for (on, q), m in zip(pred.written, pred.written_midi)], pred.key, pred.time_signature, truth)
    return {
        "seed": seed,
        "conp": scores["conp_f1"],
        "conpoff": scores["conpoff_f1"],
        "on": scores["on_f1"],
        "found": found,
        "legato": tk.legato,
        "step": step,
        "key_sig": page["key_rel"],
        "pitch_right": page["pitch_right"],
        "dur_right": page["dur_right"],
        "ts_right": page["ts_right"] if tk.time_signature else math.nan,
        # Our bar holds the song's bar at the tempo level the durations were read at (metrics.bar_right).
        "bar_right": page.get("bar_right", math.nan) if tk.time_signature else math.nan,
        # Our notes on a bar line against the song's, matched by onset (a song only).
        "downbeats": bar_line_f1_by_onset(tk.notes[:, 0], tk.on_downbeat, [n[0] for n in pred.notes], pred.on_downbeat)
        if tk.on_downbeat and pred.on_downbeat
        else math.nan,
        # The key signature holds every note of the tune (a walk on the scale always; a modal song
        # written with a major or minor signature not).
        "signature_holds": all((w - tk.tonic) % 12 in MAJOR for w in tk.written),
    }


def _run_song(seed: int, song: Melody, *, vibrato_st: tuple[float, float], options: dict[str, Any], given_meter: bool) -> dict[str, Any]:
    return run_one(seed, vibrato_st=vibrato_st, song=song, options=options, given_meter=given_meter)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=36)
    ap.add_argument("--seed", type=int, default=3, help="the first take's seed (takes use seed, seed + 1, ...)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--vibrato-st", default="0,0.5", help="vibrato depth range, semitones either side (default 0,0.5)")
    ap.add_argument(
        "--songs",
        action="store_true",
        help=f"hum --items (at most {SONG_SAMPLE}) whole Essen folk songs in simple time that no fit saw instead of walks on a scale",
    )
    ap.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE", help="extra option for transcribe() (repeatable)")
    ap.add_argument(
        "--given-meter", action="store_true", help="with --songs, give each song its time signature, as a user who knows it would"
    )
    args = ap.parse_args(argv)
    options = option_pairs(args.opt)
    lo, hi = (float(x) for x in args.vibrato_st.split(","))
    seeds = range(args.seed, args.seed + args.items)
    with Pool(args.jobs) as pool:
        if args.songs:
            from benchmarks.fit_meter import essen_songs
            from benchmarks.sung_pickups import SIMPLE

            songs = essen_songs(SONG_SAMPLE, simple=SIMPLE, jobs=args.jobs)[: args.items]
            rows = pool.starmap(partial(_run_song, vibrato_st=(lo, hi), options=options, given_meter=args.given_meter), zip(seeds, songs))
        else:
            rows = pool.map(partial(run_one, vibrato_st=(lo, hi), options=options), seeds)
    m = [np.mean([r[k] for r in rows]) for k in ("conp", "conpoff", "on")]
    what = "Essen songs" if args.songs else "takes"
    extra = "".join(f", {k}={v}" for k, v in options.items()) + (", each song's meter given" if args.given_meter and args.songs else "")
    print(f"{len(rows)} hummed {what} (seeds {args.seed}-{args.seed + len(rows) - 1}, vibrato {lo:g}-{hi:g} st{extra})")
    print(f"COnP {m[0]:.3f}  COnPOff {m[1]:.3f}  onsets {m[2]:.3f}  (mean over takes, published protocol)")
    page = [np.nanmean([r[k] for r in rows]) for k in ("key_sig", "pitch_right", "dur_right")]
    meter = (
        f", time signature {np.mean([r['ts_right'] for r in rows]):.3f} (bar length {np.nanmean([r['bar_right'] for r in rows]):.3f}),"
        f" downbeats {np.nanmean([r['downbeats'] for r in rows]):.3f}"
        if args.songs
        else ""
    )
    print(
        f"page: key signature {page[0]:.3f}, intended pitch {page[1]:.3f}, written durations {page[2]:.3f}{meter}"
        " (ssvd-scores' measures, the melody in the hummed register)"
    )
    holds = [r["signature_holds"] for r in rows]
    if not all(holds):
        right = [r["key_sig"] for r in rows]
        inside = np.mean([k for k, h in zip(right, holds) if h])
        outside = np.mean([k for k, h in zip(right, holds) if not h])
        others = len(rows) - sum(holds)
        print(f"key signature: {inside:.3f} of {sum(holds)} tunes whose signature holds every note, {outside:.3f} of the {others} others")
    print()
    found = np.concatenate([r["found"] for r in rows])
    legato = np.concatenate([r["legato"] for r in rows])
    step = np.concatenate([r["step"] for r in rows])
    print("| notes | count | found |")
    print("|---|---|---|")
    groups = [
        ("after silence", ~legato),
        ("repeats (a dip of the level)", legato & (step == 0)),
        ("legato steps of 1-2 semitones", legato & (step >= 1) & (step <= 2)),
        ("legato steps of 3-4 semitones", legato & (step >= 3) & (step <= 4)),
        ("legato steps of 5 semitones and more", legato & (step >= 5)),
    ]
    for name, sel in groups:
        print(f"| {name} | {int(sel.sum())} | {found[sel].mean() if sel.any() else float('nan'):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
