"""Two or four beats a bar: the check between the best 2/4 and 4/4 readings (``duple.npz``)."""

from __future__ import annotations

import numpy as np

from .. import models
from .meter import (
    _COLUMN,
    MeterChoice,
    best_downbeat,
    meter_scores,
    meter_weights,
    readings_of,
)

#: Features of the meter model compared between the best two-beat and four-beat
#: readings by :func:`two_or_four` (their difference, two-beat minus four-beat).
DUPLE_DIFFS: tuple[str, ...] = (
    "repeat",
    "repeat2",
    "repeat4",
    "rhythm_repeat",
    "rhythm_repeat2",
    "rhythm_repeat4",
    "loud_downbeat",
    "long_downbeat",
    "barcross",
    "return_bar",
)


#: The columns of :func:`duple_features`, in the order of :func:`duple_weights`.
DUPLE_FEATURES: tuple[str, ...] = (
    "score",  # the meter model's best two-beat score less its best four-beat score
    "halfbar",  # the four-beat reading's beat-3 weight (see METER_FEATURES)
    *(f"{name}_diff" for name in DUPLE_DIFFS),
    "accent_db",  # level on the four-beat reading's beat 1 less on its beat 3 (dB)
    "accent_t",  # ... over its standard error (+ 0.3 dB)
    "accent_abs_t",  # ... its size either way: a 2/4 melody has no weak beat 3 to find
)


#: Log-odds against two beats a bar when the last note lasts three beats or more.
#: Written 2/4 tunes almost never end on a note longer than their bar, 4/4 tunes
#: often do (a dotted half or a whole note): in the corpus tunes the meter model is
#: fitted on (``benchmarks/data/meter_tunes-1-1500-without-0x48-1x96.pkl``), 1 of
#: 232 in 2/4 against 62 of 385 in 4/4 or 2/2, a likelihood ratio of about
#: exp(3.2). The rendered items are cut from looped tunes at a bar line, so their
#: last notes cannot teach this to :func:`duple_weights`.
LONG_END_LOG_ODDS = 3.2


def duple_weights() -> tuple[np.ndarray, float]:
    """Logistic weights for "two beats a bar" (:func:`two_or_four`) in :data:`DUPLE_FEATURES`
    order, and the intercept (``transcribe/models/duple.npz``), fitted by
    ``python -m benchmarks.fit_duple`` on real transcriptions of the rendered items of seeds
    2-8 whose tunes neither scored set uses (1074 items, 698 where exactly one of the two
    readings is right): time signature 0.783 -> 0.813 on them, five folds split by tune.
    Weights fitted on seeds 2-4 alone took seeds 5-8, which they had not seen, from 0.791
    to 0.815."""
    model = models.checked("duple", DUPLE_FEATURES)
    return model.arrays["weights"], float(model.arrays["intercept"])


def duple_features(
    candidates: list[MeterChoice], feats: np.ndarray, index: int, k: np.ndarray, rel: np.ndarray
) -> tuple[np.ndarray, int, int] | None:
    """What tells two beats a bar from four, when the chosen reading is one of them.

    Args:
        candidates: The readings.
        feats: Their :func:`meter_features` rows.
        index: The chosen reading.
        k: Onset positions in tatums, shape (n,).
        rel: Each note's level from :func:`relative_levels`, shape (n,).

    Returns:
        The :data:`DUPLE_FEATURES` row, and the indices of the best two-beat and
        four-beat readings at the chosen beat (each with the downbeat the weighted sum
        prefers); ``None`` when the chosen reading is not simple duple or one of the
        two has no reading.
    """
    chosen = candidates[index]
    if chosen.compound or chosen.beats_per_bar not in (2, 4):
        return None
    b = chosen.tatums_per_beat
    groups = [readings_of(candidates, b, m, compound=False) for m in (2, 4)]
    if not groups[0] or not groups[1]:
        return None
    score = meter_scores(feats)
    w = meter_weights()
    two, four = (best_downbeat(candidates, feats, w, b, m, compound=False) for m in (2, 4))
    col = _COLUMN
    x = [float(score[groups[0]].max() - score[groups[1]].max()), float(feats[four, col["halfbar"]])]
    x += [float(feats[two, col[name]] - feats[four, col[name]]) for name in DUPLE_DIFFS]
    integer = np.abs(k - np.round(k)) < 1e-9
    phase = (np.round(k).astype(np.int64) - candidates[four].downbeat) % (4 * b)
    one, three = rel[integer & (phase == 0)], rel[integer & (phase == 2 * b)]
    if len(one) >= 2 and len(three) >= 2:
        diff = float(one.mean() - three.mean())
        t = diff / (float(np.sqrt(one.var() / len(one) + three.var() / len(three))) + 0.3)
        x += [diff, t, abs(t)]
    else:
        x += [0.0, 0.0, 0.0]
    return np.array(x), two, four


def two_or_four(
    candidates: list[MeterChoice],
    feats: np.ndarray,
    index: int,
    k: np.ndarray,
    d: np.ndarray,
    rel: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    intercept: float | None = None,
) -> int:
    """Second look at two against four beats a bar (2/4 against 4/4): the reading to use.

    The meter model is fitted on simulated takes and reads many 2/4 tunes
    as 4/4; a logistic model fitted on real transcriptions decides between
    the best reading of each at the chosen beat from :func:`duple_features`,
    and a long last note counts against two (:data:`LONG_END_LOG_ODDS`).
    Other readings pass through.

    Args:
        candidates: The readings.
        feats: Their :func:`meter_features` rows.
        index: The meter model's reading.
        k: Onset positions in tatums, shape (n,).
        d: Inter-onset intervals in tatums (the last one the last note's length), shape (n,).
        rel: Each note's level from :func:`relative_levels`, shape (n,).
        weights: In :data:`DUPLE_FEATURES` order (default: :func:`duple_weights`);
            all zero, with a zero intercept, turns the check off.
        intercept: Default: :func:`duple_weights`' intercept.

    Returns:
        The index of the reading to use: ``index`` itself when the check agrees
        on the number of beats a bar (its downbeat kept).
    """
    got = duple_features(candidates, feats, index, k, rel)
    if got is None:
        return index
    x, two, four = got
    fitted_w, fitted_c = duple_weights()
    w = fitted_w if weights is None else weights
    c = fitted_c if intercept is None else intercept
    if not w.any() and c == 0.0:
        return index
    pick = two if duple_log_odds(x, w, c, long_end=long_end(d, candidates[four])) > 0.0 else four
    # Keep the meter model's downbeat when it already chose that many beats a bar.
    return index if candidates[pick].beats_per_bar == candidates[index].beats_per_bar else pick


def long_end(d: np.ndarray, reading: MeterChoice) -> bool:
    """Whether the last note lasts three beats or more of ``reading`` (``d``: inter-onset
    intervals in tatums, the last one the last note's length, shape (n,))."""
    return float(d[-1]) >= 3 * reading.tatums_per_beat - 0.5


def duple_log_odds(x: np.ndarray, weights: np.ndarray, intercept: float, *, long_end: bool) -> float:
    """Log-odds of two beats a bar from a :func:`duple_features` row and the last note (see
    :data:`LONG_END_LOG_ODDS`)."""
    return float(x @ weights) + intercept - (LONG_END_LOG_ODDS if long_end else 0.0)
