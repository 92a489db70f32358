"""Scoring: note F1 (mir_eval), frame raw pitch accuracy, the notation metrics of issue 5 and the
page measures of issue 23 (ssvd-scores)."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from transcribe.types import Rhythm
from transcribe.units import midi_to_hz
from transcribe.values import TimeSignature

ONSET_TOL_S = 0.05
PITCH_TOL_CENTS = 50.0
OFFSET_RATIO = 0.2
F0_HOP_S = 0.01
TEMPO_TOL = 0.04

NoteList = Sequence[tuple[float, float, float]]  # (onset_s, offset_s, midi)


def _arrays(notes: NoteList) -> tuple[np.ndarray, np.ndarray]:
    """Intervals (n, 2) with positive durations, and pitches in Hz."""
    if len(notes) == 0:
        return np.zeros((0, 2)), np.zeros(0)
    a = np.asarray(notes, dtype=float).reshape(-1, 3)
    iv = a[:, :2].copy()
    iv[:, 1] = np.maximum(iv[:, 1], iv[:, 0] + 1e-3)
    return iv, midi_to_hz(a[:, 2])


def note_scores(ref: NoteList, est: NoteList) -> dict[str, float]:
    """COnP, COnPOff and onset-only precision/recall/F1 plus the match counts (for micro averages)."""
    import mir_eval

    r_iv, r_hz = _arrays(ref)
    e_iv, e_hz = _arrays(est)
    out: dict[str, float] = {"n_ref": float(len(r_hz)), "n_est": float(len(e_hz))}
    for name, ratio in (("conp", None), ("conpoff", OFFSET_RATIO)):
        if len(r_hz) == 0 or len(e_hz) == 0:
            p = r = f = 0.0
            n_match = 0
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p, r, f, _ = mir_eval.transcription.precision_recall_f1_overlap(
                    r_iv,
                    r_hz,
                    e_iv,
                    e_hz,
                    onset_tolerance=ONSET_TOL_S,
                    pitch_tolerance=PITCH_TOL_CENTS,
                    offset_ratio=ratio,
                )
            n_match = round(r * len(r_hz))
        out[f"{name}_p"], out[f"{name}_r"], out[f"{name}_f1"] = float(p), float(r), float(f)
        out[f"{name}_match"] = float(n_match)
    out["on_f1"] = 0.0
    if len(r_hz) and len(e_hz):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["on_f1"] = float(mir_eval.transcription.onset_precision_recall_f1(r_iv, e_iv, onset_tolerance=ONSET_TOL_S)[2])
    return out


def matched_pairs(ref: NoteList, est: NoteList) -> list[tuple[int, int]]:
    """The (reference, estimate) index pairs COnP matches (onset within :data:`ONSET_TOL_S`, pitch
    within :data:`PITCH_TOL_CENTS`, offsets ignored)."""
    import mir_eval

    if len(ref) == 0 or len(est) == 0:
        return []
    r_iv, r_hz = _arrays(ref)
    e_iv, e_hz = _arrays(est)
    pairs = mir_eval.transcription.match_notes(
        r_iv, r_hz, e_iv, e_hz, onset_tolerance=ONSET_TOL_S, pitch_tolerance=PITCH_TOL_CENTS, offset_ratio=None
    )
    return [(int(i), int(j)) for i, j in pairs]


def found_refs(ref: NoteList, est: NoteList) -> np.ndarray:
    """Per reference note, whether an estimated note matches it the way COnP matches
    (:func:`matched_pairs`), shape (len(ref),) bool."""
    hit = np.zeros(len(ref), dtype=bool)
    hit[[i for i, _ in matched_pairs(ref, est)]] = True
    return hit


def notes_to_f0(notes: NoteList, times: np.ndarray) -> np.ndarray:
    """A frame f0 track (Hz, 0 = unvoiced) sampled at ``times`` from a note list."""
    f0 = np.zeros(len(times))
    for on, off, midi in notes:
        sel = (times >= on) & (times < off)
        f0[sel] = midi_to_hz(float(midi))
    return f0


def raw_pitch_accuracy(ref_t: np.ndarray, ref_hz: np.ndarray, est_t: np.ndarray, est_hz: np.ndarray) -> float:
    """mir_eval raw pitch accuracy (50 cents) on the reference's voiced frames; NaN if none."""
    import mir_eval

    est_hz = np.nan_to_num(np.asarray(est_hz, dtype=float), nan=0.0)
    if not np.any(ref_hz > 0):
        return math.nan
    if len(est_t) < 2:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rv, rc, ev, ec = mir_eval.melody.to_cent_voicing(ref_t, ref_hz, est_t, est_hz, hop=F0_HOP_S)
        return float(mir_eval.melody.raw_pitch_accuracy(rv, rc, ev, ec, cent_tolerance=50))


