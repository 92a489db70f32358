"""Every default of the pipeline, defined once.

The CLI builds its arguments from :class:`Options` and the stages receive the
fields they need as keyword arguments, so each option has one name from the
command line (``--confidence``) to the stage that uses it
(``gating.voiced_mask(confidence=...)``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Any

from .errors import OptionError
from .values import Key, TimeSignature

#: Pitch backends known to the package, the first is the default.
BACKENDS: tuple[str, ...] = ("swift", "pyin", "spice")

#: Per-backend confidence threshold for a frame to count as voiced. Chosen by
#: measurement on the benchmark sets (see docs/how-it-works.md, "Gating into rests"). SwiftF0: COnP F1
#: on the 48 rendered items / 12 ssvd-dev recordings was 0.793/0.496 at 0.3,
#: 0.790/0.492 at 0.4, 0.783/0.505 at 0.5, 0.763/0.516 at 0.6, 0.707/0.526 at
#: 0.7: instruments want a low threshold, singing a high one, and 0.5 (the
#: model's own calibrated voicing point) serves both within 0.01-0.02. pYIN's
#: voicing probability is low on anything but a clean tone: COnP F1 on 6 rendered
#: items / 6 ssvd-dev recordings was 0.750/0.511 at 0.1, 0.638/0.502 at 0.3,
#: 0.435/0.462 at 0.5. SPICE's 1 - uncertainty sits
#: high on everything (v1: ~0.95 on a tone, ~0.82 on digital silence), and 0.9
#: scored best on 30 ssvd-dev recordings (note F1 0.397 at 0.5, 0.398 at 0.7,
#: 0.409 at 0.9, 0.405 at 0.92; flat on synthetic melodies).
DEFAULT_CONFIDENCE: dict[str, float] = {"swift": 0.7, "pyin": 0.1, "spice": 0.9}

#: Per-backend hysteresis of the gate: frames down to this share of the
#: threshold stay voiced inside a run that reaches it. For SwiftF0, 0.7 with
#: hysteresis 0.5 (a run starts at 0.7 and holds down to 0.35) scored COnP F1
#: 0.791/0.512 (rendered/ssvd) against 0.782/0.512 for a plain 0.5 threshold:
#: a note ringing under the previous one (piano, reverb) keeps its weak frames
#: while noise never reaches 0.7. pYIN and SPICE were measured without it.
DEFAULT_HYSTERESIS: dict[str, float] = {"swift": 0.5, "pyin": 1.0, "spice": 1.0}

#: Per-backend pitch range searched (Hz). SwiftF0 reaches a bass's low E (41 Hz) and a whistle's
#: top (4 kHz) by reading the audio moved an octave where its model ends
#: (:mod:`transcribe.pitch.beyond`); pYIN and SPICE keep the range they were measured on.
DEFAULT_PITCH_RANGE_HZ: dict[str, tuple[float, float]] = {"swift": (30.0, 4000.0), "pyin": (50.0, 2000.0), "spice": (50.0, 2000.0)}


def pitch_range_hz(backend: str, fmin_hz: float | None = None, fmax_hz: float | None = None) -> tuple[float, float]:
    """The pitch range searched (Hz): ``fmin_hz`` and ``fmax_hz``, each ``None`` taking the backend's
    default from :data:`DEFAULT_PITCH_RANGE_HZ`."""
    default_fmin_hz, default_fmax_hz = DEFAULT_PITCH_RANGE_HZ[backend]
    return (default_fmin_hz if fmin_hz is None else fmin_hz, default_fmax_hz if fmax_hz is None else fmax_hz)


#: What notes are rounded to: "performance" rounds relative to the recording's own
#: measured tuning (a band tuned to A = 432 Hz keeps its written pitches), "a440" to the
#: semitones of A = 440 Hz whatever the performance's tuning, and "auto" (the default)
#: uses the performance's tuning only where the performance holds one (see
#: :data:`TUNING_MIN_STEADINESS`).
TUNINGS: tuple[str, ...] = ("auto", "performance", "a440")

#: With ``tuning="auto"``, the measured tuning is used only when the voiced frames'
#: deviations from it are this concentrated (:attr:`transcribe.tuning.Tuning.steadiness`;
#: 0.55 is a spread of about 17 cents). Instruments and the rendered set's choir sit at
#: 0.61-0.98 (the second rendered set: 0.59 and up, but one choir at 0.50); untrained
#: singers wander between semitones (0.01-0.49 on ssvd-dev and vocadito), and there one
#: global offset moves as many notes off their semitone as onto it: rounding them at A440
#: scored COnP F1 0.498 against 0.459 on ssvd-dev and 0.613/0.576 against 0.509/0.475 on
#: vocadito (A1/A2) when this rule was added, with the rendered set unchanged.
TUNING_MIN_STEADINESS: float = 0.55

#: Where a note's onset is put: "attack" at the start of its attack (an instrument's
#: note begins with its attack, before the pitch tracker hears the new pitch: the
#: attack search in :mod:`transcribe.notes`), "pitch" where a sung note starts (the
#: learned sung segmentation, :mod:`transcribe.notes.sung`), and "auto" (the default) "pitch" when
#: the performance's tuning is unsteady (:data:`TUNING_MIN_STEADINESS`, as for an
#: untrained voice) and "attack" otherwise. On ssvd-dev, "pitch" scored COnP F1 0.524
#: against 0.470 for "attack"; on the rendered instruments "attack" scored 0.876
#: against 0.824 for "pitch" (vocadito's three clips: 0.641 / 0.630 against
#: 0.639 / 0.646, annotators A1 / A2).
ONSETS: tuple[str, ...] = ("auto", "attack", "pitch")

#: How the MIDI file is timed: "recording" puts every note where it sounds in the
#: recording, under a tempo map that puts the written beats and bar lines where they
#: fall in it; "score" plays the written values at the one written tempo from time 0.
MIDI_TIMINGS: tuple[str, ...] = ("recording", "score")

_TS_RE = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")
_KEY_RE = re.compile(r"^\s*([A-Ga-g])([#b♯♭]?)\s*(major|minor|maj|min|m)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Options:
    """Options of one transcription; every field has its default here only.

    Attributes:
        pitch: Pitch backend, one of :data:`BACKENDS`.
        confidence: Voicing threshold in [0, 1]; ``None`` takes the backend's
            measured default from :data:`DEFAULT_CONFIDENCE`.
        loudness_floor_db: Frames quieter than this many dB below the loudest
            part of the recording are rests, whatever the pitch model says.
        hysteresis: Frames down to this share of the threshold stay voiced
            inside a run that reaches the threshold (1 turns it off); ``None``
            takes the backend's default from :data:`DEFAULT_HYSTERESIS`.
        max_gap_s: Unvoiced gaps up to this long inside a note are bridged.
        min_note_s: Shortest note kept, in seconds.
        fmin_hz: Lowest pitch searched, in Hz; ``None`` takes the backend's default from
            :data:`DEFAULT_PITCH_RANGE_HZ`.
        fmax_hz: Highest pitch searched, in Hz; ``None`` likewise.
        tempo_bpm: Quarter-note tempo override; ``None`` estimates it.
        time_signature: Time-signature override like ``"3/4"``; ``None`` estimates it.
        key: Key override like ``"G major"`` or ``"E minor"``; ``None`` estimates it.
        title: Score title; ``None`` uses the file name.
        composer: Composer named on the score; ``None`` names none.
        midi_timing: How the MIDI file is timed, one of :data:`MIDI_TIMINGS`.
        tuning: Semitone grid the notes are rounded to, one of :data:`TUNINGS`.
        onsets: Where note onsets are put, one of :data:`ONSETS`.
        spice_model: SPICE model handle (URL or SavedModel folder); ``None``
            uses ``$TRANSCRIBE_SPICE_MODEL`` or the TF Hub default.
        spice_version: SPICE calibration version (1 or 2); ``None`` detects it
            from the handle.
    """

    pitch: str = "swift"
    confidence: float | None = None
    loudness_floor_db: float = 45.0
    hysteresis: float | None = None
    max_gap_s: float = 0.05
    min_note_s: float = 0.07
    fmin_hz: float | None = None
    fmax_hz: float | None = None
    tempo_bpm: float | None = None
    time_signature: str | None = None
    key: str | None = None
    title: str | None = None
    composer: str | None = None
    midi_timing: str = "recording"
    tuning: str = "auto"
    onsets: str = "auto"
    spice_model: str | None = None
    spice_version: int | None = None

    def __post_init__(self) -> None:
        if self.pitch not in BACKENDS:
            raise OptionError(f"unknown pitch backend {self.pitch!r}: choose one of {', '.join(BACKENDS)}")
        if self.tuning not in TUNINGS:
            raise OptionError(f"unknown tuning {self.tuning!r}: choose one of {', '.join(TUNINGS)}")
        if self.midi_timing not in MIDI_TIMINGS:
            raise OptionError(f"unknown MIDI timing {self.midi_timing!r}: choose one of {', '.join(MIDI_TIMINGS)}")
        if self.onsets not in ONSETS:
            raise OptionError(f"unknown onsets {self.onsets!r}: choose one of {', '.join(ONSETS)}")
        if self.confidence is not None and not (_finite(self.confidence) and 0.0 <= self.confidence <= 1.0):
            raise OptionError(f"confidence {self.confidence!r} is out of range: give a number from 0 to 1")
        if self.tempo_bpm is not None and not (_finite(self.tempo_bpm) and 20.0 <= self.tempo_bpm <= 400.0):
            raise OptionError(f"tempo {self.tempo_bpm!r} is out of range: give a BPM from 20 to 400")
        if self.time_signature is not None:
            object.__setattr__(self, "time_signature", parse_time_signature(self.time_signature))
        if self.key is not None:
            object.__setattr__(self, "key", parse_key(self.key))
        if self.hysteresis is not None and not (_finite(self.hysteresis) and 0.0 < self.hysteresis <= 1.0):
            raise OptionError(f"hysteresis {self.hysteresis!r} is out of range: give a number in (0, 1]")
        for name in ("loudness_floor_db", "max_gap_s", "min_note_s"):
            value = getattr(self, name)
            if not (_finite(value) and value >= 0):
                raise OptionError(f"{name} {value!r} is out of range: give a number >= 0")
        fmin_hz, fmax_hz = self.pitch_range_hz
        if not (_finite(fmin_hz) and _finite(fmax_hz) and 20.0 <= fmin_hz < fmax_hz <= 4000.0):
            raise OptionError(f"pitch range {fmin_hz!r}-{fmax_hz!r} Hz is invalid: need 20 <= fmin < fmax <= 4000")
        if self.spice_version not in (None, 1, 2):
            raise OptionError(f"spice_version {self.spice_version!r} is unknown: give 1 or 2")

    @property
    def voicing_hysteresis(self) -> float:
        """The gate's hysteresis in force: the override or the backend default."""
        return DEFAULT_HYSTERESIS[self.pitch] if self.hysteresis is None else float(self.hysteresis)

    @property
    def pitch_range_hz(self) -> tuple[float, float]:
        """The pitch range searched (Hz): the overrides or the backend's defaults (:func:`pitch_range_hz`)."""
        return pitch_range_hz(self.pitch, self.fmin_hz, self.fmax_hz)

    @property
    def voicing_threshold(self) -> float:
        """The confidence threshold in force: the override or the backend default."""
        return DEFAULT_CONFIDENCE[self.pitch] if self.confidence is None else float(self.confidence)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> Options:
        """Build options from keyword arguments, rejecting unknown names clearly."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise OptionError(f"unknown option(s) {', '.join(unknown)}: valid options are {', '.join(sorted(known))}")
        return cls(**kwargs)


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_time_signature(text: str) -> TimeSignature:
    """Validate a time signature like ``"6/8"`` and return it normalised.

    Raises:
        OptionError: If it is not ``N/D`` with N in 1..32 and D a power of two up to 32.
    """
    match = _TS_RE.match(str(text))
    if not match:
        raise OptionError(f"time signature {text!r} is malformed: write it like 3/4 or 6/8")
    num, den = int(match.group(1)), int(match.group(2))
    if not (1 <= num <= 32) or den not in (1, 2, 4, 8, 16, 32):
        raise OptionError(f"time signature {text!r} is invalid: numerator 1-32, denominator 1, 2, 4, 8, 16 or 32")
    return TimeSignature(f"{num}/{den}")


def parse_key(text: str) -> Key:
    """Validate a key like ``"G major"``, ``"F# minor"``, ``"Bb"`` or ``"em"``.

    Returns:
        The key as ``"<Tonic> major"`` or ``"<Tonic> minor"`` with ``#``/``b``
        accidentals, e.g. ``"B- major"`` is written ``"Bb major"``.

    Raises:
        OptionError: If the tonic is not A-G with an optional sharp or flat.
    """
    match = _KEY_RE.match(str(text).replace("-", "b"))
    if not match:
        raise OptionError(f"key {text!r} is not a key: write it like 'G major', 'F# minor' or 'Bb major'")
    letter, accidental, mode = match.groups()
    accidental = {"♯": "#", "♭": "b"}.get(accidental, accidental)
    mode_l = (mode or "").lower()
    minor = mode_l in ("minor", "min", "m") or (not mode and letter.islower())
    return Key(f"{letter.upper()}{accidental} {'minor' if minor else 'major'}")
