"""Fit the meter weights and hidden layer (``transcribe/models/meter.npz``) on corpus melodies.

    python -m benchmarks.fit_meter [--tunes 1500] [--seed 1]

The training melodies come from the same music21 corpus collections as the
rendered benchmark (Essen, Ryan's Mammoth Collection, Bach soprano lines) but
*exclude every tune the rendered sets use* (seed 0's 48 items and seed 1's 96, see
:data:`HELD_OUT_SETS`), so the benchmark stays held out.
Each melody is looped and cut to 20-30 s at a random tempo (60-140 BPM) and
turned into performed notes (downbeats up to 3 dB louder, in some takes not at
all): onsets jittered by ~12 ms, notes held for 75-97 %
of their written length and, by a random "roughness", some notes dropped,
repeated notes merged, notes split and onsets late,
as a transcription does. The rhythm stage's own tatum and tempo following
then place the onsets, :func:`transcribe.rhythm.meter_features` describes
every reading, and a conditional-logit model (softmax over the readings,
L2-regularised) is fitted so that the right readings (time signature and tempo
right by the benchmark's rules, downbeat within a third of a tatum) score
highest. Prints accuracy on training and held-out tunes for the current and
the fitted weights (both with ``rhythm.meter._REAL_DATA_SHIFT`` added, as the module
uses them; see :mod:`benchmarks.meter_real`), and writes the fitted weights and units,
at full precision and with their provenance, to ``transcribe/models/meter.npz``
(``--out`` to write elsewhere).

The parsed melodies are cached in ``benchmarks/data/meter_tunes-<seed>-<n>-without-<sets>.pkl``.
"""

from __future__ import annotations

import argparse
import math
import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from benchmarks import metrics
from benchmarks.model_files import provenance, write_model
from benchmarks.rendered import corpus
from transcribe import rhythm
from transcribe.types import Note

DATA = Path(__file__).resolve().parent / "data"


def _load(args: tuple[str, int | None, str]) -> corpus.Melody | None:
    warnings.simplefilter("ignore")
    return corpus.load_melody(*args)


#: The rendered sets the benchmark builds, as (seed, items): their tunes never train a model,
#: so both stay held out (benchmarks/RESULTS.md's main set and its second, larger check).
HELD_OUT_SETS: tuple[tuple[int, int], ...] = ((0, 48), (1, 96))


def scored_tunes() -> set[tuple[str, int | None]]:
    """``(source_path, tune_number)`` of every tune the :data:`HELD_OUT_SETS` use.

    The plans are deterministic: they name the tunes without building the sets.
    """
    return {(plan["source_path"], plan["tune_number"]) for s, k in HELD_OUT_SETS for plan in corpus.plan_items(s, k)}


def _tune_key(cand: tuple, root: Path) -> tuple[str, int | None]:
    """A corpus candidate ``(path, tune_number)`` as :func:`scored_tunes` and the rendered plans name it."""
    return str(Path(cand[0]).relative_to(root)), cand[1]


def _candidates_without(source: str, used: set[tuple[str, int | None]]) -> list:
    """The corpus candidates of ``source`` not in ``used``, in the corpus order: the list whose
    seeded permutation :func:`training_tunes` draws from (and :func:`essen_songs` leaves out)."""
    root = corpus.corpus_dir()
    return [c for c in corpus.candidates()[source] if _tune_key(c, root) not in used]


def _batch(want: int) -> int:
    """How many candidates :func:`training_tunes` loads at a time to get ``want`` tunes of a source."""
    return 4 * want + 8


def _first_loaded(
    cands: list, order: np.ndarray, source: str, want: int, batch: int, *, jobs: int, keep: Callable[[corpus.Melody], bool] | None = None
) -> list[corpus.Melody]:
    """The first ``want`` of ``cands`` (taken in ``order``) that load as melodies of ``source`` (and
    that ``keep`` accepts), loaded ``batch`` at a time in a pool of ``jobs`` processes."""
    got: list[corpus.Melody] = []
    with Pool(jobs) as pool:
        for start in range(0, len(order), batch):
            args = [(*cands[i], source) for i in order[start : start + batch]]
            got.extend(m for m in pool.map(_load, args, chunksize=4) if m is not None and (keep is None or keep(m)))
            if len(got) >= want:
                break
    return got[:want]


