"""The small frozen dataclasses that flow between stages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

import numpy as np

from .units import hz_to_midi
from .values import TimeSignature


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono audio.

    Attributes:
        samples: float32 array, shape (n,), nominally in [-1, 1].
        sr: Sample rate in Hz.
    """

    samples: np.ndarray
    sr: int

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.samples) / float(self.sr) if self.sr else 0.0


@dataclass(frozen=True, eq=False)
class PitchTrack:
    """A frame-wise pitch estimate.

    Attributes:
        times_s: Frame centre times in seconds, shape (n,), increasing.
        f0_hz: Fundamental frequency in Hz, shape (n,), NaN where the model
            found no pitch at all.
        confidence: Voicing confidence in [0, 1], shape (n,).
        loudness_db: Level of the audio around each frame in dB re full scale,
            shape (n,).
        backend: Name of the backend that made it.
    """

    times_s: np.ndarray
    f0_hz: np.ndarray
    confidence: np.ndarray
    loudness_db: np.ndarray
    backend: str = ""

    def __post_init__(self) -> None:
        n = len(self.times_s)
        if not (len(self.f0_hz) == len(self.confidence) == len(self.loudness_db) == n):
            raise ValueError("PitchTrack arrays must have equal lengths")

    def __len__(self) -> int:
        return len(self.times_s)

    @property
    def hop_s(self) -> float:
        """Frame period in seconds (0 for fewer than two frames)."""
        return float(self.times_s[1] - self.times_s[0]) if len(self.times_s) > 1 else 0.0

    @property
    def midi(self) -> np.ndarray:
        """f0 as fractional MIDI numbers, NaN where f0 is NaN or not positive."""
        with np.errstate(divide="ignore", invalid="ignore"):
            f0 = np.where(self.f0_hz > 0, self.f0_hz, np.nan)
            return hz_to_midi(f0)


@dataclass(frozen=True)
class FrameArrays:
    """Per-frame arrays of one recording that the note stage and its networks read, built once.

    (``PitchTrack.midi`` computes its array on every access; a stage that looks at every
    note must not do that per note.) The note search builds its own, with the tuning taken
    out of ``midi``, ``confidence`` 0 on unvoiced frames and ``voiced`` the voicing before
    gap bridging (see :func:`transcribe.notes.segment`).

    Attributes:
        times_s: Frame times (seconds), shape (n,).
        midi: Pitch as fractional MIDI, NaN where unvoiced, shape (n,).
        confidence: Tracker confidence, shape (n,).
        loudness_db: Level (dB), shape (n,).
        onset: Onset strength, NaN-free, shape (n,).
        attack: Short-window onset strength, NaN-free, shape (n,).
        voiced: Voicing mask, shape (n,).
    """

    times_s: np.ndarray
    midi: np.ndarray
    confidence: np.ndarray
    loudness_db: np.ndarray
    onset: np.ndarray
    attack: np.ndarray
    voiced: np.ndarray

    @classmethod
    def of(cls, track: PitchTrack, onset: np.ndarray, attack: np.ndarray, voiced: np.ndarray) -> FrameArrays:
        """The arrays of ``track`` with its onset and attack strengths and voicing mask."""
        return cls(
            np.asarray(track.times_s, dtype=np.float64),
            track.midi,
            np.asarray(track.confidence, dtype=np.float64),
            np.asarray(track.loudness_db, dtype=np.float64),
            np.nan_to_num(np.asarray(onset, dtype=np.float64)),
            np.nan_to_num(np.asarray(attack, dtype=np.float64)),
            np.asarray(voiced, dtype=bool),
        )

    def window(self, start: int, end: int) -> FrameArrays:
        """Frames ``[start, end)`` of every array (views, not copies)."""
        return FrameArrays(*(getattr(self, f.name)[start:end] for f in fields(self)))


@dataclass(frozen=True)
class Note:
    """A sounding note in performance time.

    Attributes:
        onset_s: Start in seconds.
        offset_s: End in seconds.
        midi: MIDI note number after the tuning offset is removed.
        cents: How far the sung pitch lies from ``midi`` (after tuning), in cents.
        confidence: Mean voicing confidence of the note's frames, in [0, 1].
    """

    onset_s: float
    offset_s: float
    midi: int
    cents: float = 0.0
    confidence: float = 1.0

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.offset_s - self.onset_s


@dataclass(frozen=True)
class Rhythm:
    """Tempo, meter and the quantized position of every note.

    Attributes:
        bpm: Quarter-note tempo in beats per minute.
        time_signature: Like ``"3/4"`` (a :class:`TimeSignature`; text is converted).
        origin_s: Performance time (seconds) of score position 0, the first
            downbeat of the first full measure.
        pickup_q: Length of the pickup (anacrusis) before the first full
            measure, in quarter notes; 0 when the melody starts on a downbeat.
        onsets_q: Per note, its score position in quarter notes from the
            start of the score (the start of the pickup measure, if any).
        durations_q: Per note, its written length in quarter notes.
        quarter_times_s: The beat grid in performance time: the time (seconds) of
            every whole quarter-note position 0, 1, 2... of the score, through the end
            of its last bar, on the grid that follows the performer's tempo; empty
            when not known (no notes, or a rhythm built by hand).
    """

    bpm: float
    time_signature: TimeSignature
    origin_s: float
    pickup_q: Fraction
    onsets_q: tuple[Fraction, ...]
    durations_q: tuple[Fraction, ...]
    quarter_times_s: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_signature", TimeSignature(self.time_signature))

    @property
    def measure_q(self) -> Fraction:
        """Length of one measure in quarter notes."""
        return self.time_signature.measure_q


@dataclass(frozen=True)
class WrittenNote:
    """A note as written on the page, next to the sounding note it comes from.

    Attributes:
        onset_s: Performance onset in seconds.
        offset_s: Performance offset in seconds.
        midi: MIDI number.
        name: Spelled name with octave, e.g. ``"F#4"`` (sharps ``#``, flats ``b``).
        onset_q: Score position in quarter notes from the start of the score.
        duration_q: Written length in quarter notes (tied parts summed).
        measure: Measure number (the pickup measure is 0).
        beat: Beat within the measure, 1-based, in the meter's beat unit.
        cents: Deviation of the sung pitch from ``midi`` in cents.
        confidence: Mean voicing confidence in [0, 1].
    """

    onset_s: float
    offset_s: float
    midi: int
    name: str
    onset_q: Fraction
    duration_q: Fraction
    measure: int
    beat: float
    cents: float
    confidence: float


#: A stage hook, for the fit scripts (``benchmarks/fit_*.py``): called with a stage's name and
#: what it is about to get, e.g. ``("refine_onsets", {"notes": ..., "frames": ..., "min_note_s": ...})``.
#: :func:`transcribe.pipeline.transcribe` names the stages it calls it for; it must not change them.
StageHook = Callable[[str, dict[str, Any]], None]
