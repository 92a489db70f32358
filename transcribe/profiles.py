"""Voice and instrument presets, chosen in one place.

Two pieces of evidence tell an instrument from a voice (:class:`Performer`):

- the tuning: a performance that holds one tuning is an instrument, one whose tuning wanders
  may be a voice (:data:`transcribe.config.TUNING_MIN_STEADINESS`);
- how the pitch moves from note to note (:func:`jump_share`): an instrument's pitch jumps
  (a key, a valve, a finger), a voice's glides and wavers. A fast jazz lick with scooped
  notes wanders in tuning like a singer, but its pitch still moves by jumps; the two
  measures are weighed together (:data:`INSTRUMENT_MIN_SCORE`).

The choice decides three things, each here:

- the note stage (:func:`choose`, from the ``onsets`` option): an instrument's notes come from
  the Viterbi search (:mod:`transcribe.notes.search`) with their onsets moved to the attack and
  their ends to the release; a voice's from the sung-onset model (:mod:`transcribe.notes.sung`);
- the tuning notes are rounded in (:func:`rounding_tuning_cents`, from the ``tuning`` option):
  the measured one only where it holds (:func:`steady`), whoever plays;
- how a voice is written: its rhythm in the fitted simple values whatever the ``tuning`` option
  (:func:`voice_rhythm`), its notes named by the key and the singer's drifting tuning
  (:mod:`transcribe.intonation`) with ``tuning`` auto (:func:`sung_writing`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import TUNING_MIN_STEADINESS
from .notes.params import SegmentParams
from .tuning import Tuning, measure_tuning
from .types import PitchTrack

#: A step between two voiced frames at least this fast (semitones per second) is a jump:
#: 0.8 semitone in one 16 ms frame. A sung glide between notes takes 50-150 ms.
JUMP_MIN_SEMITONES_PER_S: float = 50.0
#: Steps of an octave or more (a tracker's octave slip) are not melodic motion and are left out.
JUMP_MAX_SEMITONES: float = 11.0
#: A performance whose tuning does not hold is still an instrument when
#: ``steadiness + JUMP_WEIGHT * jump_share`` reaches :data:`INSTRUMENT_MIN_SCORE`: a line with the
#: widest margin between a generated varied set (seed 5: three soundfonts, four rooms, microphone
#: colouring, expressive playing; lowest 0.69) and the sung dev sets (ssvd-dev, ssvd-scores,
#: vocadito; highest 0.55), measured with SwiftF0 (``python -m benchmarks.routing``). The fast,
#: scooped real sax lick (steadiness 0.45, jumps 0.70) scores 0.80, the held-out set 1.03 and up.
JUMP_WEIGHT: float = 0.5
INSTRUMENT_MIN_SCORE: float = 0.62


def steady(measured: Tuning) -> bool:
    """Whether the performance holds its tuning: an unsteady tuning rounds at A440 with ``tuning="auto"``."""
    return measured.steadiness >= TUNING_MIN_STEADINESS


@dataclass(frozen=True)
class Performer:
    """The evidence that tells an instrument from a voice.

    Attributes:
        tuning: The performance's measured tuning (offset and steadiness).
        jump_share: Of the pitch motion between voiced frames, the share made in jumps
            (:func:`jump_share`), in [0, 1].
    """

    tuning: Tuning
    jump_share: float

    @classmethod
    def measure(cls, raw: PitchTrack, mask: np.ndarray) -> Performer:
        """The evidence in a pitch track's voiced frames ``mask``; no tuning and no motion without any."""
        if not mask.any():
            return cls(Tuning(0.0, 0.0), 0.0)
        return cls(measure_tuning(raw.midi[mask], raw.confidence[mask]), jump_share(raw.midi, mask, raw.hop_s))

    @property
    def instrument(self) -> bool:
        """An instrument: its tuning holds, or it nearly holds and the pitch moves by jumps (not glides)."""
        return steady(self.tuning) or self.tuning.steadiness + JUMP_WEIGHT * self.jump_share >= INSTRUMENT_MIN_SCORE