def training_tunes(n: int, seed: int, *, jobs: int = 2) -> list[corpus.Melody]:
    """``n`` usable corpus melodies (sources weighted like the rendered set), none from its items."""
    cache = DATA / f"meter_tunes-{seed}-{n}-without-{'-'.join(f'{s}x{k}' for s, k in HELD_OUT_SETS)}.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    used = scored_tunes()
    rng = np.random.default_rng(seed)
    tunes: list[corpus.Melody] = []
    for src, share in corpus.SOURCE_WEIGHTS.items():
        cands = _candidates_without(src, used)
        order = rng.permutation(len(cands))
        want = round(share * n)
        tunes.extend(_first_loaded(cands, order, src, want, _batch(want), jobs=jobs))
    with cache.open("wb") as fh:
        pickle.dump(tunes, fh)
    return tunes


#: The shipped meter model's tune sample (``meter.npz``: ``--tunes 1500 --seed 1``), which
#: :func:`essen_songs` keeps clear of.
SHIPPED_SAMPLE = (1500, 1)
#: Every rendered set the benchmarks build, as (seed, items): :func:`essen_songs` uses none of their tunes.
RENDERED_SETS: tuple[tuple[int, int], ...] = (*HELD_OUT_SETS, (5, 48), (7, 48), (20, 48), (31, 48))


def essen_songs(n: int, *, simple: tuple[str, ...], seed: int = 0, jobs: int = 2) -> list[corpus.Melody]:
    """``n`` whole Essen folk songs in one of the meters ``simple``, in a seeded order, that the
    shipped meter model never saw and no rendered set uses (cached under ``benchmarks/data``).

    :func:`training_tunes` drew the meter model's Essen tunes from the first batch
    (:func:`_batch`) of its permutation (``want`` = half the tunes; enough of them load that it never
    reads a second batch): those candidates, and every tune of :data:`RENDERED_SETS`, are left out.
    """
    tunes, fit_seed = SHIPPED_SAMPLE
    cache = DATA / f"essen_songs-{seed}-{n}-{'-'.join(simple).replace('/', '')}-without-meter-{tunes}-{fit_seed}.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    root = corpus.corpus_dir()
    cands = _candidates_without("essen", scored_tunes())
    seen = set(np.random.default_rng(fit_seed).permutation(len(cands))[: _batch(round(corpus.SOURCE_WEIGHTS["essen"] * tunes))].tolist())
    rendered = {(p["source_path"], p["tune_number"]) for s, k in RENDERED_SETS[len(HELD_OUT_SETS) :] for p in corpus.plan_items(s, k)}
    rest = [c for i, c in enumerate(cands) if i not in seen and _tune_key(c, root) not in rendered]
    order = np.random.default_rng(seed).permutation(len(rest))
    got = _first_loaded(rest, order, "essen", n, 2 * n, jobs=jobs, keep=lambda m: m.time_signature in simple)
    with cache.open("wb") as fh:
        pickle.dump(got, fh)
    return got


@dataclass(frozen=True)
class Errors:
    """How often a simulated transcription errs, at roughness ``r`` (0 clean ... 1 rough).

    Attributes:
        merge: A repeated note loses its re-attack with chance ``merge[0] + merge[1] * r`` ...
        merge_gap_s: ... when the gap before it is shorter than this.
        split: A note longer than ``split_min_s`` gets a spurious onset inside it with chance
            ``split * r ** split_power``, times ``min(1, length / split_full_s)`` when
            ``split_full_s`` is set (long notes split more often), at a random point
            within ``split_at`` of its length.
    """

    merge: tuple[float, float] = (0.05, 0.3)
    merge_gap_s: float = 0.1
    split: float = 0.05
    split_power: float = 1.0
    split_min_s: float = 0.25
    split_full_s: float = 0.0
    split_at: tuple[float, float] = (0.3, 0.7)


#: The first error model (still the key fit's, ``benchmarks/fit_key.py``).
PLAIN = Errors()
#: Errors as often as in this tool's transcriptions of rendered melodies: about 40 % of
#: repeated notes merged, and long notes split (a fifth of those over 0.5 s), in some
#: takes far more than in others.
TRANSCRIBED = Errors(
    merge=(0.1, 0.6), merge_gap_s=0.15, split=0.9, split_power=2.0, split_min_s=0.15, split_full_s=0.75, split_at=(0.2, 0.8)
)


