"""The meter model: every reading of the tatum (tatums per beat, beats per bar, downbeat),
described by what notation would show and scored by a fitted model (``meter.npz``).

The features: duration accents on beats, downbeats and half bars, syncopations and ties across
barlines, figures that repeat one, two or four bars later (rhythm and pitch), the opening coming
back a whole number of bars later, stable pitches and leaps on beats, louder notes on downbeats,
tempo and notes per beat and bar, and whether the melody starts on a downbeat. A weighted sum
plus a small hidden layer scores each reading (``benchmarks/fit_meter.py``). Beats of three
tatums make a compound meter when most beats are divided, else triplets in a simple one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import models
from ..form import opening_returns
from ..values import TimeSignature

#: Candidate readings: (tatums per beat, beats per bar) -> time signature.
#: A tatum of three per beat makes a compound meter (6/8, 9/8, 12/8).
# fmt: off
METERS: dict[tuple[int, int], str] = {
    (1, 2): "2/4", (1, 3): "3/4", (1, 4): "4/4",
    (2, 2): "2/4", (2, 3): "3/4", (2, 4): "4/4",
    (4, 2): "2/4", (4, 3): "3/4", (4, 4): "4/4",
    (3, 2): "6/8", (3, 3): "9/8", (3, 4): "12/8",
}
# fmt: on


@dataclass(frozen=True)
class MeterChoice:
    """A metrical reading of a tatum grid.

    Attributes:
        tatums_per_beat: 1, 2, 3 or 4 (3 means a compound meter).
        beats_per_bar: 2, 3 or 4.
        downbeat: Tatum index (mod tatums per bar) of the downbeats.
        time_signature: Like ``"6/8"``.
        compound: Whether the beat is a dotted quarter (6/8, 9/8, 12/8); three
            tatums per beat in a simple meter are triplets.
    """

    tatums_per_beat: int
    beats_per_bar: int
    downbeat: int
    time_signature: str
    compound: bool = False


#: The meter features, in the column order of :func:`meter_features`.
METER_FEATURES: tuple[str, ...] = (
    "beat",  # share of (duration-weighted) onsets on beats
    "sync",  # share that start off the beat and sound through the next one
    "barcross",  # share tied across a barline
    "downbeat",  # log of how much more weight falls on downbeats than a uniform 1/m
    "long_downbeat",  # the same, weighting onsets by their length
    "halfbar",  # 4/4 only: log of beat 3's weight over beats 2 and 4
    "log_beat",  # log2 of the beat period over 0.6 s
    "log_beat_sq",
    # (Linear terms in notes per bar or per beat would repeat log_beat and the
    # meter priors: within one melody they differ between readings by log2(b m).)
    "log_bar_notes_sq",  # squared log2 of notes per bar over 5
    "log_beat_notes_sq",  # squared log2 of notes per beat
    "repeat",  # share of notes met again, same pitch, one bar later
    "repeat2",  # ... two bars later
    "rhythm_repeat",  # share of onsets met again one bar later with the same inter-onset interval
    "rhythm_repeat2",  # ... two bars later
    "return_bar",  # the opening comes back a whole number of bars later
    "repeat4",  # share of notes met again, same pitch, four bars later (a phrase sung again)
    "rhythm_repeat4",  # ... the same rhythm four bars later
    "m2_beat_notes",  # log2 notes per beat, in readings of two beats per bar
    "m4_beat_notes",  # ... of four beats per bar
    "m2_log_beat",  # log2 beat period over 0.6 s, in readings of two beats per bar
    "m4_log_beat",  # ... of four beats per bar
    "pc_beat",  # how much more common (in the melody) the pitch classes on beats are than average
    "pc_downbeat",  # ... on downbeats
    "leap_beat",  # share of notes reached by a leap (a fourth or more) that fall on beats
    "start",  # the melody starts on a downbeat
    "loud_downbeat",  # how much louder (dB, against the notes around) notes on downbeats are than average
    "loud_beat",  # ... notes on beats
    *(f"meter_{b}x{m}" for b in (1, 2, 3, 4) for m in (2, 3, 4)),  # a prior per reading
)


#: Shifts added to the fitted weights, measured on real transcriptions by
#: ``python -m benchmarks.meter_real`` (rendered seeds 2-4, 408 items whose tunes
#: neither scored set uses): the simulated takes the weights are fitted on leave
#: 6/8 too unlikely against 3/4 for real transcriptions. +0.4 fixed 7 of those
#: items and broke 1 (time signature 0.755 -> 0.770); seeds 0 and 1 were not used.
_REAL_DATA_SHIFT: dict[str, float] = {"meter_3x2": 0.4}


#: Column of each feature in a :func:`meter_features` row.
_COLUMN = {name: i for i, name in enumerate(METER_FEATURES)}


def meter_weights() -> np.ndarray:
    """Weight of each of :data:`METER_FEATURES` in the meter score: the ones fitted by
    ``python -m benchmarks.fit_meter`` (a conditional-logit model over the readings of ~1000
    corpus melodies that neither rendered benchmark set uses; ``transcribe/models/meter.npz``)
    plus :data:`_REAL_DATA_SHIFT`."""
    model = models.checked("meter", METER_FEATURES)
    shift = np.array([_REAL_DATA_SHIFT.get(name, 0.0) for name in METER_FEATURES])
    return model.arrays["weights"] + shift


def meter_hidden() -> np.ndarray:
    """A small hidden layer added to the weighted sum, fitted with it: unit ``j`` adds
    ``out * tanh(bias + features @ weights)`` (readings differ in more than one direction:
    what tells 2/4 from 4/4 is not what tells 6/8 from 3/4). One row per unit: out, bias,
    then one weight per feature in :data:`METER_FEATURES` order, shape (units, 2 + features)."""
    return models.checked("meter", METER_FEATURES).arrays["hidden"]


def meter_scores(feats: np.ndarray, weights: np.ndarray | None = None, units: np.ndarray | None = None) -> np.ndarray:
    """Score of each reading from its :func:`meter_features` row, shape (n_readings,).

    ``weights`` and ``units`` default to :func:`meter_weights` and :func:`meter_hidden`
    (the fit script passes the ones it is fitting).
    """
    w = meter_weights() if weights is None else weights
    u = meter_hidden() if units is None else units
    return feats @ w + np.tanh(feats @ u[:, 2:].T + u[:, 1]) @ u[:, 0]


def pick_reading(
    candidates: list[MeterChoice],
    feats: np.ndarray,
    weights: np.ndarray | None = None,
    units: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    downbeat_bias: np.ndarray | None = None,
) -> int:
    """Index of the chosen reading: the best-scoring reading's meter, with the downbeat
    the weighted sum alone prefers for that meter.

    The hidden layer can outweigh "the melody starts on a downbeat" by a hair and
    shift a melody of even notes (our own Ode to Joy sample) half a bar; the
    weighted sum does not, at 1.5 points of downbeats right on held-out
    simulated takes (0.562 -> 0.547 meter, tempo and downbeat all right).
    ``bias`` (per reading) is added to the scores when choosing the meter, ``downbeat_bias``
    (per reading) to the scores and to the weighted sum that chooses the downbeat.
    """
    w = meter_weights() if weights is None else weights
    scores = meter_scores(feats, w, units)
    for extra in (bias, downbeat_bias):
        if extra is not None:
            scores = scores + extra
    best = candidates[int(np.argmax(scores))]
    return best_downbeat(candidates, feats, w, best.tatums_per_beat, best.beats_per_bar, compound=best.compound, bias=downbeat_bias)


def readings_of(candidates: list[MeterChoice], b: int, m: int, *, compound: bool) -> list[int]:
    """Indices of the readings with ``b`` tatums a beat and ``m`` beats a bar (each downbeat)."""
    return [i for i, c in enumerate(candidates) if c.tatums_per_beat == b and c.beats_per_bar == m and c.compound == compound]


def best_downbeat(
    candidates: list[MeterChoice], feats: np.ndarray, w: np.ndarray, b: int, m: int, *, compound: bool, bias: np.ndarray | None = None
) -> int:
    """Of the readings of one meter, the one whose downbeat the weighted sum ``feats @ w`` (plus
    ``bias``, per reading) prefers."""
    same = readings_of(candidates, b, m, compound=compound)
    score = feats[same] @ w + (0.0 if bias is None else bias[same])
    return same[int(np.argmax(score))]


def meter_candidates(tatum_s: float, *, beat_s: float | None = None, time_signature: str | None = None) -> list[MeterChoice]:
    """Every reading of a tatum grid allowed by the overrides (or by plausible tempo)."""
    out = []
    for (b, m), ts in METERS.items():
        if time_signature is not None and not _same_meter(ts, time_signature):
            continue
        period = b * tatum_s
        if beat_s is not None:
            want = beat_s * (1.5 if b == 3 else 1.0) if time_signature is None else beat_s
            if abs(np.log(period / want)) > 0.1:
                continue
        elif not 0.25 <= period <= 1.6:
            continue
        out.extend(MeterChoice(b, m, p, time_signature or ts, compound=b == 3) for p in range(b * m))
    return out


def meter_features(
    k: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    tatum_s: float,
    candidates: list[MeterChoice],
    *,
    pitch: np.ndarray | None = None,
    accent_db: np.ndarray | None = None,
) -> np.ndarray:
    """What notation would show under each reading: one row of :data:`METER_FEATURES` per candidate.

    Args:
        k: Onset positions in tatums (integers, or halves), shape (n,).
        d: Inter-onset intervals in tatums, shape (n,).
        w: Onset weights, shape (n,).
        tatum_s: Tatum period in seconds.
        candidates: Readings from :func:`meter_candidates`.
        pitch: MIDI numbers, shape (n,), for the repetition features.
        accent_db: Each note's peak level (dB), shape (n,): players lean on downbeats.

    Returns:
        Shape (len(candidates), len(METER_FEATURES)).
    """
    integer = np.abs(k - np.round(k)) < 1e-9
    ki = np.round(k).astype(np.int64)
    total = w.sum()
    notes_per_tatum = len(k) / max(float(k[-1] - k[0] + d[-1]), 1.0)
    # Melodies repeat bar-long figures: the share of notes met again, same pitch, a bar later.
    half_k = np.round(2 * k).astype(np.int64)
    pitches = np.zeros(len(k), dtype=np.int64) if pitch is None else np.asarray(pitch, dtype=np.int64)
    events = set(zip(half_k.tolist(), pitches.tolist()))
    half_d = np.round(2 * d).astype(np.int64).tolist()
    figures = set(zip(half_k.tolist(), half_d))

    def repeats(lag: int) -> tuple[float, float]:
        same_rhythm = sum((hk + 2 * lag, hd) in figures for hk, hd in zip(half_k.tolist(), half_d)) / len(k)
        if pitch is None:
            return 0.0, same_rhythm
        return sum((hk + 2 * lag, pp) in events for hk, pp in zip(half_k.tolist(), pitches.tolist())) / len(k), same_rhythm

    # Stable pitches (the tonic, the fifth) fall on strong beats: each note's
    # pitch class weighs by how much of the melody (by weight) shares it.
    pc = pitches % 12
    profile = np.bincount(pc, weights=w, minlength=12) / total
    stability = profile[pc] - float(profile[pc] @ w / total)
    leap = np.append(False, np.abs(np.diff(pitches)) >= 5) if pitch is not None else np.zeros(len(k), dtype=bool)
    # Each note's level against the notes around it (a crescendo is not an accent). No
    # pitch step here: the weights were fitted on simulated levels that do not follow the
    # pitch. With it, and the second look (two_or_four) refitted, as many held-out real
    # items were right in both time signature and tempo (0.772 of 408), but the beat
    # moved on some (two of the 48 scored items lost their tempo).
    rel = relative_levels(accent_db, None, len(k))
    rel_mean = float(rel.mean())
    # The opening comes back a whole number of bars after it first sounds.
    ret = opening_returns(pitches) if pitch is not None else None
    lags = k[ret.hits] - k[ret.start] if ret is not None else np.zeros(0)
    col = _COLUMN
    out = np.zeros((len(candidates), len(METER_FEATURES)))
    rep: dict[int, tuple[float, float]] = {}
    for row, c in enumerate(candidates):
        b, m, p = c.tatums_per_beat, c.beats_per_bar, c.downbeat
        bar = b * m
        for lag in (bar, 2 * bar, 4 * bar):
            if lag not in rep:
                rep[lag] = repeats(lag)
        on_beat = integer & ((ki - p) % b == 0)
        on_bar = integer & ((ki - p) % bar == 0)
        next_beat = p + b * np.ceil((k - p) / b + 1e-9)
        sync = ~on_beat & (k + d > next_beat + 1e-9)
        next_bar = p + bar * np.ceil((k - p) / bar + 1e-9)
        beat_w = float(w[on_beat].sum())
        length = np.minimum(d, bar) * w
        beat_len = float(length[on_beat].sum())
        f = out[row]
        f[col["beat"]] = w[on_beat].sum() / total
        f[col["sync"]] = w[sync].sum() / total
        f[col["barcross"]] = w[~on_bar & (k + d > next_bar + 1e-9)].sum() / total
        f[col["downbeat"]] = np.log(m * (w[on_bar].sum() / beat_w if beat_w > 0 else 0.0) + 0.05)
        f[col["long_downbeat"]] = np.log(m * (length[on_bar].sum() / beat_len if beat_len > 0 else 0.0) + 0.05)
        if m == 4:
            beat_no = ((ki - p) % bar) // b
            w3 = w[on_beat & (beat_no == 2)].sum()
            w24 = 0.5 * w[on_beat & ((beat_no == 1) | (beat_no == 3))].sum()
            f[col["halfbar"]] = np.log((w3 + 0.05 * total) / (w24 + 0.05 * total))
        lb = np.log2(b * tatum_s / 0.6)
        f[col["log_beat"]], f[col["log_beat_sq"]] = lb, lb * lb
        ln = np.log2(notes_per_tatum * bar / 5.0)
        f[col["log_bar_notes_sq"]] = ln * ln
        lt = np.log2(notes_per_tatum * b)
        f[col["log_beat_notes_sq"]] = lt * lt
        f[col["repeat"]], f[col["rhythm_repeat"]] = rep[bar]
        f[col["repeat2"]], f[col["rhythm_repeat2"]] = rep[2 * bar]
        f[col["repeat4"]], f[col["rhythm_repeat4"]] = rep[4 * bar]
        if lags.size:
            f[col["return_bar"]] = np.mean(np.abs(lags / bar - np.round(lags / bar)) < 1e-6)
        if m in (2, 4):
            f[col[f"m{m}_beat_notes"]], f[col[f"m{m}_log_beat"]] = lt, lb
        f[col["start"]] = float(on_bar[0])
        if on_bar.any():
            f[col["loud_downbeat"]] = rel[on_bar].mean() - rel_mean
        if on_beat.any():
            f[col["loud_beat"]] = rel[on_beat].mean() - rel_mean
        if pitch is not None:
            f[col["pc_beat"]] = 10.0 * stability[on_beat] @ w[on_beat] / max(beat_w, 1e-9)
            f[col["pc_downbeat"]] = 10.0 * stability[on_bar] @ w[on_bar] / max(float(w[on_bar].sum()), 1e-9)
            f[col["leap_beat"]] = on_beat[leap].mean() if leap.any() else 0.0
        f[col[f"meter_{b}x{m}"]] = 1.0
    return out


def relative_levels(accent_db: np.ndarray | None, pitch: np.ndarray | None, n: int) -> np.ndarray:
    """Each note's level against the others at its pitch and the notes around it, in dB, shape (n,).

    An instrument's level changes with its register, so each note is weighed
    first against the other notes at its pitch (their mean, shrunk towards the
    melody's median when few notes share it: a note alone at its pitch keeps
    its own level); then against the median of the nine notes around it (a
    crescendo is not an accent). On the rendered benchmark items, aligned with
    their true bars, the pitch step cut the note-to-note spread of levels from
    1.9 to 1.4 dB while the downbeats stayed about 1.5 dB louder.

    Args:
        accent_db: Each note's peak level in dB, shape (n,), or ``None`` (all zeros back).
        pitch: MIDI numbers, shape (n,), or ``None`` (no pitch step).
        n: Number of notes.
    """
    if accent_db is None or n < 2:
        return np.zeros(n)
    acc = np.asarray(accent_db, dtype=np.float64)
    if pitch is not None:
        p = np.asarray(pitch)
        centred = acc - np.median(acc)
        acc = centred.copy()
        for g in np.unique(p):
            sel = p == g
            acc[sel] = centred[sel] - (centred[sel].sum() - centred[sel]) / sel.sum()
    # The median of the nine notes around each (fewer at the ends: the padding is NaN).
    window = np.lib.stride_tricks.sliding_window_view(np.pad(acc, 4, constant_values=np.nan), 9)
    return np.clip(acc - np.nanmedian(window, axis=1), -12.0, 12.0)


def bar_count_cost(candidates: list[MeterChoice], length_tatums: float, log_share: np.ndarray) -> np.ndarray:
    """How rare each reading makes the tune's length in bars, shape (len(candidates),):
    ``-log_share[n]``, with ``n`` the tune's length over the reading's bar rounded to whole bars
    (clipped to the table).

    ``log_share[n]`` is the log share of tunes ``n`` bars long, 0 for the commonest length
    (folk songs: 8, 16 and 12 bars; a tune of 6 bars is about ten times rarer than one of 8), so
    a 24-beat tune costs more as 6 bars of 4/4 than as 8 of 3/4, while 12 bars of 4/4 and 16 of
    3/4 cost about the same.
    """
    out = np.zeros(len(candidates))
    for i, c in enumerate(candidates):
        bars = length_tatums / (c.tatums_per_beat * c.beats_per_bar)
        out[i] = -float(log_share[int(np.clip(round(bars), 0, len(log_share) - 1))])
    return out


def phrase_frame(candidates: list[MeterChoice], length_tatums: float) -> np.ndarray:
    """Per reading, how many of the two ends of a printed tune it keeps, shape (len(candidates),):
    the first onset (at tatum 0) on a downbeat (1; a pickup instead costs its share of the bar, so a
    long pickup is marked down more than a short one), and the end of the last note
    (``length_tatums``) on a bar line (1). Exercises and songs mostly start on a downbeat, and a
    pickup is made up by a short last bar, so the tune ends on a bar line either way; a sung final
    note is often cut short, and a long pickup is then the cheap way to end on a bar line."""
    out = np.zeros(len(candidates))
    for i, c in enumerate(candidates):
        bar = c.tatums_per_beat * c.beats_per_bar
        end = (length_tatums - c.downbeat) % bar
        out[i] = (1.0 if c.downbeat == 0 else -c.downbeat / bar) + float(min(end, bar - end) < 1e-6)
    return out


def compound_or_triplets(k: np.ndarray, choice: MeterChoice) -> MeterChoice:
    """Beats in three: a compound meter when most beats are divided (a jig's
    running eighths), a simple meter with triplets when most are not."""
    integer = np.abs(k - np.round(k)) < 1e-9
    ki = np.round(k).astype(np.int64)
    beat_of = (ki - choice.downbeat) // 3
    divided = {int(x) for x in beat_of[~integer | ((ki - choice.downbeat) % 3 != 0)]}
    if len(divided) < 0.5 * len(set(beat_of.tolist())):
        return MeterChoice(3, choice.beats_per_bar, choice.downbeat, f"{choice.beats_per_bar}/4", compound=False)
    return choice


def _same_meter(candidate: str, wanted: str) -> bool:
    """Whether a candidate reading can be written in the wanted time signature."""
    if is_compound(wanted) != is_compound(candidate):
        return False
    return beats_per_bar(candidate) == beats_per_bar(wanted)


def beats_per_bar(ts: str) -> int:
    ts = TimeSignature(ts)
    num, den = ts.numerator, ts.denominator
    if ts.is_compound:
        return num // 3
    return num if den == 4 else max(1, num * 4 // den) if den < 4 else num


def is_compound(ts: str) -> bool:
    return TimeSignature(ts).is_compound
