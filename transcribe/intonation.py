"""The notes a singer meant: key and a slowly drifting tuning, estimated together.

A voice does not hold A440, nor one tuning through a take: an amateur sits 40 cents sharp,
wanders, and misses a note by a third of a semitone here and there. Rounding each note at
A440 (or at one global offset) then writes the singer's intonation instead of the melody.

Here every key signature (12 sets of seven pitch classes) is tried with a hidden tuning offset
that follows the take note by note (a Viterbi path over offsets from -100 to +100 cents in
5-cent steps, moving little between neighbouring notes; the take is then written in the
semitone its notes' median deviation, plus a small fitted bias toward how people hear a voice,
is nearest to). Given the key and the offset, a
note is written as the nearest pitch by a cost of its squared distance in semitones (weighted
by how long it is held), plus a fixed price for a pitch outside the key: a chromatic note is
written only where it was sung close to that pitch and held. The key signature whose best
path costs least (less a bonus when the last note is written as its tonic, taken inside the
path so that a final note sung flat may still be written as the tonic) wins; the mode (major or its relative minor) and tonic then follow
:func:`transcribe.harmony.key_features` on the renamed notes. Each note keeps its sung pitch:
its ``cents`` are measured from the newly written pitch (and may exceed 50).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from . import harmony, models
from .types import Note
from .values import Key

#: Offsets the tuning may take, in cents from A440.
OFFSETS_CENTS = np.arange(-100.0, 100.0 + 1e-9, 5.0)
#: The offsets of a tuning that may re-register (``semitone_jump_price`` > 0): a semitone either way more.
WIDE_OFFSETS_CENTS = np.arange(-200.0, 200.0 + 1e-9, 5.0)
#: The model file of the fitted parameters (``benchmarks/fit_intonation.py``; docs/intonation.md).
MODEL = "intonation"


@dataclass(frozen=True)
class IntonationParams:
    """The knobs of :func:`name_sung_notes`.

    Attributes:
        sung_sd: Spread of a held note's sung pitch around its written pitch (semitones).
        held_s: Notes held this long (seconds) or longer count fully; shorter ones in proportion.
        chromatic_cost: The price of writing a pitch outside the key (units of squared ``sung_sd``),
            once the key is chosen.
        drift_per_note_cents: How far the tuning moves between neighbouring notes (SD, cents)...
        drift_per_s_cents: ...plus this much per second between their onsets.
        start_sd_cents: Spread of the first note's offset around A440 (cents).
        key_model_weight: How much :data:`transcribe.harmony.key_weights()`' score of the melody
            written in a signature counts in choosing the signature.
        key_chromatic_cost: The price of a pitch outside the key while the signature is chosen.
        register_bias_st: Added to the notes' median deviation from their written pitches before
            it is rounded to the register (semitones): a singer sitting between two semitones is
            written in the upper one from a deviation of ``-0.5 + register_bias_st`` up. SwiftF0's
            note pitches sit 0.20 semitones below SSVD's human-labelled sung centres (median over
            ssvd-dev's 67 recordings), and the fitted value is close to it (docs/intonation.md).
        final_tonic_bonus: Taken off the cost of writing the last note as the tonic (of the major
            key of the signature, or of a key given), inside the tuning path: a signature whose
            tonic the tune ends on costs less (a melody ends on its tonic more often than not), and
            a final held note sung up to about 0.8 semitone off is still written as that tonic.
        semitone_jump_price: 0: the tuning stays within a semitone of A440 (:data:`OFFSETS_CENTS`)
            and only drifts. Above 0: it ranges over two semitones either way
            (:data:`WIDE_OFFSETS_CENTS`) and may also jump by a semitone between two notes at this
            price (a singer who re-registers mid-take, or drifts further than a semitone).
    """

    sung_sd: float = 0.25
    held_s: float = 0.3
    chromatic_cost: float = 5.0
    drift_per_note_cents: float = 5.0
    drift_per_s_cents: float = 3.0
    start_sd_cents: float = 50.0
    key_model_weight: float = 0.0
    key_chromatic_cost: float = 5.0
    register_bias_st: float = 0.0
    final_tonic_bonus: float = 0.0
    semitone_jump_price: float = 0.0

    @property
    def offsets_cents(self) -> np.ndarray:
        """The tuning offsets the path runs over (cents from A440)."""
        return WIDE_OFFSETS_CENTS if self.semitone_jump_price > 0 else OFFSETS_CENTS

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The parameter names, in the order the model file stores them."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def load(cls) -> IntonationParams:
        """The fitted parameters (``transcribe/models/intonation.npz``)."""
        params = models.checked(MODEL, cls.names()).arrays["params"]
        return cls(**{name: float(v) for name, v in zip(cls.names(), params)})


_MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
_CANDIDATES = np.arange(-2, 3)


@dataclass(frozen=True)
class Intonation:
    """The page a sung take means.

    Attributes:
        notes: The notes, each written as the pitch the singer meant (``midi``), with
            ``cents`` from it to the sung pitch (at A440).
        key: Like ``"G major"``.
        offsets_cents: Per note, the singer's tuning at that note in cents from A440.
    """

    notes: tuple[Note, ...]
    key: str
    offsets_cents: np.ndarray


def _costs(
    sung: np.ndarray, weight: np.ndarray, major_pc: int, prm: IntonationParams, chromatic_cost: float, *, tonic_pc: int
) -> tuple[np.ndarray, np.ndarray]:
    """For every note and offset: the cheapest written pitch and its cost, shapes (n, len(prm.offsets_cents)).

    The last note written as ``tonic_pc`` costs ``prm.final_tonic_bonus`` less: the path may bend
    (a final held note sung flat or sharp toward its neighbour is still the tonic the tune ends on)."""
    in_key = np.zeros(12, dtype=bool)
    in_key[[(major_pc + s) % 12 for s in _MAJOR_STEPS]] = True
    x = sung[:, None] - prm.offsets_cents[None, :] / 100.0  # (n, k)
    cand = np.round(x)[..., None] + _CANDIDATES  # (n, k, 5)
    cost = weight[:, None, None] * ((x[..., None] - cand) / prm.sung_sd) ** 2
    cost = cost + chromatic_cost * ~in_key[cand.astype(int) % 12]
    cost[-1] -= prm.final_tonic_bonus * ((cand[-1].astype(int) - tonic_pc) % 12 == 0)
    best = np.argmin(cost, axis=2)
    pitch = np.take_along_axis(cand, best[..., None], axis=2)[..., 0]
    return pitch, np.take_along_axis(cost, best[..., None], axis=2)[..., 0]


def _viterbi(cost: np.ndarray, onsets_s: np.ndarray, prm: IntonationParams) -> tuple[float, np.ndarray]:
    """Cheapest offset path through ``cost`` (n, k): its total and the state per note."""
    n, k = cost.shape
    offsets = prm.offsets_cents
    d = offsets[:, None] - offsets[None, :]
    total = cost[0] + (offsets / prm.start_sd_cents) ** 2
    back = np.zeros((n, k), dtype=np.int64)
    for i in range(1, n):
        gap = max(float(onsets_s[i] - onsets_s[i - 1]), 0.0)
        var = prm.drift_per_note_cents**2 + prm.drift_per_s_cents**2 * gap
        move = d**2 / var
        if prm.semitone_jump_price > 0:  # or a semitone either way, then the drift
            move = np.minimum(move, np.minimum((d - 100.0) ** 2, (d + 100.0) ** 2) / var + prm.semitone_jump_price)
        step = total[None, :] + move  # [to, from]
        back[i] = np.argmin(step, axis=1)
        total = step[np.arange(k), back[i]] + cost[i]
    path = np.empty(n, dtype=np.int64)
    path[-1] = int(np.argmin(total))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return float(total[path[-1]]), path


def _mode_of(notes: tuple[Note, ...], major_pc: int) -> str:
    """The major key with this signature or its relative minor, whichever the key model prefers."""
    scores = harmony.key_features(notes) @ harmony.key_weights()
    minor_row = 12 + (major_pc + 9) % 12
    if scores[minor_row] > scores[major_pc]:
        return harmony.key_name((major_pc + 9) % 12, minor=True)
    return harmony.key_name(major_pc, minor=False)


def _signature(found: tuple[Note, ...], sung: np.ndarray, weight: np.ndarray, onsets: np.ndarray, prm: IntonationParams) -> int:
    """The major key (pitch class) whose signature the take was sung in."""
    best: tuple[float, int, np.ndarray] | None = None
    for major_pc in range(12):
        pitch, cost = _costs(sung, weight, major_pc, prm, prm.key_chromatic_cost, tonic_pc=major_pc)
        total, path = _viterbi(cost, onsets, prm)
        written = pitch[np.arange(len(found)), path]
        if prm.key_model_weight:
            # What the melody written this way says for the key (tonic, phrase ends, profile).
            named = tuple(Note(n.onset_s, n.offset_s, int(w)) for n, w in zip(found, written))
            scores = harmony.key_features(named) @ harmony.key_weights()
            total -= prm.key_model_weight * max(scores[major_pc], scores[12 + (major_pc + 9) % 12])
        if best is None or total < best[0]:
            best = (total, major_pc, written)
    assert best is not None
    _, major_pc, written = best
    # Offsets o and o - 100 with every note a semitone higher read the same take: write it in the
    # semitone the notes' median deviation is nearest to (the register the singer sang in), the
    # deviation measured as SwiftF0 hears it and moved by ``register_bias_st`` toward how people do.
    return (major_pc + int(np.round(np.median(sung - written) + prm.register_bias_st))) % 12


def name_sung_notes(
    found: tuple[Note, ...], *, tuning_cents: float = 0.0, key: str | None = None, params: IntonationParams | None = None
) -> Intonation:
    """Write each sung note as the pitch the singer meant, in the key they sang in.

    Args:
        found: Notes whose sung pitch is ``midi + (cents + tuning_cents) / 100``.
        tuning_cents: The tuning the notes were rounded in.
        key: A key to use (``"F major"``); ``None`` estimates it with the tuning.
        params: The knobs; ``None`` reads the fitted ones (:meth:`IntonationParams.load`).

    Returns:
        The renamed notes, the key, and the tuning followed per note.
    """
    if not found:
        return Intonation((), key or "C major", np.zeros(0))
    prm = params or IntonationParams.load()
    sung = np.array([n.midi + (n.cents + tuning_cents) / 100.0 for n in found])
    weight = np.clip(np.array([n.duration_s for n in found]) / prm.held_s, 0.2, 1.0)
    onsets = np.array([n.onset_s for n in found])
    if key:
        major_pc, tonic_pc = 7 * harmony.key_signature_sharps(key) % 12, harmony.tonic_pc(Key(key).tonic)
    else:
        major_pc = tonic_pc = _signature(found, sung, weight, onsets, prm)
    pitch, cost = _costs(sung, weight, major_pc, prm, prm.chromatic_cost, tonic_pc=tonic_pc)
    _, path = _viterbi(cost, onsets, prm)
    written, offsets = pitch[np.arange(len(found)), path], prm.offsets_cents[path]
    notes = tuple(Note(n.onset_s, n.offset_s, int(w), float((s - w) * 100.0), n.confidence) for n, w, s in zip(found, written, sung))
    if key:
        return Intonation(notes, key, offsets)
    return Intonation(notes, harmony.key_without_evidence(notes) or _mode_of(notes, major_pc), offsets)