# ---------------------------------------------------------------- notation metrics (issue 5)

_KEY_RE = re.compile(r"^\s*([A-Ga-g])\s*(#|b|-|♯|♭|sharp|flat)?\s*(major|minor|maj|min|m)?\s*$", re.I)
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def parse_key(text: str | None) -> tuple[str, int, str] | None:
    """``"Bb major"``/``"B- major"``/``"f# minor"`` -> (letter, alter, mode); ``None`` if unreadable."""
    if not text:
        return None
    m = _KEY_RE.match(str(text))
    if not m:
        return None
    letter, acc, mode = m.group(1).upper(), (m.group(2) or "").lower(), (m.group(3) or "").lower()
    alter = 1 if acc in ("#", "♯", "sharp") else -1 if acc in ("b", "-", "♭", "flat") else 0
    mode = "minor" if mode in ("minor", "min", "m") else "major"
    return letter, alter, mode


def key_scores(est: str | None, truth: str) -> dict[str, float]:
    """key_exact (same spelled tonic and mode), key_enh (same pitch class and mode) and
    key_rel (same key signature: exact or the relative major/minor)."""
    e, t = parse_key(est), parse_key(truth)
    if e is None or t is None:
        return {"key_exact": 0.0, "key_enh": 0.0, "key_rel": 0.0}
    pc_e = (_LETTER_PC[e[0]] + e[1]) % 12
    pc_t = (_LETTER_PC[t[0]] + t[1]) % 12
    maj_e = pc_e if e[2] == "major" else (pc_e + 3) % 12
    maj_t = pc_t if t[2] == "major" else (pc_t + 3) % 12
    return {
        "key_exact": float(e == t),
        "key_enh": float(pc_e == pc_t and e[2] == t[2]),
        "key_rel": float(maj_e == maj_t),
    }


