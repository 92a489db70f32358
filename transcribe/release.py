"""Where a note really ends: the release under the room's reverb.

The pitch tracker follows a note for as long as its pitch is audible, and the
reverb (or a piano's damper-less decay) carries it well past the moment the
player let go, often right up to the next note. Listeners and the written
rhythm put the end where the sound was released. Each frame of a note after
its first ``min_note_s`` is described by :data:`FEATURES` (its level against
the note's own attack and decay, how the level moves, onset strength, the
tracker's confidence, and where the frame sits in the note), a small network
gives the probability that the note has already ended there, and the note's
end is the change point that agrees best with those probabilities. The weights
are fitted by ``python -m benchmarks.fit_release`` on rendered sets the
benchmark does not score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import network
from .types import FrameArrays, Note

#: Differences in dB are clipped here, times in seconds there: beyond them frames look alike.
MAX_DB, MAX_S = 40.0, 4.0

FEATURES: tuple[str, ...] = (
    "below_attack_db",  # the frame below the note's attack peak
    "below_line_db",  # the frame below the line fitted to the note's first half (its decay)
    "step_1_db",  # level change over one frame
    "step_3_db",  # ... over three frames
    "comes_back_db",  # how far the level rises again later in the note
    "falls_further_db",  # how far the level still falls later in the note
    "onset",  # onset strength at the frame
    "onset_later",  # strongest onset strength later in the note
    "confidence",  # the tracker's confidence at the frame
    "confidence_drop",  # the note's median confidence minus the frame's
    "pitch_off_cents",  # the frame's pitch from the note's (capped at 100)
    "since_start_s",
    "to_end_s",
    "position",  # 0 at the note's start, 1 at its (current) end
    "duration_s",
    "gap_after_s",  # silence after the note before the next one (capped at 1 s)
    "decay_db_per_s",  # slope of the fitted line (0 for a held note)
    "voiced",  # the frame passed the voicing gate
)


def note_features(note: Note, next_onset_s: float | None, frames: FrameArrays, *, min_note_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate end frames of one note and their features.

    Args:
        note: The note.
        next_onset_s: Onset of the next note (seconds), ``None`` for the last.
        frames: The recording's per-frame arrays.
        min_note_s: The note keeps at least this length (seconds).

    Returns:
        ``(frames, features)``: track frame indices where the note could end,
        shape (k,), and their features, shape (k, len(FEATURES)).
    """
    times = frames.times_s
    a, b = (int(x) for x in np.searchsorted(times, [note.onset_s, note.offset_s]))
    first = int(np.searchsorted(times, note.onset_s + min_note_s))
    if b - a < 6 or first >= b:
        return np.zeros(0, dtype=int), np.zeros((0, len(FEATURES)))
    loud = frames.loudness_db[a:b]
    t = times[a:b]
    n = b - a
    peak = float(loud[: min(4, n)].max())
    fit_end = max(4, n // 2)
    body = np.arange(min(2, n - 1), fit_end)
    if len(body) >= 3:
        # Least-squares slope in closed form (np.polyfit costs more than the rest of the note).
        tb, lb = t[body] - t[body].mean(), loud[body]
        slope = min(0.0, float(tb @ (lb - lb.mean()) / (tb @ tb)))
        level = float(np.median(lb - slope * t[body]))
    else:
        slope, level = 0.0, float(np.median(loud))
    line = level + slope * t
    ks = np.arange(first - a, n)
    later_max = np.maximum.accumulate(loud[::-1])[::-1]
    later_min = np.minimum.accumulate(loud[::-1])[::-1]
    on = frames.onset[a:b]
    later_on = np.maximum.accumulate(on[::-1])[::-1]
    conf = frames.confidence[a:b]
    conf_med = float(np.median(conf))
    midi = frames.midi[a:b]
    off = np.where(np.isfinite(midi), np.minimum(np.abs(midi - note.midi) * 100.0, 100.0), 100.0)
    gap = 1.0 if next_onset_s is None else float(np.clip(next_onset_s - note.offset_s, 0.0, 1.0))
    dur = min(note.offset_s - note.onset_s, MAX_S)

    def clip_db(x: np.ndarray) -> np.ndarray:
        return np.clip(x, -MAX_DB, MAX_DB)

    step1 = loud[ks] - loud[np.maximum(ks - 1, 0)]
    step3 = loud[ks] - loud[np.maximum(ks - 3, 0)]
    rows = np.column_stack(
        [
            clip_db(peak - loud[ks]),
            clip_db(line[ks] - loud[ks]),
            clip_db(step1),
            clip_db(step3),
            clip_db(later_max[ks] - loud[ks]),
            clip_db(loud[ks] - later_min[ks]),
            np.minimum(on[ks], 3.0),
            np.minimum(later_on[ks], 3.0),
            conf[ks],
            conf_med - conf[ks],
            off[ks],
            np.minimum(t[ks] - t[0], MAX_S),
            np.minimum(note.offset_s - t[ks], MAX_S),
            ks / n,
            np.full(len(ks), dur),
            np.full(len(ks), gap),
            np.full(len(ks), max(slope, -60.0)),
            frames.voiced[a:b][ks].astype(np.float64),
        ]
    )
    return a + ks, rows


def probability(features: np.ndarray, *, weights: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Probability that the note has ended at each frame, shape (k,).

    Args:
        features: Shape (k, len(FEATURES)), from :func:`note_features`.
        weights: In :func:`transcribe.network.probability`'s layout; :data:`WEIGHTS` when ``None``.
    """
    return network.probability(features, WEIGHTS if weights is None else weights)


def end_frame(prob: np.ndarray) -> int:
    """Index of the change point that best explains ``prob`` (``len(prob)`` for none).

    Frames before it should be "still sounding" and frames from it on "ended":
    the split maximises the summed log-likelihood of both, so one stray frame
    does not end a note early.
    """
    p = np.clip(np.asarray(prob, dtype=np.float64), 1e-6, 1 - 1e-6)
    before = np.concatenate([[0.0], np.cumsum(np.log1p(-p))])  # log P(sounding) of frames < k
    after = np.concatenate([np.cumsum(np.log(p)[::-1])[::-1], [0.0]])  # log P(ended) of frames >= k
    return int(np.argmax(before + after))


def refine_offsets(
    notes: tuple[Note, ...],
    frames: FrameArrays,
    *,
    min_note_s: float,
    weights: dict[str, np.ndarray] | None = None,
) -> tuple[Note, ...]:
    """End each note where the network says it was released (never later than now).

    Args:
        notes: Notes in time order, not overlapping.
        frames: The recording's per-frame arrays (the notes' pitch track, onset strength, voicing).
        min_note_s: A note keeps at least this length (seconds).
        weights: Network weights; :data:`WEIGHTS` when ``None``.

    Returns:
        The notes, some offsets earlier; onsets and pitches unchanged.
    """
    out = []
    for i, note in enumerate(notes):
        nxt = notes[i + 1].onset_s if i + 1 < len(notes) else None
        ends, feats = note_features(note, nxt, frames, min_note_s=min_note_s)
        if len(ends):
            k = end_frame(probability(feats, weights=weights))
            if k < len(ends):
                end = float(frames.times_s[ends[k]])
                if note.onset_s + min_note_s <= end < note.offset_s:
                    note = replace(note, offset_s=end)
        out.append(note)
    return tuple(out)


# Fitted by ``python -m benchmarks.fit_release`` (see its docstring for the data).
# fmt: off
WEIGHTS: dict[str, np.ndarray] = {
    "mean": np.array([
        -0.171289, -0.629691, -0.120819, -0.0565561, 1.44771, 3.84015, 0.119853, 0.546495, 0.939372, 0.00660839, 9.44844,
        0.349303, 0.283686, 0.569783, 0.635395, 0.0610483, -6.13412, 0.99994
    ]),
    "scale": np.array([
        4.72898, 2.6306, 1.09132, 2.36487, 2.30697, 3.19464, 0.175134, 0.475644, 0.0895707, 0.0536621, 17.1011, 0.310474,
        0.310301, 0.243643, 0.455827, 0.186293, 13.0782, 0.00776863
    ]),
    "hidden": np.array([
        [
            -0.213723, -0.131992, -0.01699, 0.0517362, 0.173749, -0.0932182, 0.129578, 0.115985, -0.0793185, 0.0280422,
            -0.0597363, -0.522798, -0.306477, -0.301019, -0.580601, -0.153872, 0.0621942, -0.00595595
        ],
        [
            -0.036856, -0.0121069, -0.670472, 0.530996, 0.216001, 0.040978, -0.00411568, -0.0195321, 0.020011, -0.00210616,
            0.0260737, -0.0275456, -0.00224786, 0.109321, 0.0512747, -0.514555, -0.055263, 0.0011518
        ],
        [
            0.000338125, -0.000813417, 3.50447e-06, 0.000413758, -0.000234515, -0.00103012, 0.000184896, 0.000264069, 0.000932319,
            0.000479151, -3.35071e-05, 0.000409703, 0.000527527, -0.00086637, 0.000363457, 0.000293449, -0.00066648, -1.80564e-05
        ],
        [
            -0.318509, 0.0111086, -0.0647445, 0.00914062, 0.112461, -0.126952, -0.162503, -0.190655, 0.135869, 0.106615,
            -0.00269011, -0.105518, -0.0622905, -0.116535, -0.132618, 0.0114601, 0.292293, -0.00353352
        ],
        [
            0.0821316, 0.0218862, 0.0281939, 0.0127952, 0.0484669, 0.134862, -0.136163, 0.699712, -0.030424, -0.023037,
            -0.0259899, -0.0421064, -0.22346, 0.136041, -0.18607, -0.00767847, 0.0496049, -0.00407356
        ],
        [
            0.00681429, 0.261286, 0.944864, 0.275938, 0.0190535, 0.0157537, -0.0134812, 0.000616487, -0.0562751, 0.000382915,
            -0.0423156, -0.0165315, -0.0199169, 0.0647798, 0.0283247, 0.0317239, -0.0768207, 0.00388944
        ],
        [
            -0.156622, 0.05792, 0.00668873, -0.0105312, 0.00288861, -0.114669, -0.0552175, 0.132896, 0.251976, 0.169857,
            0.0108017, -0.0505, 0.0421651, 0.219952, 0.0943794, -1.20499, -0.0596308, 0.001747
        ],
        [
            -0.119987, -0.11012, -0.00582528, 0.0544076, -0.0289061, -0.433679, -0.0911536, -0.198915, -0.0884645, 0.260027,
            -0.00231548, 0.000698406, -0.127257, 0.486193, -0.0600005, -0.0496369, 0.132394, 0.00463162
        ],
        [
            0.0682486, -0.133449, -0.18636, -0.190004, -0.168515, 0.243638, 0.0292479, -0.142574, -0.0166267, -0.270326,
            0.0222348, -0.0672435, 0.0194264, 0.103621, -0.0125201, 0.106163, 0.0445628, -8.61836e-06
        ],
        [
            0.131491, -0.0436073, 0.226911, -0.0106034, 0.232936, -0.1909, 0.433222, 0.0376973, -0.261325, 0.0944395, 0.0285456,
            -0.0334588, -0.0295231, -0.00136094, 0.0210079, -0.399332, -0.121802, 0.00470665
        ],
        [
            0.00470734, 0.124275, 0.751049, -0.086129, -0.425802, -0.00526141, 0.0625538, -0.0391464, 0.151246, 0.182555,
            -0.499858, -0.0875962, -0.0335475, -0.306748, -0.126816, 0.131621, -0.0885783, -0.000478247
        ],
        [
            0.117316, 0.553987, 0.0449262, -0.509784, -0.0652287, 0.142433, 0.0248622, 0.0137122, -0.0185773, 0.0627086,
            0.0120261, 0.0243735, -0.0507742, 0.0443982, 0.0186088, 0.281887, 0.133744, 0.004238
        ],
        [
            -0.036736, -0.0804036, -0.354379, 0.00531256, -0.0152309, -0.145808, -0.0855369, -0.0428854, -0.095134, 0.0598719,
            0.448271, -0.0523082, 0.00377802, -0.173854, -0.0499009, -0.0187421, -0.239361, -0.00415382
        ],
        [
            0.0187196, -0.0358815, -0.566844, -0.14758, -0.652619, 0.182555, -0.0747359, 0.00729177, 0.235681, 0.14798, 0.0304296,
            -0.0276626, -0.372646, 0.81885, -0.256, 0.126359, -0.0291547, -1.37062e-06
        ],
        [
            0.0816998, -0.120876, -0.235081, -0.120573, -0.12711, -0.200621, -0.37079, -0.116735, 0.231162, 0.182547, -0.0634528,
            0.0395395, 0.193447, -0.272576, 0.0954524, 0.112749, -0.187015, -0.00134415
        ],
        [
            -0.267935, -0.0295642, 0.0962939, 0.28151, 0.051661, -0.26269, 0.00583056, -0.134195, 0.00660476, 0.183214, 0.109596,
            -0.691379, 0.407863, -0.537136, -0.198944, -0.0780949, 0.0542569, -0.0068425
        ],
    ]),
    "hidden_bias": np.array([
        -0.301492, 0.0858977, 0.374155, 0.410717, 0.135333, -0.127948, -0.0171406, -0.593748, -0.0190792, 0.509199, 0.978599,
        -0.346328, -0.345063, -1.50026, 0.790888, -0.433131
    ]),
    "out": np.array([
        -0.984281, 1.03237, -0.0025701, -0.599342, -0.804001, 1.02741, 1.29287, 0.786139, 0.552194, 0.778156, -1.106, 0.845973,
        -0.686302, 1.33411, -0.74779, -1.13034
    ]),
    "out_bias": np.array(-1.50795),
}
# fmt: on
