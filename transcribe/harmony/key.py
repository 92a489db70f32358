"""Key estimation and pitch spelling.

Each of the 24 keys is scored by a weighted sum of what speaks for it: the
Krumhansl-Schmuckler correlation of the melody's duration-weighted
pitch-class histogram with the key's profile (Temperley's revision of
Krumhansl-Kessler), how much of the melody sits on its tonic, third and
fifth or outside its scale, and whether its longest notes, phrase ends,
first note, lowest notes and the notes just before the opening comes back
(a tune ends on its tonic, then starts again) are the tonic (or fifth). The weights are fitted
on corpus melodies (``benchmarks/fit_key.py``); the best-scoring key wins.

Key names, signatures and the usual spelling of a key live here too.
"""

from __future__ import annotations

import numpy as np

from .. import models
from ..form import opening_returns
from ..types import Note
from ..values import Key

# Temperley's (1999) revision of the Krumhansl-Kessler profiles: alone, on the
# rendered benchmark set they name the key of 43 of 48 melodies where
# Krumhansl-Kessler's name 36 (the original profiles over-reward the relative key).
_MAJOR = np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0])


_MINOR = np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0])


#: Preferred tonic names per pitch class for major and minor keys (fewest accidentals).
MAJOR_TONIC = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]


_MINOR_TONIC = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]


LETTERS = "CDEFGAB"


NATURAL_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)


MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10)


def pitch_class_histogram(notes: tuple[Note, ...]) -> np.ndarray:
    """Duration-weighted pitch-class histogram, shape (12,)."""
    hist = np.zeros(12)
    for n in notes:
        hist[n.midi % 12] += max(n.duration_s, 0.0)
    return hist


#: The key features, in the column order of :func:`key_features` (one row per
#: candidate key: tonics C..B major, then C..B minor).
KEY_FEATURES: tuple[str, ...] = (
    "profile",  # correlation of the duration-weighted pitch-class histogram with Temperley's profile
    "tonic",  # share of the melody's duration on the tonic
    "third",  # ... on the mode's third
    "fifth",  # ... on the fifth
    "outside",  # ... on tones outside the scale (natural minor plus the raised 6th and 7th)
    "log_third",  # log of the third's share (+1 %): a melody that never sings the third is not in that mode
    "log_outside",  # log of the outside share (+1 %): a few outside tones weigh more than their duration
    "long_tonic",  # share of the longest notes (top fifth by time to the next onset) on the tonic
    "long_fifth",  # ... on the fifth
    "end_tonic",  # share of phrase ends (notes before a rest or a long gap) on the tonic
    "first_tonic",  # the first note is the tonic
    "first_fifth",  # ... the fifth
    "low_tonic",  # share of notes in the lowest fifth of the range that are the tonic
    "return_tonic",  # share of the notes just before the opening comes back (form.opening_returns) on the tonic
    "return_fifth",  # ... on the fifth
    "minor",  # a minor key
)


def key_weights() -> np.ndarray:
    """Weight of each of :data:`KEY_FEATURES`, fitted by ``python -m benchmarks.fit_key`` (a
    conditional-logit model over the 24 keys of ~1000 corpus melodies neither rendered benchmark
    set uses), from ``transcribe/models/key.npz``."""
    return models.checked("key", KEY_FEATURES).arrays["weights"]


def key_features(notes: tuple[Note, ...]) -> np.ndarray:
    """What speaks for each of the 24 keys: one row of :data:`KEY_FEATURES` per key.

    Returns:
        Shape (24, len(KEY_FEATURES)): rows 0-11 major keys on tonics C..B, rows 12-23 minor.
    """
    hist = pitch_class_histogram(notes)
    out = np.zeros((24, len(KEY_FEATURES)))
    if hist.sum() <= 0:
        return out
    share = hist / hist.sum()
    pcs = np.array([n.midi % 12 for n in notes])
    midis = np.array([n.midi for n in notes])
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    ioi = np.append(np.diff(on), off[-1] - on[-1])
    long = ioi >= np.quantile(ioi, 0.8)
    gap = np.append(on[1:] - off[:-1], np.inf)
    end = (gap > 0.25) | (ioi > 2.0 * np.median(ioi))
    low = midis <= np.quantile(midis, 0.2)
    ret = pcs[opening_returns(midis).hits - 1]
    col = {name: i for i, name in enumerate(KEY_FEATURES)}
    for row in range(24):
        tonic, minor = row % 12, row >= 12
        profile = np.roll(_MINOR if minor else _MAJOR, tonic)
        third, fifth = (tonic + (3 if minor else 4)) % 12, (tonic + 7) % 12
        steps = (*MINOR_STEPS, 9, 11) if minor else MAJOR_STEPS
        inside = np.zeros(12, dtype=bool)
        inside[[(tonic + st) % 12 for st in steps]] = True
        f = out[row]
        f[col["profile"]] = np.corrcoef(hist, profile)[0, 1] if np.count_nonzero(hist) > 1 else 0.0
        f[col["tonic"]], f[col["third"]], f[col["fifth"]] = share[tonic], share[third], share[fifth]
        f[col["outside"]] = share[~inside].sum()
        f[col["log_third"]] = np.log(share[third] + 0.01)
        f[col["log_outside"]] = np.log(share[~inside].sum() + 0.01)
        f[col["long_tonic"]] = np.mean(pcs[long] == tonic)
        f[col["long_fifth"]] = np.mean(pcs[long] == fifth)
        f[col["end_tonic"]] = np.mean(pcs[end] == tonic)
        f[col["first_tonic"]] = float(pcs[0] == tonic)
        f[col["first_fifth"]] = float(pcs[0] == fifth)
        f[col["low_tonic"]] = np.mean(pcs[low] == tonic)
        if ret.size:
            f[col["return_tonic"]] = np.mean(ret == tonic)
            f[col["return_fifth"]] = np.mean(ret == fifth)
        f[col["minor"]] = float(minor)
    return out