def jump_share(midi: np.ndarray, voiced: np.ndarray, hop_s: float) -> float:
    """Of the pitch motion between consecutive voiced frames, the share made in jumps.

    Args:
        midi: Fractional MIDI numbers per frame, shape (n,); NaN where no pitch.
        voiced: Which frames are voiced, shape (n,).
        hop_s: Frame period in seconds.

    Returns:
        The summed size of the steps faster than :data:`JUMP_MIN_SEMITONES_PER_S` over the
        summed size of all steps (octave slips left out); 0.0 with no motion to measure.
    """
    midi = np.asarray(midi, dtype=np.float64)
    ok = np.asarray(voiced, dtype=bool) & np.isfinite(midi)
    if len(midi) < 2 or hop_s <= 0:
        return 0.0
    step = np.abs(np.diff(np.where(ok, midi, 0.0)))
    both = ok[1:] & ok[:-1] & (step < JUMP_MAX_SEMITONES)
    step = step[both]
    total = float(step.sum())
    if total <= 0.0:
        return 0.0
    return float(step[step >= JUMP_MIN_SEMITONES_PER_S * hop_s].sum() / total)


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


def choose(performer: Performer, onsets: str) -> Profile:
    """The note stage's profile for an ``onsets`` option (:data:`transcribe.config.ONSETS`)."""
    if onsets == "auto":
        return INSTRUMENT if performer.instrument else VOICE
    return BY_ONSETS[onsets]


#: The voicing gate's hysteresis for an instrument, per pitch backend, when the user gives none
#: (``transcribe.config.DEFAULT_HYSTERESIS`` otherwise): a SwiftF0 run that reaches the
#: confidence threshold (0.7) holds down to 0.15 x 0.7 = 0.105, not 0.35. Under a hall's
#: reverb the tracker grows unsure of a held or new note whose pitch it still reads right;
#: those frames stay in the note. Chosen on the varied set (seed 5) and the hall check (seed 7,
#: fluidr3/musescore/timgm6mb x hall), COnP: 0.910 / 0.696 at 0.5, 0.912 / 0.701 at 0.35,
#: 0.912 / 0.705 at 0.25 (the first networks); with the stages of 2026-12-07 0.941 / 0.821 at 0.25,
#: 0.942 / 0.825 at 0.15, the same at 0.07 and 0.03 (benchmarks/RESULTS.md). A voice keeps
#: the backend default.
INSTRUMENT_HYSTERESIS: dict[str, float] = {"swift": 0.15}


def gate_hysteresis(profile: Profile, *, backend: str, default: float, override: float | None) -> float:
    """The voicing gate's hysteresis for ``profile``: the user's ``override``, else an
    instrument's :data:`INSTRUMENT_HYSTERESIS` for ``backend``, else the backend's ``default``."""
    if override is not None:
        return float(override)
    if profile.name == "instrument":
        return INSTRUMENT_HYSTERESIS.get(backend, default)
    return default


#: A voice's notes before its first note of at least this mean confidence are dropped
#: (:func:`transcribe.notes.cleanup.drop_unsure_lead`), per pitch backend; none for the others,
#: whose confidence runs on another scale. Chosen by ``python -m benchmarks.leading_notes``
#: (ssvd-dev, ssvd-scores and vocadito, cross-validated by recording; docs/intonation.md).
VOICE_LEAD_MIN_CONFIDENCE: dict[str, float] = {"swift": 0.85}


def lead_min_confidence(profile: Profile, *, backend: str) -> float:
    """The confidence a take's first kept note needs (:data:`VOICE_LEAD_MIN_CONFIDENCE`) for
    ``profile`` and the pitch ``backend``: 0 (every note kept) for an instrument or a backend
    without one."""
    if profile.name != "voice":
        return 0.0
    return VOICE_LEAD_MIN_CONFIDENCE.get(backend, 0.0)


def rounding_tuning_cents(performer: Performer, mode: str) -> float:
    """The tuning notes are rounded in, in cents from A440, for a ``tuning`` option (:data:`transcribe.config.TUNINGS`):
    with ``"auto"``, the measured one where it holds (an unsteady one would move as many notes off
    their semitone as onto it)."""
    if mode == "performance" or (mode == "auto" and steady(performer.tuning)):
        return performer.tuning.cents
    return 0.0


def sung_writing(performer: Performer, mode: str) -> bool:
    """Whether the notes are named as a voice's (by the key and the singer's drifting tuning), for
    a ``tuning`` option: ``"auto"`` and not an instrument (``performance`` and ``a440`` round them
    as asked)."""
    return mode == "auto" and voice_rhythm(performer)


def voice_rhythm(performer: Performer) -> bool:
    """Whether the rhythm is written as a voice's (the followed beat, simple values): not an
    instrument. The ``tuning`` option, which says how pitches are rounded, does not change it."""
    return not performer.instrument
