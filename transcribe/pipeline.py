"""The whole pipeline as one function, and the result object with its writers."""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from . import audio as audio_io
from . import features, gating, harmony, intonation, notes, pitch, rhythm
from .config import TUNING_MIN_STEADINESS, Options
from .errors import AudioError, TranscribeWarning
from .notes import attack as attack_model
from .notes import release, sung
from .output.files import write_bytes_atomic
from .tuning import Tuning, measure_tuning
from .types import Audio, FrameArrays, Note, PitchTrack, Rhythm, StageHook, WrittenNote

#: Window of the attack-strength function that places onsets (seconds): short,
#: so a sharp attack peaks where it happens.
ATTACK_WIN_S = 0.032


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
        key: Key like ``"G major"``.
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

    @property
    def tuning_summary(self) -> str:
        """The performance's measured tuning as the report and the plot print it,
        e.g. ``"tuning +38 cents (notes at A440)"``."""
        measured = self.tuning_cents if self.measured_tuning_cents is None else self.measured_tuning_cents
        if self.options.tuning == "a440":
            return f"tuning {measured:+.0f} cents (notes at A440)"
        if self.options.tuning == "auto" and self.tuning_cents == 0.0 and measured != 0.0:
            return f"tuning {measured:+.0f} cents, unsteady (notes named in the key, following the singer)"
        return f"tuning {measured:+.0f} cents"

    @property
    def track(self) -> PitchTrack:
        """The gated pitch track: f0 is NaN in rests."""
        return gating.gate(self.raw_track, self.voiced)

    @property
    def tempo_bpm(self) -> float:
        """Quarter-note tempo in BPM."""
        return self.rhythm.bpm

    @property
    def time_signature(self) -> str:
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
        """The engraved score as SVG documents, one per page (A4 wide; see :mod:`transcribe.render`)."""
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
        """The note list as CSV bytes (columns: :data:`transcribe.notelist.COLUMNS`)."""
        from .output.notelist import to_csv

        return to_csv(self.written)

    def write_csv(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the note list as CSV atomically."""
        return write_bytes_atomic(path, self.to_csv(), force=force)

    def plot(self) -> bytes:
        """A PNG picture of spectrogram, pitch track and notes (see :mod:`transcribe.plot`)."""
        from .output.plot import plot_png

        return plot_png(self)

    def write_plot(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write :meth:`plot` atomically."""
        return write_bytes_atomic(path, self.plot(), force=force)


def transcribe(
    source: str | os.PathLike[str] | np.ndarray | bytes | BinaryIO,
    sr: int | None = None,
    *,
    hook: StageHook | None = None,
    **options: Any,
) -> Transcription:
    """Transcribe a monophonic recording.

    Args:
        source: Path of an audio file, the bytes of one, a binary file object
            (``open(path, "rb")``, ``io.BytesIO``), or a signal of shape (n,) or (n, channels).
        sr: Sample rate of ``source`` in Hz when it is an array.
        hook: For the fit scripts: called with what some stages are about to get
            (:data:`transcribe.types.StageHook`): ``"reattack_run"`` (each note run's
            re-attack search, see :func:`transcribe.notes.segment`), ``"refine_offsets"``
            and ``"refine_onsets"`` (``notes``, ``frames``, ``min_note_s``; instruments only)
            and ``"rhythm"`` (``notes``, ``accent_db``).
        **options: Any field of :class:`transcribe.config.Options`
            (``pitch="swift"``, ``confidence=0.5``, ``tempo_bpm=120``...).

    Returns:
        The transcription. Silent or pitchless input gives no notes and an
        empty score, with a :class:`TranscribeWarning`.

    Raises:
        TranscribeError: For unreadable input, bad options, or a missing model.
    """
    opts = Options.from_kwargs(**options)
    backend_sr = pitch.sample_rate(opts.pitch)
    if isinstance(source, np.ndarray):
        if sr is None:
            raise AudioError("array input needs its sample rate: call transcribe(samples, sr=44100)")
        audio = audio_io.from_array(source, sr, target_sr=backend_sr)
        name, default_title = "<array>", "Transcription"
    elif isinstance(source, (str, os.PathLike)):
        audio = audio_io.load(source, sr=backend_sr)
        name, default_title = str(source), _title_from(Path(source))
    elif isinstance(source, (bytes, bytearray, memoryview)) or callable(getattr(source, "read", None)):
        name = "<bytes>" if isinstance(source, (bytes, bytearray, memoryview)) else str(getattr(source, "name", "<file object>"))
        audio = audio_io.load_data(source, sr=backend_sr, name=name)
        default_title = "Transcription"
    else:
        hint = (
            "pass np.asarray(samples) with sr="
            if isinstance(source, (list, tuple))
            else "pass a path, bytes, a binary file object or a numpy array"
        )
        raise AudioError(f"transcribe(): cannot read a {type(source).__name__}: {hint}")
    backend_options: dict[str, Any] = {}
    if opts.pitch == "spice":
        backend_options = {"model": opts.spice_model, "version": opts.spice_version}
    raw = pitch.estimate(audio, backend=opts.pitch, fmin_hz=opts.fmin_hz, fmax_hz=opts.fmax_hz, **backend_options)
    sure = gating.voiced_mask(
        raw, confidence=opts.voicing_threshold, loudness_floor_db=opts.loudness_floor_db, hysteresis=opts.voicing_hysteresis
    )
    mask = gating.bridge_gaps(raw, sure, max_gap_s=opts.max_gap_s)
    if mask.any():
        measured = measure_tuning(raw.midi[mask], raw.confidence[mask])
        onset = features.onset_strength(audio.samples, audio.sr, raw.times_s)
        attack = features.onset_strength(audio.samples, audio.sr, raw.times_s, win_s=ATTACK_WIN_S)
    else:
        measured = Tuning(0.0, 0.0)
        onset = attack = np.zeros(len(raw))
    found, tuning, onsets_at = find_notes(audio, raw, mask, sure, onset, attack, measured, opts, hook=hook)
    if not found:
        warnings.warn(f"{name}: no notes found (silence, noise, or too short): the score is empty", TranscribeWarning, stacklevel=2)
    sung_key, written_as = None, rhythm.SungRhythm((rhythm.FINE_PENALTY, rhythm.OTHER_PENALTY), 0.0)
    if opts.tuning == "auto" and not _steady(measured) and found:
        # A voice that holds no one tuning: name its notes by the key and its drifting tuning,
        # and write its rhythm in simple values unless the onsets insist.
        meant = intonation.name_sung_notes(found, tuning_cents=tuning, key=opts.key)
        found, sung_key, written_as = meant.notes, meant.key, rhythm.SungRhythm.load()
    accent_db = note_peaks_db(found, raw)
    if hook is not None:
        hook("rhythm", {"notes": found, "accent_db": accent_db})
    rh = rhythm.analyze(
        found,
        tempo_bpm=opts.tempo_bpm,
        time_signature=opts.time_signature,
        accent_db=accent_db,
        grid_penalties=written_as.grid_penalties,
        compound_shift=written_as.compound_shift,
        rest_min_beats=written_as.rest_min_beats,
    )
    key = opts.key or sung_key or harmony.estimate_key(found)
    if harmony.usual_key(key) != key:
        usual = harmony.usual_key(key)
        warnings.warn(f"{key} is written as {usual}, its enharmonic equivalent with a usual key signature", TranscribeWarning, stacklevel=2)
        key = usual
    written = write_notes(found, rh, key)
    return Transcription(
        source=name,
        title=clean_title(opts.title or default_title),
        duration_s=audio.duration_s,
        options=opts,
        raw_track=raw,
        voiced=mask,
        tuning_cents=tuning,
        notes=found,
        rhythm=rh,
        key=key,
        written=written,
        audio=audio,
        measured_tuning_cents=measured.cents,
        tuning_steadiness=measured.steadiness,
        onsets_at=onsets_at,
    )


def find_notes(
    audio: Audio,
    raw: PitchTrack,
    mask: np.ndarray,
    sure: np.ndarray,
    onset: np.ndarray,
    attack: np.ndarray,
    measured: Tuning,
    opts: Options,
    *,
    hook: StageHook | None = None,
) -> tuple[tuple[Note, ...], float, str]:
    """The note stage: notes from the pitch track and the audio's evidence.

    Returns:
        The notes, the tuning (cents from A440) they were rounded in, and where their
        onsets were put (``"attack"`` or ``"pitch"``).
    """
    tuning = rounding_tuning_cents(measured, opts.tuning)
    onsets_at = onset_rule(measured, opts.onsets)
    if onsets_at == "pitch":
        # A voice: notes from the sung-onset model's onset and offset probabilities
        # (transcribe.sung, fitted on SSVD's training split; docs/models/sung-onsets.md).
        frames = FrameArrays.of(raw, onset, attack, mask)
        bands = features.band_levels_db(audio.samples, audio.sr, raw.times_s)
        found = sung.notes_from(frames, bands, sung.load_model(), min_note_s=opts.min_note_s, tuning_cents=tuning)
        return found, tuning, onsets_at
    # An instrument: the pitch track's notes, onsets moved to their attacks, ends to their releases.
    params = notes.SegmentParams()
    found = notes.segment(
        raw, mask, onset, sure=sure, attack=attack, tuning_cents=tuning, min_note_s=opts.min_note_s, params=params, hook=hook
    )

    def energy(times_s: np.ndarray, f0_hz: float, exclude_f0_hz: float) -> np.ndarray | None:
        return features.harmonic_energy_db(audio.samples, audio.sr, times_s, f0_hz=f0_hz, exclude_f0_hz=exclude_f0_hz)

    found = notes.retime_handovers(found, raw, energy, tuning_cents=tuning, min_note_s=opts.min_note_s, params=params)
    found = notes.trim_releases(found, raw, min_note_s=opts.min_note_s, params=params)
    frames = FrameArrays.of(raw, onset, attack, mask)
    if hook is not None:
        hook("refine_offsets", {"notes": found, "frames": frames, "min_note_s": opts.min_note_s})
    found = release.refine_offsets(found, frames, min_note_s=opts.min_note_s)
    if hook is not None:
        hook("refine_onsets", {"notes": found, "frames": frames, "min_note_s": opts.min_note_s})
    found = attack_model.refine_onsets(found, frames, min_note_s=opts.min_note_s)
    return found, tuning, onsets_at


def _steady(measured: Tuning) -> bool:
    """Whether the performance holds its tuning (an instrument) rather than wanders (a voice):
    the one test behind both ``"auto"`` rules."""
    return measured.steadiness >= TUNING_MIN_STEADINESS


def onset_rule(measured: Tuning, mode: str) -> str:
    """Where note onsets go, ``"attack"`` or ``"pitch"``, for an ``onsets`` option (:data:`transcribe.config.ONSETS`)."""
    if mode == "auto":
        return "attack" if _steady(measured) else "pitch"
    return mode


def rounding_tuning_cents(measured: Tuning, mode: str) -> float:
    """The tuning notes are rounded in, in cents from A440, for a ``tuning`` option (:data:`transcribe.config.TUNINGS`)."""
    if mode == "performance" or (mode == "auto" and _steady(measured)):
        return measured.cents
    return 0.0


def clean_title(title: str) -> str:
    """A title safe in every output: bytes that were not UTF-8 become U+FFFD, control
    characters (an ESC, a newline) are dropped, as XML cannot hold them."""
    text = title.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split()) or "Transcription"