#: Fewer distinct pitch classes than this carry no evidence of a key (:func:`estimate_key`).
MIN_KEY_PITCH_CLASSES = 3


def plainest_major_key(pitch_classes: set[int]) -> str:
    """The major key of fewest sharps or flats whose scale holds every one of ``pitch_classes``
    (sharps first on a tie): ``{9} -> "C major"``, ``{6} -> "G major"``, ``{10} -> "F major"``."""
    for fifths in sorted(range(-6, 7), key=lambda f: (abs(f), f < 0)):
        tonic = (7 * fifths) % 12
        if all((pc - tonic) % 12 in MAJOR_STEPS for pc in pitch_classes):
            return key_name(tonic, minor=False)
    return "C major"  # pragma: no cover - every pitch class lies in some major scale


def key_without_evidence(notes: tuple[Note, ...]) -> str | None:
    """For notes of fewer than :data:`MIN_KEY_PITCH_CLASSES` pitch classes (a held tone, a two-note
    call, which say nothing of their key), the major key of fewest sharps or flats that holds them
    all (:func:`plainest_major_key`); ``None`` for a melody that says something of its key."""
    pcs = {n.midi % 12 for n in notes}
    return plainest_major_key(pcs) if len(pcs) < MIN_KEY_PITCH_CLASSES else None


def estimate_key(notes: tuple[Note, ...]) -> str:
    """The key of a melody: the best-scoring of the 24 by :func:`key_weights` on :func:`key_features`.

    A melody of fewer than :data:`MIN_KEY_PITCH_CLASSES` pitch classes (a held tone, a two-note
    call) says nothing of its key: it gets the major key of fewest sharps or flats that holds
    all its notes, so that they are written without accidentals (a lone A in C major, not D major).

    Returns:
        e.g. ``"G major"`` or ``"E minor"``; ``"C major"`` when there are no notes.
    """
    if not notes:
        return "C major"
    plain = key_without_evidence(notes)
    if plain is not None:
        return plain
    row = int(np.argmax(key_features(notes) @ key_weights()))
    return key_name(row % 12, minor=row >= 12)


def key_name(tonic_pc: int, *, minor: bool) -> str:
    """The name of the key on pitch class ``tonic_pc``, e.g. ``key_name(10, minor=False) == "Bb major"``."""
    return f"{(_MINOR_TONIC if minor else MAJOR_TONIC)[tonic_pc % 12]} {'minor' if minor else 'major'}"


# fmt: off
_FIFTHS = {"C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7,
           "F": -1, "Bb": -2, "Eb": -3, "Ab": -4, "Db": -5, "Gb": -6, "Cb": -7}
# fmt: on


def key_signature_sharps(key: str) -> int:
    """Number of sharps (positive) or flats (negative) of a key like ``"Bb major"``."""
    tonic, mode = Key(key).tonic, Key(key).mode
    major = _relative_major_name(tonic) if mode == "minor" else tonic
    return _FIFTHS.get(major, _FIFTHS[MAJOR_TONIC[tonic_pc(major)]])


def usual_key(key: str) -> str:
    """The key as a musician writes it: a key whose signature would need more than seven
    sharps or flats (``"E# major"``, ``"Fb major"``, ``"B# minor"``) becomes its enharmonic
    equivalent (``"F major"``, ``"E major"``, ``"C minor"``); other keys are returned as they are."""
    tonic, mode = Key(key).tonic, Key(key).mode
    major = _relative_major_name(tonic) if mode == "minor" else tonic
    if major in _FIFTHS:
        return key
    pc = tonic_pc(tonic)
    return f"{(_MINOR_TONIC if mode == 'minor' else MAJOR_TONIC)[pc]} {mode}"


def _relative_major_name(minor_tonic: str) -> str:
    letter = minor_tonic[0]
    major_letter = LETTERS[(LETTERS.index(letter) + 2) % 7]
    pc = (tonic_pc(minor_tonic) + 3) % 12
    return major_letter + accidental(pc - NATURAL_PC[major_letter])


def tonic_pc(tonic: str) -> int:
    pc = NATURAL_PC[tonic[0].upper()]
    for ch in tonic[1:]:
        pc += 1 if ch == "#" else -1 if ch == "b" else 0
    return pc % 12


def accidental(delta: int) -> str:
    delta = (delta + 6) % 12 - 6
    return "#" * delta if delta > 0 else "b" * (-delta)
