"""Where an instrument's note starts: the frame its attack begins.

The segmentation puts a note's onset where its pitch takes over, and the
attack search (:func:`transcribe.notes.segment`) moves it back to the start of
the strongest attack-strength peak. A slow attack (a cello, a choir patch) or
one under the previous note's reverb has no single clear peak, and the onset
stays 50-100 ms late. Here every frame from :data:`BEFORE_S` before to
:data:`AFTER_S` after the onset is described by :data:`FEATURES` (attack and
onset strength and their shape, how the level and the pitch move, where the
previous note is), a small network gives the probability that the note starts
at that frame, and the onset moves to the likeliest frame. That frame is still
late on average where the level rises slowly (a bowed note is heard some
20 ms after the bow starts it), so a regression on the chosen frame's
features and the probabilities around it (:data:`SHIFT_FEATURES`) moves the
onset by the expected error, at most :data:`MAX_EARLIER_S` earlier or
:data:`MAX_LATER_S` later. Both are fitted by ``python -m benchmarks.fit_attack``
on rendered sets the benchmark does not score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import network
from .types import FrameArrays, Note

#: The window searched around each onset (seconds before and after it).
BEFORE_S, AFTER_S = 0.15, 0.05
#: Strengths and level differences are clipped here (their scale beyond is not informative).
MAX_STRENGTH, MAX_DB = 3.0, 30.0

FEATURES: tuple[str, ...] = (
    "dt_s",  # the frame's time minus the current onset
    "attack",  # short-window onset strength at the frame
    "attack_share",  # ... over the window's strongest
    "attack_before",  # ... one frame earlier
    "attack_after",  # ... one frame later
    "onset",  # onset strength at the frame
    "onset_share",  # ... over the window's strongest
    "rise_db",  # level two frames later minus now
    "step_db",  # level now minus one frame earlier
    "below_top_db",  # the window's loudest level minus the frame's
    "confidence",
    "pitch_off_cents",  # the frame's pitch from the note's (capped at 200)
    "prev_pitch_off_cents",  # ... from the previous note's (200 when none)
    "voiced",
    "in_prev",  # the frame lies inside the previous note
    "gap_s",  # silence between the previous note and this onset (capped at 0.5 s)
    "duration_s",  # the note's length (capped at 2 s)
)


#: What the onset shift sees: the chosen frame's :data:`FEATURES`, then the
#: network's probabilities at it and around it, and where it lies in the window.
SHIFT_FEATURES: tuple[str, ...] = (
    *FEATURES,
    "prob",  # probability at the chosen frame
    "prob_before",  # ... one frame earlier
    "prob_before2",  # ... two frames earlier
    "prob_before3",  # ... three frames earlier
    "prob_after",  # ... one frame later
    "position",  # the chosen frame's index over the number of candidate frames (0 = earliest)
)
#: The onset shift's range (seconds): earlier, later.
MAX_EARLIER_S, MAX_LATER_S = 0.05, 0.016
#: Standardised shift features are clipped here before squaring (outliers do not swing the shift).
MAX_Z = 4.0


def onset_features(note: Note, prev: Note | None, frames: FrameArrays, *, min_note_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate onset frames of one note and their features.

    Args:
        note: The note.
        prev: The note before it, ``None`` for the first.
        frames: The recording's per-frame arrays.
        min_note_s: Both this note and the previous keep at least this length (seconds).

    Returns:
        ``(frames, features)``: track frame indices, shape (k,), and features, shape
        (k, len(FEATURES)).
    """
    times = frames.times_s
    lo_s = note.onset_s - BEFORE_S
    if prev is not None:
        lo_s = max(lo_s, prev.onset_s + min_note_s)
    hi_s = min(note.onset_s + AFTER_S, note.offset_s - min_note_s)
    lo, hi = int(np.searchsorted(times, lo_s, side="left")), int(np.searchsorted(times, hi_s, side="right"))
    if hi - lo < 2:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))
    n = len(times)
    j = np.arange(lo, hi)
    loud, midi = frames.loudness_db, frames.midi

    def at(x: np.ndarray, k: np.ndarray) -> np.ndarray:
        return x[np.clip(k, 0, n - 1)]

    def strength(x: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.minimum(at(x, k), MAX_STRENGTH)

    att_j, on_j = strength(frames.attack, j), strength(frames.onset, j)

    def cents(ref: float) -> np.ndarray:
        m = midi[j]
        return np.where(np.isfinite(m), np.minimum(np.abs(m - ref) * 100.0, 200.0), 200.0)

    top_att, top_on = max(float(att_j.max()), 1e-3), max(float(on_j.max()), 1e-3)
    gap = 0.5 if prev is None else float(np.clip(note.onset_s - prev.offset_s, 0.0, 0.5))
    rows = np.column_stack(
        [
            times[j] - note.onset_s,
            att_j,
            att_j / top_att,
            strength(frames.attack, j - 1),
            strength(frames.attack, j + 1),
            on_j,
            on_j / top_on,
            np.clip(at(loud, j + 2) - loud[j], -MAX_DB, MAX_DB),
            np.clip(loud[j] - at(loud, j - 1), -MAX_DB, MAX_DB),
            np.minimum(float(loud[j].max()) - loud[j], MAX_DB),
            frames.confidence[j],
            cents(note.midi),
            cents(prev.midi) if prev is not None else np.full(len(j), 200.0),
            frames.voiced[j].astype(np.float64),
            (times[j] < prev.offset_s).astype(np.float64) if prev is not None else np.zeros(len(j)),
            np.full(len(j), gap),
            np.full(len(j), min(note.offset_s - note.onset_s, 2.0)),
        ]
    )
    return j, rows


def probability(features: np.ndarray, *, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Probability that the note starts at each candidate frame, shape (k,).

    Args:
        features: Shape (k, len(FEATURES)), from :func:`onset_features`.
        weights: In :func:`transcribe.network.probability`'s layout; :data:`WEIGHTS` when ``None``.
    """
    return network.probability(features, WEIGHTS if weights is None else weights)


def shift_features(features: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """The onset shift's inputs for candidate ``k``, shape (len(SHIFT_FEATURES),).

    Args:
        features: Shape (n, len(FEATURES)), from :func:`onset_features`.
        p: The network's probabilities, shape (n,).
        k: The chosen candidate.
    """
    last = len(p) - 1
    around = [p[k], p[max(k - 1, 0)], p[max(k - 2, 0)], p[max(k - 3, 0)], p[min(k + 1, last)], k / len(p)]
    return np.append(features[k], around)


def onset_shift_s(x: np.ndarray, shift: dict[str, np.ndarray]) -> np.ndarray:
    """Expected error of the chosen onset frame (seconds, positive: the note starts later).

    Args:
        x: :func:`shift_features` rows, shape (m, len(SHIFT_FEATURES)) or (len(SHIFT_FEATURES),).
        shift: ``mean``, ``scale`` (standardisation), ``bias``, ``linear`` and
            ``square`` (weights of the standardised features and of their squares).

    Returns:
        Shape ``x.shape[:-1]``, clipped to ``[-MAX_EARLIER_S, MAX_LATER_S]``; 0 where ``x`` holds a NaN.
    """
    z = np.clip((x - shift["mean"]) / shift["scale"], -MAX_Z, MAX_Z)
    raw = shift["bias"] + z @ shift["linear"] + (z * z) @ shift["square"]
    # A frame described by a missing value keeps its time rather than move by NaN.
    return np.clip(np.nan_to_num(raw, nan=0.0), -MAX_EARLIER_S, MAX_LATER_S)


def refine_onsets(
    notes: tuple[Note, ...],
    frames: FrameArrays,
    *,
    min_note_s: float,
    min_prob: float = 0.3,
    weights: dict[str, np.ndarray] | None = None,
    shift: dict[str, np.ndarray] | None = None,
) -> tuple[Note, ...]:
    """Move each note's onset to the frame the network finds likeliest, then by the
    expected error of that frame (:func:`onset_shift_s`).

    A note moves only where that frame's probability reaches ``min_prob``; a
    previous note that would overlap the moved onset ends there.

    Args:
        notes: Notes in time order, not overlapping.
        frames: The recording's per-frame arrays (the notes' pitch track, onset and attack
            strength, voicing).
        min_note_s: Notes keep at least this length (seconds).
        min_prob: Weakest probability that moves an onset.
        weights: Network weights; :data:`WEIGHTS` when ``None``.
        shift: Onset shift weights (see :func:`onset_shift_s`); :data:`SHIFT` when ``None``.

    Returns:
        The notes with some onsets moved (and previous offsets cut to them).
    """
    out: list[Note] = []
    for note in notes:
        prev = out[-1] if out else None
        starts, feats = onset_features(note, prev, frames, min_note_s=min_note_s)
        if len(starts):
            p = probability(feats, weights=weights)
            k = int(np.argmax(p))
            if p[k] >= min_prob:
                frame_s = float(frames.times_s[starts[k]])
                moved = float(onset_shift_s(shift_features(feats, p, k), SHIFT if shift is None else shift))
                # The shift leaves both notes their shortest length (the chosen frame already does).
                earliest = min(prev.onset_s + min_note_s, frame_s) if prev is not None else 0.0
                latest = max(frame_s, note.offset_s - min_note_s)
                new_on = min(max(frame_s + moved, earliest), latest)
                if prev is not None and prev.offset_s > new_on:
                    out[-1] = replace(prev, offset_s=new_on)
                note = replace(note, onset_s=new_on)
        out.append(note)
    return tuple(out)


# Fitted by ``python -m benchmarks.fit_attack`` (see its docstring for the data).
# fmt: off
SHIFT: dict[str, np.ndarray] = {
    "mean": np.array([
        0.00344519, 0.814169, 0.586703, 0.227713, 0.928471, 0.79345, 0.782345, 4.35337, -0.941603, 8.0821, 0.842652, 155.783,
        19.5235, 0.972533, 0.00785627, 0.0558735, 0.354347, 0.771892, 0.399641, 0.147544, 0.067091, 0.436462, 0.688956
    ]),
    "scale": np.array([
        0.0143199, 0.858265, 0.331637, 0.526745, 0.725155, 0.612675, 0.264863, 5.28934, 5.60172, 5.06738, 0.175242, 69.724,
        45.6862, 0.163438, 0.0882868, 0.104294, 0.243756, 0.171761, 0.219437, 0.128906, 0.0964859, 0.237784, 0.115926
    ]),
    "bias": np.array(-0.0051644),
    "linear": np.array([
        0.00178392, 0.00153601, -0.000190382, 0.000655816, -0.00237686, 0.00209174, 0.00132399, 0.000506763, -0.0004138,
        0.000261388, 0.00144008, 0.00029847, -0.00671988, 7.57231e-05, 0.000120734, 0.00186364, 0.00106902, 0.00120081,
        -0.00235967, -0.00231937, -0.00524795, 0.00224119, -0.00223824
    ]),
    "square": np.array([
        0.000654484, -0.000580698, -0.000382916, -0.000356353, 0.000187962, -0.000974823, 0.00115362, -5.32496e-05, 0.000359202,
        0.000485315, 0.000922119, -0.000142299, 0.00175181, -0.000290167, 0.000472191, -0.000453696, -0.000463781, -0.000685488,
        0.00061683, 0.000368838, 0.0007898, -0.000560989, 0.00076531
    ]),
}
# fmt: on

# Fitted by ``python -m benchmarks.fit_attack`` (see its docstring for the data).
# fmt: off
WEIGHTS: dict[str, np.ndarray] = {
    "mean": np.array([
        -0.0453413, 0.292491, 0.293614, 0.272562, 0.300741, 0.329929, 0.365328, 0.162509, 0.0161044, 4.70096, 0.885551, 146.451,
        32.2743, 0.97405, 0.484026, 0.0611529, 0.369905
    ]),
    "scale": np.array([
        0.057879, 0.493615, 0.329704, 0.483729, 0.494668, 0.465283, 0.353421, 4.47599, 2.6886, 5.87843, 0.175096, 77.4636, 63.413,
        0.158986, 0.499745, 0.109569, 0.246119
    ]),
    "hidden": np.array([
        [
            0.156266, 0.185461, 0.235883, -0.297349, -0.154483, 0.0124251, 0.231432, -0.0860891, -0.690217, -0.280106, 0.033103,
            0.00632649, -0.0410598, 0.00682713, 0.0361459, 0.0487341, -0.0244532
        ],
        [
            0.102896, 0.0974508, 0.249047, 0.212802, -0.00188683, -0.0920974, -0.0735003, 0.0996098, -0.0160115, -0.108895,
            0.0137524, 0.00878925, 0.0270122, -0.00498347, -0.033041, 0.0209279, 0.00235684
        ],
        [
            -0.20982, -0.113797, -0.200161, -0.187834, 0.194423, 0.0183713, 0.141639, 0.172149, 0.186035, -0.183631, 0.122775,
            -0.228742, 0.161744, 0.0424873, 0.0542964, -0.21963, -0.0509806
        ],
        [
            0.0862013, -0.0560648, -0.0537368, 0.156132, 0.288889, 0.0357995, 0.449406, 0.171403, 0.0101736, 0.0527738,
            -0.0993345, -0.120241, -0.0349155, -0.0509673, 0.0395784, 0.0276367, -0.116694
        ],
        [
            0.342129, -0.373433, 0.133774, 0.358, 0.0912972, -0.188942, 0.224023, -0.00452173, -0.169844, 0.217454, -0.0545165,
            -0.0483572, -0.0217887, 0.0427341, -0.0528532, 0.103651, -0.0100331
        ],
        [
            -0.0414702, 0.213259, -0.0113108, -0.410494, 0.15619, 0.230663, -0.0711398, 0.274139, -0.464531, 0.12475, 0.0920452,
            -0.122987, -0.131573, -0.0743326, -0.197574, -0.0351462, 0.0952332
        ],
        [
            -1.18535, 0.0447878, 0.415252, 0.0207209, -0.0980335, 0.108665, -0.475246, 0.193122, -0.158991, -0.0253317,
            -0.0466472, 0.11711, 0.02426, -0.0262747, 0.26774, 0.0777667, 0.0391318
        ],
        [
            -0.153692, 0.417795, 0.332834, 0.36544, -0.549282, -0.155666, -0.0924503, 0.18813, 0.421413, -0.0934365, -0.133455,
            -0.0765391, 0.0323092, -0.000591804, -0.155372, 0.0737411, -0.0851206
        ],
        [
            -0.172024, 0.204302, -0.022754, 0.0673298, -0.272734, -0.203411, -0.184057, 0.294139, 0.193398, 0.240405, 0.0106618,
            -0.0938748, -0.162461, -0.0539817, -0.344582, -0.3017, 0.0387018
        ],
        [
            -0.391361, -0.316077, -0.0831841, -0.0222452, -0.232849, 0.0168135, -0.269395, -0.213828, 0.023543, 0.000553985,
            -0.0175694, 0.0186637, -0.0696113, -0.018282, 0.0278289, 0.129828, 0.134724
        ],
        [
            -0.0137328, -0.0577405, -0.154533, -0.375592, 0.372776, 0.173212, 0.0503115, 0.0869731, -0.0274286, 0.0433308,
            -0.0222096, 0.107366, 0.0440782, -0.0281792, -0.112296, 0.23474, 0.133238
        ],
        [
            1.25904, -0.0853682, 0.168242, 0.249588, 0.0283598, -0.272653, -0.0233116, -0.00213554, -0.00961848, 0.00385856,
            0.0553489, -0.0110672, 0.0785092, 0.0427912, -0.116104, 0.0236995, -0.0106258
        ],
        [
            -0.0238517, -0.0221221, -0.0414149, 0.0702961, 0.0231184, -0.0187865, 0.00561117, 0.0319668, 0.281886, -0.0161555,
            -0.0342612, -0.00544042, 0.0356134, 0.0233007, 0.00157388, 0.133488, -0.00404602
        ],
        [
            0.0245932, 0.203286, 0.0588965, 0.0109703, -0.224145, -0.0904427, 0.172206, -0.106051, -0.171557, -0.370028,
            0.0522356, -0.0227655, 0.00936454, -0.00315776, 0.00204314, -0.358547, -0.206226
        ],
        [
            -0.566605, -0.13999, -0.897014, -0.454599, 0.142673, 0.57421, 0.0560353, -0.256876, -0.0856896, 0.391626, 0.130848,
            0.0155959, -0.104156, -0.105829, 0.262717, -0.00852302, 0.0464359
        ],
        [
            0.0784919, 0.107633, -0.203954, -0.18474, -0.0781658, 0.237877, -0.107527, -0.278145, 0.195329, -0.101314, 0.246155,
            -0.282708, 0.181992, 0.0460535, -0.00961106, -0.0637414, 0.112266
        ],
    ]),
    "hidden_bias": np.array([
        0.517762, 0.19709, 0.0813554, -0.636487, -0.434241, 0.230709, 0.819775, -0.843946, -0.0553533, 1.48768, 0.251461,
        -0.833341, -0.576878, 0.124225, -0.301948, 0.056399
    ]),
    "out": np.array([
        0.922112, -0.408051, -0.661529, -0.63191, -0.770799, 0.837268, -1.40971, 1.02975, 0.810706, -0.69009, 0.671056, -1.33587,
        0.333604, 0.696913, -1.42914, -0.697126
    ]),
    "out_bias": np.array(-0.840158),
}
# fmt: on
