"""Synthetic melodies with known notes, for tests and the project's samples.

A harmonic tone (decaying partials, a short attack, optional vibrato) per note,
so the pitch backends see something like a blown or bowed instrument. Seeded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from transcribe.types import PitchTrack

SR = 44100


def tone(midi: float, dur_s: float, *, sr: int = SR, cents: float = 0.0, vibrato_cents: float = 0.0, amp: float = 0.3) -> np.ndarray:
    """One note: harmonics 1-6 with 1/k amplitudes, 15 ms attack, 30 ms release."""
    n = max(1, int(round(dur_s * sr)))
    t = np.arange(n) / sr
    f0 = 440.0 * 2.0 ** ((midi + cents / 100.0 - 69.0) / 12.0)
    dev = vibrato_cents / 100.0 * np.sin(2 * np.pi * 5.5 * t)
    inst = f0 * 2.0 ** (dev / 12.0)
    phase = 2 * np.pi * np.cumsum(inst) / sr
    x = sum((0.6**k) * np.sin((k + 1) * phase) for k in range(6))
    env = np.minimum(1.0, t / 0.015) * np.minimum(1.0, (dur_s - t) / 0.03).clip(0, 1) * np.exp(-0.4 * t)
    return (amp * x * env).astype(np.float32)


def legato_line(
    pitches: Sequence[int], *, note_s: float, cents: Sequence[float], vibrato_cents: float, sr: int = SR, lead_s: float = 0.3
) -> np.ndarray:
    """A line sung legato on one vowel: ``pitches`` of ``note_s`` each, one continuous harmonic
    tone whose pitch moves at once from note to note (each detuned by its ``cents``, with a
    5.5 Hz vibrato), its level held throughout; ``lead_s`` of silence before and after."""
    n = int(round(note_s * sr))
    t = np.arange(n * len(pitches)) / sr
    at = np.repeat(np.asarray(pitches, dtype=float) + np.asarray(cents, dtype=float) / 100.0, n)
    inst = 440.0 * 2.0 ** ((at + vibrato_cents / 100.0 * np.sin(2 * np.pi * 5.5 * t) - 69.0) / 12.0)
    phase = 2 * np.pi * np.cumsum(inst) / sr
    x = sum((0.6**k) * np.sin((k + 1) * phase) for k in range(6))
    env = np.minimum(1.0, t / 0.03) * np.minimum(1.0, (t[-1] - t) / 0.03)
    lead = np.zeros(int(round(lead_s * sr)))
    return np.concatenate([lead, 0.3 * x * env, lead]).astype(np.float32)


def render(
    notes: Sequence[tuple[float, float, int]],
    *,
    sr: int = SR,
    cents: float = 0.0,
    vibrato_cents: float = 0.0,
    noise_db: float | None = None,
    seed: int = 0,
    tail_s: float = 0.5,
) -> np.ndarray:
    """Render (onset_s, offset_s, midi) notes into one signal.

    Args:
        notes: Notes in seconds and MIDI numbers.
        sr: Sample rate in Hz.
        cents: Detune of the whole performance in cents.
        vibrato_cents: Vibrato depth in cents (5.5 Hz).
        noise_db: If given, white noise at this SNR in dB.
        seed: Seed of the noise.
        tail_s: Silence after the last note.
    """
    end = max(off for _, off, _ in notes) + tail_s if notes else tail_s
    y = np.zeros(int(end * sr) + 1, dtype=np.float32)
    for on, off, m in notes:
        seg = tone(m, off - on, sr=sr, cents=cents, vibrato_cents=vibrato_cents)
        i = int(round(on * sr))
        y[i : i + len(seg)] += seg[: len(y) - i]
    if noise_db is not None:
        rng = np.random.default_rng(seed)
        p = float(np.mean(y[y != 0] ** 2)) if np.any(y) else 1e-4
        y = y + rng.normal(0, np.sqrt(p / 10 ** (noise_db / 10)), len(y)).astype(np.float32)
    return y


def melody(
    beats: Sequence[tuple[int | None, float]], *, bpm: float, start_s: float = 0.3, gap_s: float = 0.04
) -> list[tuple[float, float, int]]:
    """Notes from (midi or None for a rest, length in quarter notes) at ``bpm``.

    Each note sounds for its length minus ``gap_s`` so repeated notes re-attack.
    """
    q = 60.0 / bpm
    t = start_s
    out = []
    for m, beats_len in beats:
        if m is not None:
            out.append((t, t + beats_len * q - gap_s, m))
        t += beats_len * q
    return out


_ODE_PHRASE = [(66, 1), (66, 1), (67, 1), (69, 1), (69, 1), (67, 1), (66, 1), (64, 1), (62, 1), (62, 1), (64, 1), (66, 1)]

#: "Ode to Joy" in D major, 4/4: (midi, quarters); the phrase twice, with its two endings.
ODE_TO_JOY = [*_ODE_PHRASE, (66, 1.5), (64, 0.5), (64, 2), *_ODE_PHRASE, (64, 1.5), (62, 0.5), (62, 2)]


def level_track(level_db: np.ndarray) -> PitchTrack:
    """A steady 220 Hz pitch track (16 ms frames, confidence 0.9) with the given loudness per frame."""
    n = len(level_db)
    times = np.arange(n) * 0.016
    return PitchTrack(times, np.full(n, 220.0), np.full(n, 0.9), np.asarray(level_db, dtype=float))


#: A 20-note tune whose opening comes back when it is played twice.
RETURNING_TUNE = [67, 64, 69, 67, 71, 69, 67, 64, 62, 64, 67, 69, 71, 72, 71, 69, 67, 64, 62, 60]