def perform(mel: corpus.Melody, rng: np.random.Generator, errors: Errors = PLAIN) -> tuple[tuple[Note, ...], np.ndarray, dict]:
    """Notes in seconds as a transcription of a rendering would give them, their
    peak levels (dB), and the truth."""
    bpm = float(rng.integers(60, 141))
    q_s = 60.0 / bpm
    bar_s = float(mel.bar_q) * q_s
    pick_s = float(mel.pickup_q) * q_s
    n_bars = max(1, round((rng.uniform(22.0, 28.0) - pick_s) / bar_s))
    while pick_s + n_bars * bar_s > corpus.MAX_S and n_bars > 1:
        n_bars -= 1
    lead = float(rng.uniform(0.3, 1.0))
    gate = float(rng.uniform(0.75, 0.97))
    # How rough this transcription is, from clean (0) to a reverberant choir (1):
    # more dropped notes, merged repeats, split notes and late, jittery onsets.
    rough = float(rng.uniform(0.0, 1.0))
    notes: list[Note] = []
    for e in corpus.loop_and_cut(mel, n_bars):
        if not e.midi or rng.random() < 0.02 + 0.08 * rough:
            continue
        on = lead + float(e.offset_q + mel.pickup_q) * q_s + rng.normal(0.0, 0.01 + 0.02 * rough) + rng.exponential(0.001 + 0.02 * rough)
        off = on + float(e.duration_q) * q_s * gate
        merge = errors.merge[0] + errors.merge[1] * rough
        if notes and notes[-1].midi == e.midi and on - notes[-1].offset_s < errors.merge_gap_s and rng.random() < merge:
            notes[-1] = Note(notes[-1].onset_s, off, e.midi)  # a missed re-attack
            continue
        if notes and on < notes[-1].offset_s:
            notes[-1] = Note(notes[-1].onset_s, on - 0.01, notes[-1].midi)
        split = errors.split * rough**errors.split_power * (min(1.0, (off - on) / errors.split_full_s) if errors.split_full_s else 1.0)
        if off - on > errors.split_min_s and rng.random() < split:  # a spurious onset inside a note
            cut = on + (off - on) * float(rng.uniform(*errors.split_at))
            notes.append(Note(on, cut - 0.01, e.midi))
            on = cut
        notes.append(Note(on, off, e.midi))
    truth = {"bpm": bpm, "ts": mel.time_signature, "downbeat_s": lead + pick_s, "bar_s": bar_s}
    # Levels: a player leans on downbeats by 0-3 dB (none at all in some takes),
    # under note-to-note differences of about 2 dB.
    lean = float(rng.uniform(-0.5, 3.0))
    on_bar = np.array([abs(((n.onset_s - truth["downbeat_s"]) / bar_s + 0.5) % 1.0 - 0.5) * bar_s < 0.06 for n in notes])
    accent = -20.0 + rng.normal(0.0, 2.0, len(notes)) + max(lean, 0.0) * on_bar
    return tuple(notes), accent, truth


def readings(
    notes: tuple[Note, ...], truth: dict, accent_db: np.ndarray | None = None
) -> tuple[list[rhythm.MeterChoice], np.ndarray, np.ndarray, np.ndarray]:
    """Candidate readings, their features, which are right, and the k array (for the compound step)."""
    # Placed exactly as rhythm.analyze places them.
    pl = rhythm.place_on_tatums(notes)
    grid, k, d, w = pl.grid, pl.k, pl.ioi, pl.weights
    cands = rhythm.meter_candidates(grid.period_s)
    feats = rhythm.meter_features(k, d, w, grid.period_s, cands, pitch=np.array([n.midi for n in notes]), accent_db=accent_db)
    right = np.zeros(len(cands), dtype=bool)
    for i, c in enumerate(cands):
        beat_q = 1.5 if c.compound else 1.0
        bpm = 60.0 / (c.tatums_per_beat * grid.period_s / beat_q)
        if not (metrics.ts_right(c.time_signature, truth["ts"]) and metrics.tempo_right(bpm, c.time_signature, truth["bpm"], truth["ts"])):
            continue
        t_down = grid.phase_s + c.downbeat * grid.period_s
        frac = ((t_down - truth["downbeat_s"]) / truth["bar_s"]) % 1.0
        right[i] = min(frac, 1.0 - frac) * truth["bar_s"] < grid.period_s / 3.0
    return cands, feats, right, k


