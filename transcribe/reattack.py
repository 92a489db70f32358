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

from . import network

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
    "fall_db",  # fall over the three frames before the low point (a beat falls as fast as it rises)
    "rise_1_db",  # rise over the first frame after the low point (an attack is sudden)
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
                min(float(loud[max(0, d - 3) : d].max() - loud[d]), MAX_DB) if d > 0 else 0.0,
                min(float(loud[d + 1] - loud[d]), MAX_DB) if d + 1 < n else 0.0,
            )
        )
    return np.asarray(splits, dtype=int), np.asarray(rows, dtype=np.float64)


def probability(features: np.ndarray, *, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Probability that each candidate is a new note, shape (k,).

    Args:
        features: Shape (k, len(FEATURES)), from :func:`run_candidates`.
        weights: In :func:`transcribe.network.probability`'s layout; :data:`WEIGHTS` when ``None``.
    """
    return network.probability(features, WEIGHTS if weights is None else weights)


# Fitted by ``python -m benchmarks.fit_reattack`` (see its docstring for the data).
# fmt: off
WEIGHTS: dict[str, np.ndarray] = {
    "mean": np.array([
        3.65228, 4.46514, 4.50196, 0.35438, 0.50865, 3.19648, 3.23151, 0.23122, 9.47647, 0.896463, 0.00594983, 7.12236, 0.529445,
        0.52274, 0.69846, 0.123161, 3.60819, 1.59946, -1.10632, -0.751573, 2.96997, 1.2035
    ]),
    "scale": np.array([
        3.61944, 4.45094, 4.6123, 0.336257, 0.42411, 3.66925, 2.66582, 0.348029, 17.27, 0.137257, 0.0769053, 5.45417, 0.42555,
        0.424817, 0.458926, 0.060248, 3.45146, 3.90958, 0.583829, 0.541724, 3.28692, 1.96647
    ]),
    "hidden": np.array([
        [
            -0.0502008, 0.014787, 0.00188875, 0.0289774, 0.0516658, 0.0475397, 0.183297, 0.00618963, -0.0426932, -0.112671,
            -0.0792066, 0.167416, -0.0820628, -0.0194323, 0.0312966, 0.126094, -0.106119, 0.0204574, 0.0361339, 0.0388414,
            0.152456, 0.119367
        ],
        [
            0.0535242, 0.135561, -0.132444, -0.0619284, -0.1128, -0.572911, 0.113166, -0.113646, -0.367005, 0.0872192, 0.0154897,
            -0.0986516, -0.0442348, 0.192389, -0.0924697, 0.310872, 0.0780278, -0.0060757, 0.0527226, -0.240353, 0.357812,
            -0.266847
        ],
        [
            -0.0285011, 0.0653013, -0.564271, -0.103452, 0.0892713, 0.0791626, -0.0512285, 0.0590261, -0.0297577, 0.231537,
            -0.0827737, -0.0119724, -0.0593999, -0.054517, 0.059349, -0.918897, 0.00643268, -0.227935, 0.146008, 0.340922,
            0.184717, -0.0150576
        ],
        [
            -0.0262732, 0.0712546, 0.0936157, -0.223491, -0.0738648, -0.0547416, -0.0824002, -0.236537, 0.080375, -0.0196159,
            0.0132518, 0.215964, -0.0880326, 0.380333, 0.191032, 0.119265, -0.162754, -0.202958, -0.371829, 0.0228636,
            -0.00752256, 0.100741
        ],
        [
            0.0448023, 0.200935, -0.12073, 0.0234114, -0.0611714, -0.0123884, -0.500364, 0.0399424, -0.0295679, 0.174242,
            0.0132714, -0.153717, 0.170429, -0.00967772, -0.149943, -0.100181, 0.0899168, -0.112863, -0.222783, 0.0835279,
            -0.491262, -0.247378
        ],
        [
            -0.264569, 0.228393, -0.179473, 0.144763, -0.19473, 0.0372095, 0.0621468, 0.130403, 0.0102343, -0.0333271, 0.0620874,
            0.146091, 0.129425, -0.946333, -0.0122069, 0.0547285, -0.297405, 0.0755475, -0.0642844, -0.0106247, 0.0935833,
            -0.0985315
        ],
        [
            0.0440004, -0.0947432, 0.109298, -0.04532, -0.039363, 0.337631, -0.308625, 0.0123929, -0.486548, 0.178601, 0.21484,
            0.0233991, 0.0062163, -0.0177667, 0.187173, -0.324495, 0.132999, 0.00235227, 0.290482, 0.00475485, 0.129873, 0.339416
        ],
        [
            0.214611, 0.0200231, 0.328737, 0.074051, -0.202024, 0.0748141, -0.184918, 0.0687078, 0.0285023, -0.171226, 0.0946728,
            0.115344, 0.133431, 0.0580859, 0.109429, 0.0163901, 0.316419, 0.0567212, 0.241741, -0.224736, 0.00928414, -0.186263
        ],
        [
            -0.108559, 0.231835, -0.155228, 0.115474, -0.0906249, 0.017815, 0.104758, 0.102713, -0.0211992, 0.0567291, 0.0035285,
            0.110045, 0.180345, -0.585471, -0.0636308, 0.0511174, -0.113261, -0.079587, -0.0881984, -0.00871739, -0.0508923,
            -0.0930905
        ],
        [
            -0.0181081, 0.0202823, -0.1629, 0.066998, 0.0292871, 0.00296598, -0.0612526, 0.000428301, -0.141088, -0.173168,
            0.0127301, 0.0129918, 0.229061, 0.133881, -0.117302, 0.371492, 0.00364439, 0.0431812, 0.0697293, 0.0252765, 0.0094577,
            0.159889
        ],
        [
            -0.315931, -0.209695, 0.157193, 0.141905, -0.172929, 0.0788595, -0.193618, 0.130669, 0.333416, -0.202969, -0.0143049,
            -0.0818896, -0.204337, 0.0325482, -0.173233, 0.0370092, -0.292628, 0.0875289, -0.0463576, -0.0480863, 0.427426,
            0.11311
        ],
        [
            0.272043, -0.00833044, 0.277927, -0.110077, -0.0165785, 0.0537529, -0.0999244, -0.144463, -0.514583, 0.575141,
            -0.00304182, -0.137954, 0.0683643, 0.0795378, -0.199763, 0.219914, 0.0801954, -0.0318792, -0.0236834, 0.0492886,
            -0.470148, -0.121201
        ],
        [
            0.00153568, 0.000209108, -0.00043006, 0.000816534, 0.00185729, 0.000716648, -0.000939842, 0.00130287, 0.00580242,
            0.00343739, 0.000642175, 0.000846643, 0.000257356, 0.00132899, 0.000384955, -0.00272405, 0.00314997, 0.00161103,
            0.00436661, 0.000984212, 0.00062657, -0.000628493
        ],
        [
            0.0815954, -0.396626, 0.249785, -0.0834354, -0.102778, 0.0140496, 0.2014, -0.0579741, -0.00290792, 0.26699, 0.0387258,
            -0.386472, 0.242106, 0.135864, -0.0214729, -0.13075, 0.0855949, -0.094846, -0.173818, 0.102165, -0.277392, -0.211119
        ],
        [
            0.124921, 0.288091, -0.0600929, 0.130811, 0.169318, -0.0610213, -0.0129132, 0.137772, -0.0256667, 0.0445347,
            0.00434179, 0.0271966, 0.262763, -0.373877, -0.220255, -0.0656593, 0.0442019, 0.115832, -0.134186, -0.0785582,
            -0.225355, -0.048105
        ],
        [
            0.00861412, -0.0635024, 0.307667, 0.10367, 0.0919877, -0.0626178, 0.136864, 0.0535021, 0.410894, -0.15029, -0.180027,
            0.0778532, 0.163701, 0.0530723, 0.036968, 0.269357, 0.0930621, -0.0674127, -0.0252964, -0.365758, -0.621359,
            -0.0881458
        ],
    ]),
    "hidden_bias": np.array([
        -0.0668119, 0.0503967, 0.253604, 0.659696, -0.0376594, -0.300188, -0.169488, -0.396912, -0.0759344, -0.49817, 0.136167,
        0.0698126, 0.359724, 0.253191, 0.104208, 0.109829
    ]),
    "out": np.array([
        -0.408297, 0.985964, 1.22251, -0.780214, -0.89981, -1.13703, 0.962228, 0.760759, -0.754509, 0.586101, -0.897574, -1.07681,
        0.0103334, -0.883465, -0.727119, 1.00918
    ]),
    "out_bias": np.array(-1.28954),
}
# fmt: on
