"""Re-attacks inside a held pitch: is this loudness dip or onset a new note?

A repeated note leaves the pitch track unchanged; only the level and the
spectrum show it. A re-bowed or re-tongued note dips and comes back with an
onset, a struck one rises out of its decay, while a choir's beating or a
vibrato dips just as deep with no new note. No single threshold separates them
(the rules this replaced split 0.70 of their picks right and found 0.58 of the
repeats on the rendered set), so a small network weighs the evidence. Its
weights are fitted by ``python -m benchmarks.fit_reattack`` on rendered sets the
benchmark does not score.

Every candidate is a frame of one note's run: a local loudness minimum at least
:data:`MIN_DIP_DB` below both sides, or an onset-strength peak away from any such
minimum. :func:`run_candidates` describes each one with :data:`FEATURES`, and
:func:`probability` scores them.
"""

from __future__ import annotations

import numpy as np

#: Shallowest loudness dip (dB below the louder parts on both sides) that is a candidate.
MIN_DIP_DB = 2.0
#: Weakest onset-strength peak (95th percentile = 1) that is a candidate.
MIN_ONSET_PEAK = 0.2
#: Frames either side of a dip over which its depth is measured.
SIDE_FRAMES = 12
#: Frames before / after the low point where the new note's onset may show.
WINDOW_BEFORE, WINDOW_AFTER = 3, 5
#: Position features are clipped here (seconds): longer notes look alike.
MAX_POSITION_S = 2.0
#: Onset strengths are clipped here: a stronger onset is no more of a re-attack, and a clean
#: synthetic note's onset (10 and more) must not take the network far outside its training.
MAX_ONSET = 3.0
#: Loudness differences are clipped here (dB), for the same reason.
MAX_DB = 30.0

FEATURES: tuple[str, ...] = (
    "depth_db",  # the dip below the lower of the two sides
    "drop_db",  # below the level before it
    "rise_db",  # below the level after it
    "onset",  # strongest onset strength around the low point
    "attack",  # strongest short-window onset strength there
    "slope_db",  # rise over the three frames after the low point
    "dips_per_s",  # dips of 3 dB and more per second in this note (beating, tremolo)
    "onset_above_note",  # onset minus the note's median onset strength
    "pitch_step_cents",  # pitch after minus before the dip (absolute, capped at 100)
    "confidence_min",  # lowest tracker confidence around the low point
    "unvoiced",  # a frame around the low point is unvoiced
    "below_peak_db",  # the low point below the note's loudest frame
    "since_start_s",  # from the note's start to the split
    "to_end_s",  # from the split to the note's end
    "is_dip",  # 1 for a loudness dip, 0 for a bare onset peak
    "note_onset",  # the note's median onset strength
    "depth_capped_db",  # depth, capped at 15 dB
    "depth_x_onset",  # depth times onset
    "log_onset",
    "log_attack",
)