def _objective(wts: np.ndarray, data: list[tuple[np.ndarray, np.ndarray]], l2: float) -> tuple[float, np.ndarray]:
    """Mean negative log-probability of the right readings, plus ``l2`` times the squared weights."""
    loss, grad = l2 * float(wts @ wts), 2.0 * l2 * wts
    for feats, right in data:
        z = feats @ wts
        p = np.exp(z - z.max())
        p /= p.sum()
        pr = max(float(p[right].sum()), 1e-300)
        loss -= math.log(pr) / len(data)
        q = np.where(right, p, 0.0) / pr
        grad -= feats.T @ (q - p) / len(data)
    return loss, grad


def fit(data: list[tuple[np.ndarray, np.ndarray]], l2: float) -> np.ndarray:
    """Weights maximising the (regularised) likelihood of the right readings, from zero."""
    from scipy.optimize import minimize

    res = minimize(_objective, np.zeros(data[0][0].shape[1]), args=(data, l2), jac=True, method="L-BFGS-B")
    return res.x


def _stack(data: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All readings of all takes in one array: features, right, take of each row, first row of each take."""
    feats = np.vstack([f for f, _ in data])
    right = np.concatenate([r for _, r in data])
    sizes = np.array([len(r) for _, r in data])
    return feats, right, np.repeat(np.arange(len(data)), sizes), np.concatenate([[0], np.cumsum(sizes)[:-1]])


def _mlp_objective(
    theta: np.ndarray,
    stacked: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    hidden: int,
    l2: float,
    l2_hidden: float,
) -> tuple[float, np.ndarray]:
    """:func:`_objective` for a linear score plus ``hidden`` tanh units, over :func:`_stack`'s rows.

    ``stacked`` is the features, the same standardised (what the units see),
    the right readings, each row's take and each take's first row.
    ``theta`` holds the linear weights (n), the units' input weights (hidden x n),
    their biases (hidden) and output weights (hidden). The linear weights are
    penalised by ``l2``, the units' input and output weights by ``l2_hidden``.
    """
    x, xs, right, take, first = stacked
    n = x.shape[1]
    w, win = theta[:n], theta[n : n + hidden * n].reshape(hidden, n)
    bias, out = theta[n + hidden * n : n + hidden * n + hidden], theta[n + hidden * n + hidden :]
    h = np.tanh(xs @ win.T + bias)
    z = x @ w + h @ out
    e = np.exp(z - np.maximum.reduceat(z, first)[take])
    er = np.where(right, e, 0.0)
    total, total_right = np.add.reduceat(e, first), np.maximum(np.add.reduceat(er, first), 1e-300)
    loss = -float(np.sum(np.log(total_right) - np.log(total))) / len(first)
    dz = (e / total[take] - er / total_right[take]) / len(first)
    dh = dz[:, None] * out[None, :] * (1.0 - h * h)
    loss += l2 * float(w @ w) + l2_hidden * float(np.sum(win * win) + out @ out)
    grad = np.concatenate([x.T @ dz + 2 * l2 * w, (dh.T @ xs + 2 * l2_hidden * win).ravel(), dh.sum(0), h.T @ dz + 2 * l2_hidden * out])
    return loss, grad


def fit_mlp(
    data: list[tuple[np.ndarray, np.ndarray]], hidden: int, l2: float, l2_hidden: float, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Linear weights and hidden units (rows: out, bias, input weights) maximising the
    regularised likelihood of the right readings, from small seeded random units.

    The units see standardised features; their input weights and biases are
    returned for the raw features, as :func:`transcribe.rhythm.meter_scores` uses them.
    """
    from scipy.optimize import minimize

    feats, right, take, first = _stack(data)
    mu, sd = feats.mean(0), feats.std(0)
    sd[sd < 1e-9] = 1.0
    n = feats.shape[1]
    rng = np.random.default_rng(seed)
    theta0 = np.concatenate([np.zeros(n), 0.1 * rng.normal(size=hidden * n), np.zeros(hidden), 0.1 * rng.normal(size=hidden)])
    stacked = (feats, (feats - mu) / sd, right, take, first)
    theta = minimize(
        _mlp_objective, theta0, args=(stacked, hidden, l2, l2_hidden), jac=True, method="L-BFGS-B", options={"maxiter": 3000}
    ).x
    w, win = theta[:n], theta[n : n + hidden * n].reshape(hidden, n) / sd
    bias, out = theta[n + hidden * n : n + hidden * n + hidden] - win @ mu, theta[n + hidden * n + hidden :]
    return w, np.column_stack([out, bias, win])


def _takes(args: tuple[int, corpus.Melody, int, int]) -> list[tuple]:
    """The feature rows of ``takes`` performances of one tune (its own seeded generator)."""
    index, mel, seed, takes = args
    rng = np.random.default_rng([seed, index])
    rows = []
    for _ in range(takes):
        notes, accent, truth = perform(mel, rng, TRANSCRIBED)
        if len(notes) >= 8:
            cands, feats, right, k = readings(notes, truth, accent)
            rows.append((index, cands, feats, right, k, truth))
    return rows


def run_takes(
    tunes: list[corpus.Melody], take: Callable[[tuple], list[tuple]], *, seed: int, takes: int, jobs: int
) -> tuple[list, list, list]:
    """Rows of ``take((index, tune, seed, takes))`` for every tune, in a process pool.

    Each row starts with its tune's index. Returns all rows, then them split
    into training and held-out rows: a fifth of the tunes (all their takes)
    are held out of the fit.
    """
    with Pool(jobs) as pool:
        rows = [r for rs in pool.map(take, [(i, mel, seed, takes) for i, mel in enumerate(tunes)], chunksize=8) for r in rs]
    held = set(np.random.default_rng(seed).permutation(len(tunes))[: len(tunes) // 5].tolist())
    return rows, [r for r in rows if r[0] not in held], [r for r in rows if r[0] in held]


def chosen(pick: Callable[[list, np.ndarray], int], cands: list[rhythm.MeterChoice], feats: np.ndarray, k: np.ndarray) -> tuple[int, str]:
    """The reading ``pick(candidates, features)`` chooses and the time signature it is
    written in after the compound/triplet step, as :func:`transcribe.rhythm.analyze` does."""
    i = pick(cands, feats)
    c = cands[i]
    if c.compound:
        c = rhythm.compound_or_triplets(k, c)
    return i, c.time_signature


def accuracy(pick: Callable[[list, np.ndarray], int], rows: list) -> tuple[float, float]:
    """Share of takes whose chosen reading (:func:`chosen`) has the right time signature,
    and the share right in time signature, tempo and downbeat."""
    ts_ok = full_ok = 0
    for _, cands, feats, right, k, truth in rows:
        i, time_signature = chosen(pick, cands, feats, k)
        ts = metrics.ts_right(time_signature, truth["ts"]) > 0
        ts_ok += ts
        full_ok += ts and bool(right[i])
    return ts_ok / max(len(rows), 1), full_ok / max(len(rows), 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tunes", type=int, default=1500, help="tunes to ask for (fewer if a source runs out)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--hidden", type=int, default=8, help="hidden units")
    ap.add_argument("--l2-hidden", type=float, default=1e-2)
    ap.add_argument("--takes", type=int, default=2, help="performances per tune")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, help="where to write the model file (default: the package's own)")
    args = ap.parse_args(argv)
    tunes = training_tunes(args.tunes, args.seed, jobs=args.jobs)
    rows, train, test = run_takes(tunes, _takes, seed=args.seed, takes=args.takes, jobs=args.jobs)
    print(f"{len(tunes)} tunes, {len(rows)} takes; a right reading exists in {np.mean([r[3].any() for r in rows]):.3f}")
    wts, units = fit_mlp([(r[2], r[3]) for r in train if r[3].any()], args.hidden, args.l2, args.l2_hidden)
    # As the module will use them: the fitted weights plus rhythm's real-data shifts, as "current" has them.
    shifted = wts + np.array([rhythm.meter._REAL_DATA_SHIFT.get(name, 0.0) for name in rhythm.METER_FEATURES])
    print("weights    train: time sig, all right   held out: time sig, all right")
    held_out = []
    for name, pick in (("current", rhythm.pick_reading), ("fitted", lambda c, f: rhythm.pick_reading(c, f, shifted, units))):
        (a, b), (c, d) = accuracy(pick, train), accuracy(pick, test)
        print(f"{name:8s}   {a:.3f}  {b:.3f}                  {c:.3f}  {d:.3f}")
        held_out.append(f"{name}: time signature {c:.3f}, all right {d:.3f}")
    prov = provenance(
        "benchmarks.fit_meter",
        argv,
        seeds=f"--seed {args.seed} (tune sample, takes, held-out fifth)",
        data=f"{len(tunes)} corpus tunes neither scored rendered set uses, {args.takes} simulated takes each",
        held_out="held-out fifth of the tunes: " + "; ".join(held_out),
    )
    write_model("meter", args.out, arrays={"weights": wts, "hidden": units}, names={"features": rhythm.METER_FEATURES}, prov=prov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