def _title_from(path: Path) -> str:
    if path.parts[:2] in (("/", "dev"), ("/", "proc")):  # a pipe: /dev/stdin, /dev/fd/63
        return "Transcription"
    words = path.stem.replace("_", " ").replace("-", " ").split()
    small = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
    titled = [w if w.isupper() else (w.lower() if i and w.lower() in small else w.capitalize()) for i, w in enumerate(words)]
    return " ".join(titled) or "Transcription"


#: The stretch after an onset whose loudest frame is the note's accent (seconds).
ACCENT_S = 0.15


def note_peaks_db(found: tuple[Note, ...], track: PitchTrack) -> np.ndarray:
    """Each note's accent: its loudest frame in its first :data:`ACCENT_S`, in dB, shape (len(found),)."""
    out = np.empty(len(found))
    for i, n in enumerate(found):
        a, b = np.searchsorted(track.times_s, [n.onset_s, min(n.offset_s, n.onset_s + ACCENT_S)])
        out[i] = track.loudness_db[a : max(b, a + 1)].max() if a < len(track) else -140.0
    return out


def write_notes(found: tuple[Note, ...], rh: Rhythm, key: str) -> tuple[WrittenNote, ...]:
    """Attach names, measures and beats to the notes."""
    num, den = (int(x) for x in rh.time_signature.split("/"))
    compound = den == 8 and num % 3 == 0
    beat_q = Fraction(3, 2) if compound else Fraction(4, den)
    measure_q = rh.measure_q
    out = []
    for n, on_q, dur_q in zip(found, rh.onsets_q, rh.durations_q):
        if rh.pickup_q > 0 and on_q < rh.pickup_q:
            measure, in_bar = 0, on_q + measure_q - rh.pickup_q
        else:
            since = on_q - rh.pickup_q
            measure = 1 + math.floor(since / measure_q)
            in_bar = since - (measure - 1) * measure_q
        out.append(
            WrittenNote(
                onset_s=n.onset_s,
                offset_s=n.offset_s,
                midi=n.midi,
                name=harmony.spell(n.midi, key),
                onset_q=on_q,
                duration_q=dur_q,
                measure=measure,
                beat=float(1 + in_bar / beat_q),
                cents=n.cents,
                confidence=n.confidence,
            )
        )
    return tuple(out)