def _ts(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    s = str(text).strip()
    if s in ("C", "common"):
        return (4, 4)
    if s in ("C|", "cut"):
        return (2, 2)
    m = re.match(r"^(\d+)\s*/\s*(\d+)$", s)
    return (int(m.group(1)), int(m.group(2))) if m else None


def ts_right(est: str | None, truth: str) -> float:
    """1.0 if the time signatures are equal, counting 4/4 and 2/2 as the same meter."""
    e, t = _ts(est), _ts(truth)
    if e is None or t is None:
        return 0.0
    common = {(4, 4), (2, 2)}
    return float(e == t or (e in common and t in common))


def onset_pairs(ref_onsets_s: Sequence[float], est_onsets_s: Sequence[float]) -> list[tuple[int, int]]:
    """Labelled and estimated notes matched one to one by onset alone (within :data:`ONSET_TOL_S`,
    pitch and offsets ignored, as mir_eval's onsets-only F1): ``(ref index, est index)`` pairs."""
    import mir_eval

    if not len(ref_onsets_s) or not len(est_onsets_s):
        return []
    r_on, e_on = np.asarray(ref_onsets_s, dtype=float), np.asarray(est_onsets_s, dtype=float)
    spans = [np.stack([on, on + 0.01], axis=1) for on in (r_on, e_on)]
    return [(int(i), int(j)) for i, j in mir_eval.transcription.match_note_onsets(*spans, onset_tolerance=ONSET_TOL_S)]


def bar_line_f1(pairs: Sequence[tuple[bool, bool]]) -> float:
    """F1 of notes on a bar line, over matched notes ``(ours on one, the print's on one)``; 1 when
    neither side puts any of them on one."""
    tp = sum(ours and theirs for ours, theirs in pairs)
    wrong = sum(ours != theirs for ours, theirs in pairs)
    return 2 * tp / (2 * tp + wrong) if tp + wrong else 1.0


def bar_line_f1_by_onset(
    ref_onsets_s: Sequence[float], ref_on_bar_line: Sequence[bool | None], est_onsets_s: Sequence[float], est_on_bar_line: Sequence[bool]
) -> float:
    """:func:`bar_line_f1` of our notes matched by onset (:func:`onset_pairs`) to the labelled
    ones; each side's notes with whether they start a bar (a label's ``None``: its place is
    unknown, and it is left out)."""
    pairs = onset_pairs(ref_onsets_s, est_onsets_s)
    return bar_line_f1([(bool(est_on_bar_line[j]), bool(ref_on_bar_line[i])) for i, j in pairs if ref_on_bar_line[i] is not None])


def on_bar_lines(rh: Rhythm) -> list[bool]:
    """Per written note of ``rh``, whether it starts a bar."""
    return [(q - rh.pickup_q) % rh.measure_q == 0 for q in rh.onsets_q]


def bar_quarters(ts: tuple[int, int]) -> Fraction:
    """Length of one bar in quarter notes."""
    return Fraction(4 * ts[0], ts[1])


def tempo_right(est_bpm: float | None, est_ts: str | None, true_bpm: float, true_ts: str) -> float:
    """1.0 if the quarter-note tempo is within 4 % of the truth.

    Double or half tempo also counts, but only when it is the same music written at another
    note value: our bar must then last as many *seconds* as the true bar (within 4 %), e.g.
    3/8 at q=120 vs 3/4 at q=240, 2/4 at q=60 vs 4/4 at q=120, 6/8 at q=90 vs 6/4 at q=180.
    """
    if not est_bpm or not math.isfinite(est_bpm) or est_bpm <= 0:
        return 0.0
    ratio = est_bpm / true_bpm
    if abs(ratio - 1.0) <= TEMPO_TOL:
        return 1.0
    e, t = _ts(est_ts), _ts(true_ts)
    if e is None or t is None:
        return 0.0
    for s in (2.0, 0.5):
        if abs(ratio / s - 1.0) <= TEMPO_TOL:
            bar_e = float(bar_quarters(e)) * 60.0 / est_bpm
            bar_t = float(bar_quarters(t)) * 60.0 / true_bpm
            if abs(bar_e / bar_t - 1.0) <= TEMPO_TOL:
                return 1.0
    return 0.0


def _as_frac(x: Any) -> Fraction | None:
    try:
        return Fraction(str(x)) if not isinstance(x, Fraction) else x
    except (ValueError, ZeroDivisionError):
        try:
            return Fraction(float(x)).limit_denominator(96)
        except (TypeError, ValueError, OverflowError):
            return None


def duration_scores(
    est_written: Sequence[tuple[float, Any]],
    est_bpm: float | None,
    truth_notes: Sequence[dict[str, Any]],
    true_bpm: float,
) -> dict[str, float]:
    """Share of our written notes (matched by onset to a truth note, 50 ms) whose written
    quarterLength, divided by the tempo scale s in {1, 2, 1/2} closest to our/true BPM,
    equals the truth's written quarterLength (ties summed on both sides)."""
    out = {"dur_right": math.nan, "dur_matched": 0.0, "dur_scale": math.nan}
    if not est_written or not truth_notes or not est_bpm or est_bpm <= 0:
        return out
    ratio = est_bpm / true_bpm
    scale = min((1.0, 2.0, 0.5), key=lambda s: abs(math.log(ratio / s)))
    pairs = onset_pairs([n["onset_s"] for n in truth_notes], [w[0] for w in est_written])
    if not pairs:
        return {"dur_right": 0.0, "dur_matched": 0.0, "dur_scale": scale}
    s = Fraction(scale).limit_denominator(2)
    right = 0
    for ri, ei in pairs:
        ours = _as_frac(est_written[ei][1])
        true = _as_frac(truth_notes[ri]["duration_q"])
        if ours is not None and true is not None and ours / s == true:
            right += 1
    return {"dur_right": right / len(pairs), "dur_matched": float(len(pairs)), "dur_scale": scale}


# ---------------------------------------------------------------- page measures (issue 23, ssvd-scores)


def page_scores(
    est_written: Sequence[tuple[float, Any, int]],
    est_key: str | None,
    est_ts: str | None,
    page: Any,
) -> dict[str, float]:
    """The page measures of ``ssvd-scores/README.md`` for one recording.

    ``est_written`` is ``(onset_s, written duration_q with ties summed, written MIDI)`` per
    written note and ``page`` a :class:`benchmarks.datasets.PageTruth`. Our notes are matched
    to the labelled notes by onset (50 ms, one to one, pitch ignored); over the matched labels
    that the alignment places in the score:

    - ``pitch_right``: share written as the printed pitch transposed into the singer's register;
    - ``key_rel``: our key signature is the printed one transposed (enharmonic counts);
    - ``ts_right``: the printed time signature (4/4 = 2/2);
    - ``dur_right``: share whose written length equals the printed one times a factor in
      {1/2, 1, 2}, the one factor per recording that fits best (a tempo read at double or half);
    - ``bar_right``: :func:`bar_right` at that factor.
    """
    out: dict[str, float] = {"pitch_right": math.nan, "dur_right": math.nan, "page_matched": 0.0, "dur_scale": math.nan}
    k = parse_key(est_key)
    if k is None:
        out["key_rel"] = 0.0
    else:
        pc = (_LETTER_PC[k[0]] + k[1]) % 12
        out["key_rel"] = float((pc if k[2] == "major" else (pc + 3) % 12) == page.major_pc)
    out["ts_right"] = ts_right(est_ts, page.time_signature)
    labels = page.label_notes
    if not est_written or not labels:
        if labels:
            out["pitch_right"] = out["dur_right"] = 0.0
        return out
    pairs = onset_pairs([a for a, _, _ in labels], [w[0] for w in est_written])
    placed = [(ri, ei) for ri, ei in pairs if page.intended_midi[ri] is not None]
    out["page_matched"] = float(len(placed))
    if not placed:
        out["pitch_right"] = out["dur_right"] = 0.0
        return out
    out["pitch_right"] = sum(int(est_written[ei][2]) == page.intended_midi[ri] for ri, ei in placed) / len(placed)
    best = -1
    for s in (Fraction(1), Fraction(1, 2), Fraction(2)):
        right = 0
        for ri, ei in placed:
            ours = _as_frac(est_written[ei][1])
            right += int(ours is not None and ours == page.written_q[ri] * s)
        if right > best:
            best, out["dur_scale"] = right, float(s)
    out["dur_right"] = best / len(placed)
    out["bar_right"] = bar_right(est_ts, page.time_signature, Fraction(out["dur_scale"]).limit_denominator(2))
    return out


def bar_right(est: str | None, truth: str, scale: Fraction) -> float:
    """1.0 where our bar holds the printed bar's music: the printed time signature (as
    :func:`ts_right`), or one as simple or compound whose bar is the printed bar times the
    tempo ``scale`` the written durations were read at (2/4 at half the printed 4/4's note
    values, 4/4 at twice a printed 2/4's). A diagnosis beside ``ts_right``, not a substitute:
    it tells a wrong bar from a printed beat unit the audio cannot tell."""
    if ts_right(est, truth):
        return 1.0
    parts = _ts(est), _ts(truth)
    if parts[0] is None or parts[1] is None:
        return 0.0
    e, t = (TimeSignature(f"{num}/{den}") for num, den in parts)
    return float(e.is_compound == t.is_compound and e.measure_q == t.measure_q * scale)
