"""The whole pipeline as one function: :func:`transcribe` runs the stages in order."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from . import audio as audio_io
from . import dereverb, features, gating, harmony, intonation, notes, pitch, profiles, rhythm
from .config import Options
from .errors import AudioError, TranscribeWarning
from .notation import write_notes
from .notes import attack as attack_model
from .notes import cleanup, double_stops, octaves, reattack, release, sung
from .result import Transcription
from .types import Audio, FrameArrays, Note, PitchTrack, StageHook
from .units import midi_to_hz
from .values import Key

#: Window of the attack-strength function that places onsets (seconds): short,
#: so a sharp attack peaks where it happens.
ATTACK_WIN_S = 0.032

#: An instrument's late reverberation is taken out (:mod:`transcribe.dereverb`) as if the
#: room's reverberation time were this many times the one read: the estimate reads the
#: steepest decays, steeper than the room's own by the direct sound's drop at a note's end
#: (chosen on the hall check set, seed 7: 1x 0.773, 1.5x 0.779, 2x 0.790, 3x 0.789 COnP).
RT60_SCALE = 2.0


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
            and ``"refine_onsets"`` (``notes``, ``frames``, ``min_note_s``, ``rt60_s``; instruments
            only; the latter also ``own_level``, :data:`transcribe.notes.attack.OwnLevel`) and
            ``"rhythm"`` (``notes``, ``accent_db``); for a voice, ``"lead"`` (``notes``, before the
            unsure sounds ahead of the first sure note are dropped).
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
        name, default_title = str(source), title_from(Path(source))
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
    audio = audio_io.raise_quiet(audio, name)
    backend_options: dict[str, Any] = {}
    if opts.pitch == "spice":
        backend_options = {"model": opts.spice_model, "version": opts.spice_version}
    fmin_hz, fmax_hz = opts.pitch_range_hz

    def track_of(samples: Audio) -> PitchTrack:
        return pitch.estimate(samples, backend=opts.pitch, fmin_hz=fmin_hz, fmax_hz=fmax_hz, **backend_options)

    def gated(track: PitchTrack, hysteresis: float) -> tuple[np.ndarray, np.ndarray]:
        """The frames surely voiced, and those with the short gaps between them bridged."""
        sure = gating.voiced_mask(track, confidence=opts.voicing_threshold, loudness_floor_db=opts.loudness_floor_db, hysteresis=hysteresis)
        return sure, gating.bridge_gaps(track, sure, max_gap_s=opts.max_gap_s)

    raw = track_of(audio)
    sure, mask = gated(raw, opts.voicing_hysteresis)
    performer = profiles.Performer.measure(raw, mask)
    profile = profiles.choose(performer, opts.onsets)
    # An instrument's gate holds its runs further down (profiles.INSTRUMENT_HYSTERESIS).
    hysteresis = profiles.gate_hysteresis(profile, backend=opts.pitch, default=opts.voicing_hysteresis, override=opts.hysteresis)
    track, rt60_s = raw, 0.0
    if profile.segment is not None:
        # An instrument in a room: its notes from a pitch track of the recording without the
        # room's late reverberation (the previous note's ring); the level stays the
        # recording's, and so do the features the note networks read.
        rt60_s = dereverb.estimate_rt60_s(audio.samples, audio.sr)
        if rt60_s > 0:  # 0: no decay to read (a steady tone, silence), nothing to take out
            dry = track_of(Audio(dereverb.suppress(audio.samples, audio.sr, rt60_s=RT60_SCALE * rt60_s), audio.sr))
            track = PitchTrack(dry.times_s, dry.f0_hz, dry.confidence, raw.loudness_db, dry.backend)
    if track is not raw or hysteresis != opts.voicing_hysteresis:
        raw = track
        sure, mask = gated(raw, hysteresis)
    if mask.any():
        onset = features.onset_strength(audio.samples, audio.sr, raw.times_s)
        attack = features.onset_strength(audio.samples, audio.sr, raw.times_s, win_s=ATTACK_WIN_S)
    else:
        onset = attack = np.zeros(len(raw))
    evidence = NoteEvidence(audio, raw, mask, sure, onset, attack, performer, rt60_s)
    found, tuning, onsets_at = find_notes(evidence, opts, hook=hook)
    if not found:
        warnings.warn(f"{name}: no notes found (silence, noise, or too short): the score is empty", TranscribeWarning, stacklevel=2)
    sung_key = None
    sung = profiles.sung_writing(performer, opts.tuning) and bool(found)
    if sung:
        # A voice that holds no one tuning: name its notes by the key and its drifting tuning.
        meant = intonation.name_sung_notes(found, tuning_cents=tuning, key=opts.key)
        found, sung_key = meant.notes, meant.key
    # A voice's rhythm in simple values unless the onsets insist, however its notes are rounded.
    written_as = rhythm.SungRhythm.load() if profiles.voice_rhythm(performer) and found else rhythm.SungRhythm()
    accent_db = note_peaks_db(found, raw)
    if hook is not None:
        hook("rhythm", {"notes": found, "accent_db": accent_db})
    rh = rhythm.analyze(
        found,
        tempo_bpm=opts.tempo_bpm,
        time_signature=opts.time_signature,
        accent_db=accent_db,
        written_as=written_as,
    )
    key = opts.key or sung_key or harmony.estimate_key(found)
    usual = harmony.usual_key(key)
    if usual != key:
        warnings.warn(f"{key} is written as {usual}, its enharmonic equivalent with a usual key signature", TranscribeWarning, stacklevel=2)
        key = usual
    key = Key(key)
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
        measured_tuning_cents=performer.tuning.cents,
        tuning_steadiness=performer.tuning.steadiness,
        onsets_at=onsets_at,
        sung_writing=sung,
    )


@dataclass(frozen=True, eq=False)
class NoteEvidence:
    """What the note stage reads of one recording.

    Attributes:
        audio: The recording at the pitch backend's rate.
        track: Its pitch track (for an instrument in a room, read without the late reverberation).
        voiced: Frames the gate passed, short gaps bridged, shape (n,).
        sure: Frames the gate passed before bridging, shape (n,).
        onset: Onset strength per frame, shape (n,).
        attack: Short-window onset strength per frame, shape (n,).
        performer: How the recording holds its tuning (voice or instrument).
        rt60_s: The room's reverberation time read from the recording (seconds; 0 where none
            was read or for a voice).
    """

    audio: Audio
    track: PitchTrack
    voiced: np.ndarray
    sure: np.ndarray
    onset: np.ndarray
    attack: np.ndarray
    performer: profiles.Performer
    rt60_s: float = 0.0


def find_notes(evidence: NoteEvidence, opts: Options, *, hook: StageHook | None = None) -> tuple[tuple[Note, ...], float, str]:
    """The note stage: notes from the pitch track and the audio's evidence.

    Returns:
        The notes, the tuning (cents from A440) they were rounded in, and where their
        onsets were put (``"attack"`` or ``"pitch"``).
    """
    fmin_hz, fmax_hz = opts.pitch_range_hz
    direct_hz = pitch.searched_directly(opts.pitch, fmin_hz=fmin_hz, fmax_hz=fmax_hz)
    found, tuning, onsets_at = _voice_or_instrument_notes(evidence, opts, direct_hz, hook=hook)
    # A note read beyond the pitch model's range far from every note inside it is not the
    # melody's (a recording app's beep before a sung take).
    lo_hz, hi_hz = direct_hz
    return cleanup.drop_far_beyond(found, lo_hz=lo_hz, hi_hz=hi_hz, tuning_cents=tuning), tuning, onsets_at


def _voice_or_instrument_notes(
    evidence: NoteEvidence, opts: Options, direct_hz: tuple[float, float], *, hook: StageHook | None = None
) -> tuple[tuple[Note, ...], float, str]:
    """:func:`find_notes` before the notes far beyond the model's range are dropped: a voice's
    from the sung-onset model, an instrument's from the pitch track's note search (``direct_hz``:
    the range the pitch model read directly, :func:`transcribe.pitch.searched_directly`)."""
    audio, raw, mask, sure = evidence.audio, evidence.track, evidence.voiced, evidence.sure
    onset, attack, performer = evidence.onset, evidence.attack, evidence.performer
    tuning = profiles.rounding_tuning_cents(performer, opts.tuning)
    profile = profiles.choose(performer, opts.onsets)
    if profile.segment is None:
        # A voice: notes from the sung-onset model's onset and offset probabilities
        # (transcribe.notes.sung, fitted on SSVD's training split; docs/models/sung-onsets.md).
        frames = FrameArrays.of(raw, onset, attack, mask)
        bands = features.band_levels_db(audio.samples, audio.sr, raw.times_s)
        found = sung.notes_from(frames, bands, sung.load_model(), min_note_s=opts.min_note_s, tuning_cents=tuning)
        if hook is not None:
            hook("lead", {"notes": found})
        # What the take holds before its first sure note (profiles.VOICE_LEAD_MIN_CONFIDENCE) and a
        # sound far over or under the sung line (a squeak, a cough) are not the melody.
        floor = profiles.lead_min_confidence(profile, backend=opts.pitch)
        return cleanup.keep_sung(found, min_confidence=floor, tuning_cents=tuning), tuning, profile.onsets_at
    # An instrument: the pitch track's notes, onsets moved to their attacks, ends to their releases.
    params = profile.segment
    partials = features.partials_db(audio.samples, audio.sr, raw.times_s, np.where(mask, raw.f0_hz, np.nan))
    bands = features.band_levels_db(audio.samples, audio.sr, raw.times_s, edges_hz=reattack.BAND_EDGES_HZ)
    found = notes.segment(
        raw,
        mask,
        onset,
        sure=sure,
        attack=attack,
        tuning_cents=tuning,
        min_note_s=opts.min_note_s,
        params=params,
        partials_db=partials,
        bands_db=bands,
        rt60_s=evidence.rt60_s,
        hook=hook,
    )

    def energy(times_s: np.ndarray, f0_hz: float, exclude_f0_hz: float) -> np.ndarray | None:
        return features.harmonic_energy_db(audio.samples, audio.sr, times_s, f0_hz=f0_hz, exclude_f0_hz=exclude_f0_hz)

    found = notes.retime_handovers(found, raw, energy, tuning_cents=tuning, min_note_s=opts.min_note_s, params=params)
    found = notes.trim_releases(found, raw, min_note_s=opts.min_note_s, params=params)
    frames = FrameArrays.of(raw, onset, attack, mask)

    def own_level(times_s: np.ndarray, note: Note, prev: Note | None) -> np.ndarray | None:
        # The new note's harmonics that the previous note's (and its ring's) do not share.
        f0_hz = midi_to_hz(note.midi + (note.cents + tuning) / 100.0)
        other = None if prev is None or prev.midi == note.midi else midi_to_hz(prev.midi + (prev.cents + tuning) / 100.0)
        return features.harmonic_energy_db(audio.samples, audio.sr, times_s, f0_hz=f0_hz, exclude_f0_hz=other)

    if profile.refine_offsets:
        if hook is not None:
            hook("refine_offsets", {"notes": found, "frames": frames, "min_note_s": opts.min_note_s, "rt60_s": evidence.rt60_s})
        found = release.refine_offsets(found, frames, min_note_s=opts.min_note_s, rt60_s=evidence.rt60_s)
    if profile.refine_onsets:
        if hook is not None:
            inputs = {"notes": found, "frames": frames, "min_note_s": opts.min_note_s, "own_level": own_level, "rt60_s": evidence.rt60_s}
            hook("refine_onsets", inputs)
        found = attack_model.refine_onsets(found, frames, min_note_s=opts.min_note_s, own_level=own_level, rt60_s=evidence.rt60_s)

        def fine_level(times_s: np.ndarray) -> np.ndarray:
            return features.loudness_db(audio.samples, audio.sr, times_s, win_s=attack_model.FINE_WIN_S)

        found = attack_model.onsets_at_abrupt_rises(
            found, fine_level, min_note_s=opts.min_note_s, rise_db=params.abrupt_rise_db, search_s=params.abrupt_search_s
        )

    def level(times_s: np.ndarray, pitches: Sequence[tuple[float, float | None]], n_harmonics: int) -> list[np.ndarray | None]:
        return features.harmonic_levels_db(audio.samples, audio.sr, times_s, pitches, n_harmonics=n_harmonics)

    # Within the range the model reads directly: beyond it the pitch was read on the audio moved
    # an octave (pitch.beyond), and a cello's note moved under 50 Hz was read right (held-out r014).
    read = found
    found = octaves.correct_octaves(found, level, tuning_cents=tuning, fmin_hz=direct_hz[0], fmax_hz=direct_hz[1])

    def attack_near(first: Note, second: Note) -> bool:
        return reattack.candidate_near(frames, (first.onset_s, second.offset_s), second.onset_s)

    found = octaves.join_octave_splits(read, found, attack_near=attack_near)
    found = octaves.join_octave_fragments(found, attack_near=attack_near)
    found = octaves.merge_subharmonic_ghosts(found)
    found = octaves.merge_harmonic_tails(found)
    found = octaves.drop_harmonic_rings(found, note_peaks_db(found, raw))

    def peaks(times_s: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        return features.spectral_peaks(audio.samples, audio.sr, times_s)

    found = double_stops.top_voice(found, peaks, level, tuning_cents=tuning, rt60_s=evidence.rt60_s)
    found = octaves.drop_final_rings(found, note_peaks_db(found, raw), note_rises_db(found, raw))
    # A short note more than an octave beyond both its neighbours is a misreading (a hall's ring).
    found = cleanup.mend_far_blips(found)
    return found, tuning, profile.onsets_at


def clean_title(title: str) -> str:
    """A title safe in every output: bytes that were not UTF-8 become U+FFFD, control
    characters (an ESC, a newline) are dropped, as XML cannot hold them."""
    text = title.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split()) or "Transcription"


def title_from(path: Path) -> str:
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


#: Frames after an onset, and before it, over which :func:`note_rises_db` measures its rise.
RISE_AFTER_FRAMES, RISE_BEFORE_FRAMES = 6, 3


def note_rises_db(found: tuple[Note, ...], track: PitchTrack) -> np.ndarray:
    """How much each note's level rises at its start: the loudest of its first
    :data:`RISE_AFTER_FRAMES` frames minus the quietest of the :data:`RISE_BEFORE_FRAMES` frames
    before it and its first, in dB, shape (len(found),)."""
    out = np.zeros(len(found))
    for i, n in enumerate(found):
        a, b = np.searchsorted(track.times_s, [n.onset_s, n.offset_s])
        if a >= len(track):
            continue
        after = track.loudness_db[a : max(min(a + RISE_AFTER_FRAMES, b + 1), a + 1)]
        out[i] = after.max() - track.loudness_db[max(a - RISE_BEFORE_FRAMES, 0) : a + 1].min()
    return out
