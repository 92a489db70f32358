"""Voice and instrument presets, chosen in one place.

A performance that holds one tuning is an instrument, one whose tuning wanders is a voice
(:data:`transcribe.config.TUNING_MIN_STEADINESS`). The choice decides two things, each here:

- the note stage (:func:`choose`, from the ``onsets`` option): an instrument's notes come from
  the Viterbi search (:mod:`transcribe.notes.search`) with their onsets moved to the attack and
  their ends to the release; a voice's from the sung-onset model (:mod:`transcribe.notes.sung`);
- how a voice is written (:func:`sung_writing`, from the ``tuning`` option): notes named by the key
  and the singer's drifting tuning (:mod:`transcribe.intonation`), rhythm in the fitted simple values.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import TUNING_MIN_STEADINESS
from .notes.params import SegmentParams
from .tuning import Tuning


@dataclass(frozen=True)
class Profile:
    """What the note stage does for one kind of performer.

    Attributes:
        name: ``"instrument"`` or ``"voice"``.
        onsets_at: Where onsets are put, ``"attack"`` or ``"pitch"`` (:data:`transcribe.config.ONSETS`).
        segment: The note search's costs; ``None``: notes from the sung-onset model instead.
        refine_offsets: Whether the release network (:mod:`transcribe.notes.release`) moves note ends.
        refine_onsets: Whether the attack network (:mod:`transcribe.notes.attack`) moves onsets.
    """

    name: str
    onsets_at: str
    segment: SegmentParams | None
    refine_offsets: bool
    refine_onsets: bool


INSTRUMENT = Profile("instrument", "attack", SegmentParams(), refine_offsets=True, refine_onsets=True)
VOICE = Profile("voice", "pitch", None, refine_offsets=False, refine_onsets=False)
#: The profile of each ``onsets`` value other than ``"auto"``.
BY_ONSETS = {"attack": INSTRUMENT, "pitch": VOICE}


def steady(measured: Tuning) -> bool:
    """Whether the performance holds its tuning (an instrument) rather than wanders (a voice):
    the one test behind both ``"auto"`` rules."""
    return measured.steadiness >= TUNING_MIN_STEADINESS


def choose(measured: Tuning, onsets: str) -> Profile:
    """The note stage's profile for an ``onsets`` option (:data:`transcribe.config.ONSETS`)."""
    if onsets == "auto":
        return INSTRUMENT if steady(measured) else VOICE
    return BY_ONSETS[onsets]


def rounding_tuning_cents(measured: Tuning, mode: str) -> float:
    """The tuning notes are rounded in, in cents from A440, for a ``tuning`` option (:data:`transcribe.config.TUNINGS`)."""
    if mode == "performance" or (mode == "auto" and steady(measured)):
        return measured.cents
    return 0.0


def sung_writing(measured: Tuning, mode: str) -> bool:
    """Whether the notes are named and their rhythm written as a voice's, for a ``tuning`` option:
    ``"auto"`` with a tuning that wanders."""
    return mode == "auto" and not steady(measured)
