"""The result of a transcription: what every stage found, and its writers (one per output format)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from . import gating
from .config import Options
from .output.files import write_bytes_atomic
from .types import Audio, Note, PitchTrack, Rhythm, WrittenNote
from .values import TimeSignature


@dataclass(frozen=True, eq=False)
class Transcription:
    """Everything the pipeline found about one recording.

    Attributes:
        source: The input path, or ``"<array>"``.
        title: Score title.
        duration_s: Length of the audio in seconds.
        options: The options used.
        raw_track: The backend's pitch track before gating.
        voiced: Voicing mask per frame, shape (len(raw_track),).
        tuning_cents: The tuning the notes were rounded in, in cents from A440:
            the measured one, or 0 where the notes were rounded at A440
            (``tuning="a440"``), or, for ``"auto"`` with an unsteady tuning (a voice),
            0 with each note named by key and the singer's drifting tuning
            (:mod:`transcribe.intonation`; its ``cents`` are from that note, so the sung
            pitch is still ``midi + cents / 100``).
        notes: Sounding notes in performance time.
        rhythm: Tempo, meter, pickup and quantized positions.
        key: Key like ``"G major"`` (a :class:`transcribe.values.Key`).
        written: Notes as written (names, measures, beats, written lengths).
        audio: The mono audio at the pitch backend's rate (16 kHz for
            SwiftF0: 64 kB per second), kept for :meth:`plot`; ``None`` when
            built by hand.
        measured_tuning_cents: The performance's own tuning in cents from A440
            (the circular mean of its voiced frames); ``None`` when built by hand.
        tuning_steadiness: How steadily the performance holds that tuning
            (:attr:`transcribe.tuning.Tuning.steadiness`, 0 to 1); ``None`` when built by hand.
        onsets_at: Where the note onsets were put: ``"attack"`` or ``"pitch"``
            (see :data:`transcribe.config.ONSETS`).
        sung_writing: Whether the notes were named by the key and the singer's drifting
            tuning (:func:`transcribe.profiles.sung_writing`; a voice's rhythm is written as a
            voice's whatever the ``tuning`` option, :func:`transcribe.profiles.voice_rhythm`);
            an unsteady tuning whose pitch jumps (an instrument) is rounded at A440 instead.
    """

    source: str
    title: str
    duration_s: float
    options: Options
    raw_track: PitchTrack
    voiced: np.ndarray
    tuning_cents: float
    notes: tuple[Note, ...]
    rhythm: Rhythm
    key: str
    written: tuple[WrittenNote, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    audio: Audio | None = field(default=None, repr=False)
    measured_tuning_cents: float | None = None
    tuning_steadiness: float | None = None
    onsets_at: str = "attack"
    sung_writing: bool = False

    @property
    def tuning_summary(self) -> str:
        """The performance's measured tuning as the report and the plot print it,
        e.g. ``"tuning +38 cents (notes at A440)"``."""
        measured = self.tuning_cents if self.measured_tuning_cents is None else self.measured_tuning_cents
        shown = f"tuning {round(measured):+d} cents"  # round() gives an int: whole cents, never "-0"
        if self.options.tuning == "a440":
            return f"{shown} (notes at A440)"
        if self.options.tuning == "auto" and self.tuning_cents == 0.0 and measured != 0.0:
            if self.sung_writing:
                return f"{shown}, unsteady (notes named in the key, following the singer)"
            return f"{shown}, unsteady (notes at A440)"
        return shown

    @property
    def track(self) -> PitchTrack:
        """The gated pitch track: f0 is NaN in rests."""
        return gating.gate(self.raw_track, self.voiced)

    @property
    def tempo_bpm(self) -> float:
        """Quarter-note tempo in BPM."""
        return self.rhythm.bpm

    @property
    def time_signature(self) -> TimeSignature:
        """Time signature like ``"3/4"``."""
        return self.rhythm.time_signature

    @property
    def score(self) -> Any:
        """The music21 Score (built on first use)."""
        if "score" not in self._cache:
            from .output.score import build_score

            self._cache["score"] = build_score(self.written, self.rhythm, key=self.key, title=self.title, composer=self.options.composer)
        return self._cache["score"]

    def to_musicxml(self) -> bytes:
        """The score as MusicXML bytes."""
        if "musicxml" not in self._cache:
            from .output.score import to_musicxml

            self._cache["musicxml"] = to_musicxml(self.score)
        return bytes(self._cache["musicxml"])

    def to_midi(self) -> bytes:
        """The score as Standard MIDI File bytes."""
        if "midi" not in self._cache:
            from .output.midi import to_midi

            self._cache["midi"] = to_midi(self.written, self.rhythm, key=self.key, title=self.title, timing=self.options.midi_timing)
        return bytes(self._cache["midi"])

    def use_rendered(self, musicxml: bytes, midi: bytes) -> None:
        """Take this transcription's MusicXML and MIDI as made elsewhere from the same notes
        (:class:`transcribe.output.engraver.Engraver`, the CLI's helper process), so that writing and
        engraving them need no music21 in this process."""
        self._cache["musicxml"], self._cache["midi"] = bytes(musicxml), bytes(midi)

    def write_musicxml(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write MusicXML atomically; refuses to overwrite unless ``force``."""
        return write_bytes_atomic(path, self.to_musicxml(), force=force)

    def write_midi(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write MIDI atomically; refuses to overwrite unless ``force``."""
        return write_bytes_atomic(path, self.to_midi(), force=force)

    def to_svg(self, *, fit_height: bool = True) -> list[str]:
        """The engraved score as SVG documents, one per page (A4 wide; see :mod:`transcribe.output.render`)."""
        key = f"svg-{fit_height}"
        if key not in self._cache:
            from .output.render import engrave

            self._cache[key] = engrave(self.to_musicxml(), fit_height=fit_height)
        return list(self._cache[key])

    def write_svg(self, path: str | os.PathLike[str], *, force: bool = False) -> list[Path]:
        """Write the engraved pages as ``name.svg``, ``name-2.svg``...; returns the paths."""
        from .output.render import write_pages

        return write_pages(path, [s.encode("utf-8") for s in self.to_svg()], force=force)

    def write_png(self, path: str | os.PathLike[str], *, force: bool = False) -> list[Path]:
        """Write the engraved pages as ``name.png``, ``name-2.png``... (150 dpi); returns the paths."""
        from .output.render import png_pages, write_pages

        return write_pages(path, png_pages(self.to_svg()), force=force)

    def to_pdf(self) -> bytes:
        """The engraved score as one PDF of full A4 pages."""
        from .output.render import pdf_document

        return pdf_document(self.to_svg(fit_height=False))

    def write_pdf(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the engraved score as one PDF atomically."""
        return write_bytes_atomic(path, self.to_pdf(), force=force)

    def to_csv(self) -> bytes:
        """The note list as CSV bytes (columns: :data:`transcribe.output.notelist.COLUMNS`)."""
        from .output.notelist import to_csv

        return to_csv(self.written)

    def write_csv(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the note list as CSV atomically."""
        return write_bytes_atomic(path, self.to_csv(), force=force)

    def plot(self) -> bytes:
        """A PNG picture of spectrogram, pitch track and notes (see :mod:`transcribe.output.plot`)."""
        from .output.plot import plot_png

        return plot_png(self)

    def write_plot(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write :meth:`plot` atomically."""
        return write_bytes_atomic(path, self.plot(), force=force)


#: Pickup lengths (quarters) that have a name of their own in the report line.
PICKUP_NAMES = {
    Fraction(1, 4): "a sixteenth-note",
    Fraction(1, 2): "an eighth-note",
    Fraction(3, 4): "a dotted-eighth",
    Fraction(1): "a quarter-note",
    Fraction(3, 2): "a dotted-quarter",
    Fraction(2): "a half-note",
    Fraction(3): "a dotted-half",
}


def pickup_words(pickup_q: Fraction) -> str:
    """The pickup (anacrusis) of ``pickup_q`` quarters in words, for the report line: "with an
    eighth-note pickup", "with a pickup of 1.25 quarters"; "" for none."""
    if pickup_q <= 0:
        return ""
    name = PICKUP_NAMES.get(Fraction(pickup_q))
    return f" with {name} pickup" if name else f" with a pickup of {float(pickup_q):g} quarters"


def count_words(n: int, noun: str) -> str:
    """``n`` and ``noun`` in words, plural but for one: "1 note", "0 notes", "12 notes"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def report_line(t: Transcription) -> str:
    """One line about a transcription (the CLI prints it, the web page shows it): length, notes, tempo, meter, key and tuning."""
    pickup = pickup_words(t.rhythm.pickup_q)
    return (
        f"{t.source}: {t.duration_s:.1f} s, {count_words(len(t.notes), 'note')}, tempo {t.tempo_bpm:.0f} BPM, "
        f"{t.time_signature}{pickup}, {t.key}, {t.tuning_summary}"
    )