def run_candidates(
    loud_db: np.ndarray,
    onset: np.ndarray,
    attack: np.ndarray,
    midi: np.ndarray,
    confidence: np.ndarray,
    voiced: np.ndarray,
    *,
    hop_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate re-attacks in one note's frames and their features.

    Args:
        loud_db: Loudness of the note's frames (dB), shape (n,).
        onset: Onset strength, shape (n,).
        attack: Short-window onset strength, shape (n,).
        midi: Pitch in (fractional) MIDI numbers, NaN where unvoiced, shape (n,).
        confidence: Tracker confidence, shape (n,).
        voiced: Voicing mask, shape (n,).
        hop_s: Frame hop (seconds).

    Returns:
        ``(split, features)``: the frame (index into the note) where the new note
        would start, shape (k,), and the features, shape (k, len(FEATURES)).
    """
    n = len(loud_db)
    if n < 4:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))
    loud = np.asarray(loud_db, dtype=np.float64)
    on = np.minimum(np.asarray(onset, dtype=np.float64), MAX_ONSET)
    att = np.minimum(np.asarray(attack, dtype=np.float64), MAX_ONSET)
    pad = np.full(SIDE_FRAMES, -np.inf)
    padded = np.concatenate([pad, loud, pad])
    win = np.lib.stride_tricks.sliding_window_view(padded, SIDE_FRAMES)
    left = win[:n]  # frames d-12 .. d-1
    right = win[SIDE_FRAMES + 1 : SIDE_FRAMES + 1 + n]  # frames d+1 .. d+12
    left_max, right_max = left.max(axis=1), np.full(n, -np.inf)
    right_max[: len(right)] = right.max(axis=1)
    drop, rise = np.minimum(left_max - loud, MAX_DB), np.minimum(right_max - loud, MAX_DB)
    idx = np.arange(1, n - 1)
    is_min = (loud[idx] <= loud[idx - 1]) & (loud[idx] < loud[idx + 1])
    dips = idx[is_min & (np.minimum(drop[idx], rise[idx]) >= MIN_DIP_DB)]
    dips_per_s = float(np.count_nonzero(np.minimum(drop[dips], rise[dips]) >= 3.0)) / (n * hop_s)

    lows, splits, dip_flag = [], [], []
    for d in dips:
        lows.append(d)
        splits.append(d + 1 + int(np.argmax(on[d + 1 : d + 5])))
        dip_flag.append(1.0)
    onset_peaks = np.arange(2, n - 1)
    if len(onset_peaks):
        local = np.lib.stride_tricks.sliding_window_view(np.concatenate([on, np.zeros(2)]), 5)[onset_peaks - 2]
        onset_peaks = onset_peaks[(on[onset_peaks] >= MIN_ONSET_PEAK) & (on[onset_peaks] >= local.max(axis=1))]
    for i in onset_peaks:
        if not len(dips) or np.abs(dips - i).min() > 3:
            lows.append(int(i))
            splits.append(int(i))
            dip_flag.append(0.0)
    if not lows:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))

    note_onset = float(np.median(on))
    peak = float(loud.max())
    vm = np.where(voiced, midi, np.nan)
    rows = []
    for d, s, is_dip in zip(lows, splits, dip_flag):
        w0, w1 = max(0, d - WINDOW_BEFORE), d + WINDOW_AFTER
        before, after = vm[max(0, d - 9) : max(d - 1, 0)], vm[d + 2 : d + 10]
        before, after = before[np.isfinite(before)], after[np.isfinite(after)]
        step = min(abs(float(np.median(after) - np.median(before))) * 100.0, 100.0) if len(before) and len(after) else 0.0
        depth = float(min(drop[d], rise[d])) if is_dip else 0.0
        on_max, att_max = float(on[w0:w1].max()), float(att[w0:w1].max())
        rows.append(
            (
                depth,
                float(drop[d]) if is_dip else 0.0,
                float(rise[d]) if is_dip else 0.0,
                on_max,
                att_max,
                min(float(loud[d + 1 : d + 4].max() - loud[d]), MAX_DB) if d + 1 < n else 0.0,
                dips_per_s,
                on_max - note_onset,
                step,
                float(confidence[w0:w1].min()),
                float(not np.all(voiced[w0:w1])),
                min(peak - float(loud[d]), MAX_DB),
                min(s * hop_s, MAX_POSITION_S),
                min((n - s) * hop_s, MAX_POSITION_S),
                is_dip,
                note_onset,
                min(depth, 15.0),
                depth * on_max,
                float(np.log(on_max + 0.05)),
                float(np.log(att_max + 0.05)),
            )
        )
    return np.asarray(splits, dtype=int), np.asarray(rows, dtype=np.float64)


def probability(features: np.ndarray, *, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Probability that each candidate is a new note, shape (k,).

    Args:
        features: Shape (k, len(FEATURES)), from :func:`run_candidates`.
        weights: ``mean``, ``scale``, ``hidden`` (h, f), ``hidden_bias`` (h,), ``out`` (h,)
            and ``out_bias`` (scalar); :data:`WEIGHTS` when ``None``.
    """
    w = WEIGHTS if weights is None else weights
    x = (np.asarray(features, dtype=np.float64) - w["mean"]) / w["scale"]
    h = np.maximum(x @ np.asarray(w["hidden"]).T + w["hidden_bias"], 0.0)
    z = h @ np.asarray(w["out"]) + float(w["out_bias"])
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))


# Fitted by ``python -m benchmarks.fit_reattack`` (see its docstring for the data).
# fmt: off
WEIGHTS: dict[str, np.ndarray] = {
    "mean": np.array([
        3.65228, 4.46514, 4.50196, 0.35438, 0.50865, 3.19648, 3.23151, 0.23122, 9.47647, 0.896463, 0.00594983, 7.12236, 0.529445,
        0.52274, 0.69846, 0.123161, 3.60819, 1.59946, -1.10632, -0.751573
    ]),
    "scale": np.array([
        3.61944, 4.45094, 4.6123, 0.336257, 0.42411, 3.66925, 2.66582, 0.348029, 17.27, 0.137257, 0.0769053, 5.45417, 0.42555,
        0.424817, 0.458926, 0.060248, 3.45146, 3.90958, 0.583829, 0.541724
    ]),
    "hidden": np.array([
        [
            -3.89846e-06, -1.03176e-06, -1.23233e-05, -2.80628e-07, 1.09659e-05, 9.91654e-07, -1.81072e-05, -1.0756e-05,
            8.91882e-06, 1.60472e-05, 1.23899e-05, -3.00507e-06, 2.74259e-05, 3.37492e-06, 1.74364e-05, 1.17595e-06, 6.00685e-06,
            -1.53409e-06, -2.99103e-07, -1.03037e-05
        ],
        [
            0.0538834, 0.0708441, 0.237237, 0.0358319, 0.116308, -0.631802, 0.233537, -0.0430824, 0.162563, -0.234923, -0.0932832,
            0.0110944, 0.160088, 0.233122, -0.134136, 0.448955, 0.0569083, 0.143367, -0.0255648, -0.465441
        ],
        [
            -0.000809884, 0.124758, -0.0642244, 0.158976, 0.0723827, -0.0530913, 0.181112, 0.159085, -0.0844528, 0.113847,
            0.0285614, 0.0333291, 0.102389, -0.28927, -0.0654337, -0.0317983, -0.0343559, 0.0911414, 0.00825774, 0.0417313
        ],
        [
            -0.04587, -0.0152858, 0.0181365, -0.00165156, 0.190864, 0.00390732, 0.369124, 0.0168202, -0.0756196, -0.126402,
            -0.00765847, 0.197658, -0.0102284, -0.0138472, 0.0570695, -0.106511, -0.121232, -0.0106623, -0.135194, 0.0429232
        ],
        [
            0.0447292, -0.065915, 0.00195571, -0.0390097, -0.0655144, -0.0554073, 0.0682239, -0.0334267, -0.012831, 0.0801063,
            0.0356509, -0.0146151, 0.155066, -0.0670294, 0.0271832, -0.0248372, 0.0198148, -0.0195535, -0.0227611, 0.00685236
        ],
        [
            -8.24646e-05, 0.222501, -0.601529, -0.155138, 0.0888402, 0.134456, -0.028147, -0.0073706, 0.0570927, 0.218413,
            -0.050447, 0.000592231, -0.0695935, -0.0641034, 0.0871243, -0.823406, 0.00991093, -0.238605, 0.059308, 0.480704
        ],
        [
            -0.180989, 0.0668625, 0.0549738, -0.00150852, 0.0209855, 0.140414, -0.196487, -0.00451724, 0.272687, -0.110144,
            -0.0315845, 0.0973859, -0.417008, 0.0217845, 0.0530746, 0.0175248, -0.194214, 0.188958, -0.0660113, -0.0208773
        ],
        [
            0.0671095, 0.21182, -0.267241, -0.063859, -0.0389662, -0.18771, 0.110902, -0.0468064, -0.470412, 0.124943, 0.0799126,
            -0.141035, -0.619531, -0.0885927, 0.0919607, -0.0859669, 0.0397889, -0.0299222, 0.0990137, -0.112949
        ],
        [
            0.252678, -0.183334, 0.273448, -0.029971, -0.0250791, -0.126055, -0.143448, -0.0359811, -0.424282, 0.497683,
            -0.000980488, -0.257758, 0.148829, 0.0540452, -0.265072, 0.0406809, 0.0928796, 0.0068269, -0.0415004, 0.0424625
        ],
        [
            -0.185052, 0.288602, -0.238145, 0.230154, -0.224495, -0.0896817, 0.0737825, 0.211092, -0.00171725, 0.00503399,
            0.0829071, 0.0474442, 0.199486, -1.14874, -0.130252, 0.0649847, -0.18772, 0.00631282, -0.151806, -0.0160663
        ],
        [
            0.00605437, -0.00839895, 0.0701499, -0.227841, -0.0920471, -0.101667, -0.0257256, -0.232722, -0.0564389, 0.0641116,
            0.0208472, 0.144059, 0.101695, 0.0719802, -0.00901191, 0.0728741, -0.0788891, -0.102045, -0.331661, 0.0600309
        ],
        [
            -0.0577411, -0.312934, 0.108389, -0.156547, -0.11019, 0.192566, 0.0543022, -0.166623, 0.0343461, 0.0928525, 0.0467777,
            -0.208762, -0.0574544, 0.466386, 0.180784, 0.0888817, -0.0787134, -0.069101, -0.203304, 0.179441
        ],
        [
            0.0854361, -0.0904088, 0.280467, 0.0631108, -0.183369, 0.566296, -0.355599, 0.139003, -0.13556, 0.00846259, 0.183347,
            0.132487, 0.0278253, 0.0168567, 0.339964, -0.450995, 0.248734, 0.0450788, 0.318714, -0.139927
        ],
        [
            0.0166699, 0.384416, -0.141876, 0.000623226, -0.00281223, -0.133258, -0.181242, 0.0266056, 0.235701, -0.317987,
            -0.0803929, 0.250674, 0.00456246, -0.0212792, -0.166232, -0.150224, -0.139437, 0.116505, -0.183602, -0.103013
        ],
        [
            -0.0475566, -0.115082, -0.121817, -0.0128847, -0.0623267, -0.00191461, -0.441841, 0.0210304, -0.0354043, 0.175379,
            -0.0048401, -0.460812, 0.221974, 0.0432427, -0.238236, -0.193364, -0.0499169, -0.118434, -0.163686, 0.104596
        ],
        [
            -0.0264052, -0.00173397, 0.0378591, -0.050669, -0.187405, -0.200746, 0.00155922, -0.0799459, -0.195673, 0.158771,
            0.0150736, 0.0547587, -0.093451, -0.0975017, 0.04175, 0.17877, -0.0655893, -0.0416274, -0.16708, -0.00231566
        ],
    ]),
    "hidden_bias": np.array([
        -0.10832, 0.272692, -0.0200079, -0.000384915, -0.0103859, 0.269808, -0.0894032, -0.240123, -0.0923126, -0.295791,
        0.749425, 0.414595, -0.429186, -0.189557, -0.129883, 1.05533
    ]),
    "out": np.array([
        -3.09352e-06, 1.0793, -0.493839, -0.53518, -0.245515, 1.22608, -0.671963, 0.933419, -0.902361, -1.33596, -0.550636,
        -0.786225, 1.08218, -0.757083, -0.821064, -0.515617
    ]),
    "out_bias": np.array(-1.01638),
}
# fmt: on
