"""Pitch backends behind one interface.

Each backend module has ``SAMPLE_RATE`` (the rate it wants its audio at) and
``estimate(samples, *, fmin_hz, fmax_hz, **backend_options) -> PitchTrack``.
Backend modules are imported only when used, so the default path never loads
TensorFlow or librosa.

A backend that names the range it is searched over directly (SwiftF0: ``BOTTOM_HZ`` 50 Hz to
``TOP_HZ`` 2 kHz) reads the pitches beyond it asked for from the audio moved an octave
(:mod:`.beyond`).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np

from ..config import BACKENDS, pitch_range_hz
from ..errors import OptionError
from ..features import loudness_db
from ..types import Audio, PitchTrack
from .beyond import frames_of, read_beyond


def backend_module(name: str) -> ModuleType:
    """Import and return a backend's module by name (one of :data:`transcribe.config.BACKENDS`,
    each a module of this package)."""
    if name not in BACKENDS:
        raise OptionError(f"unknown pitch backend {name!r}: choose one of {', '.join(BACKENDS)}")
    return importlib.import_module(f"{__name__}.{name}")


def sample_rate(name: str) -> int:
    """The sample rate in Hz that backend ``name`` wants its audio at."""
    return int(backend_module(name).SAMPLE_RATE)


def searched_directly(backend: str, *, fmin_hz: float, fmax_hz: float) -> tuple[float, float]:
    """The part of the range ``fmin_hz``-``fmax_hz`` (Hz) that backend ``name``'s model reads
    directly (within its ``BOTTOM_HZ``-``TOP_HZ``); the rest is read by :mod:`.beyond`. A range
    wholly beyond the model's gives the model's."""
    module = backend_module(backend)
    bottom_hz, top_hz = getattr(module, "BOTTOM_HZ", 0.0), getattr(module, "TOP_HZ", np.inf)
    lo_hz, hi_hz = max(fmin_hz, bottom_hz), min(fmax_hz, top_hz)
    return (lo_hz, hi_hz) if lo_hz < hi_hz else (bottom_hz, top_hz)


def estimate(
    audio: Audio, *, backend: str = "swift", fmin_hz: float | None = None, fmax_hz: float | None = None, **options: Any
) -> PitchTrack:
    """Estimate the pitch track of mono audio.

    Args:
        audio: Mono audio at ``sample_rate(backend)`` Hz.
        backend: ``"swift"``, ``"pyin"`` or ``"spice"``.
        fmin_hz: Lowest pitch in Hz; ``None``: the backend's default
            (:data:`transcribe.config.DEFAULT_PITCH_RANGE_HZ`).
        fmax_hz: Highest pitch in Hz; ``None`` likewise.
        **options: Backend-specific options (e.g. ``model=`` for SPICE).

    Returns:
        The track; ``f0_hz`` is NaN where the backend gives no pitch at all.
        An empty track for empty audio.
    """
    module = backend_module(backend)
    if audio.sr != module.SAMPLE_RATE:
        raise ValueError(f"the {backend} backend needs audio at {module.SAMPLE_RATE} Hz, got {audio.sr}")
    if len(audio.samples) == 0:
        empty = np.zeros(0)
        return PitchTrack(empty, empty.copy(), empty.copy(), empty.copy(), backend)
    fmin_hz, fmax_hz = pitch_range_hz(backend, fmin_hz, fmax_hz)
    first_fmin_hz, first_fmax_hz = searched_directly(backend, fmin_hz=fmin_hz, fmax_hz=fmax_hz)
    times, f0, conf = frames_of(module, audio.samples, fmin_hz=first_fmin_hz, fmax_hz=first_fmax_hz, **options)
    first = PitchTrack(times, f0, conf, loudness_db(audio.samples, audio.sr, times), backend)
    return read_beyond(module, audio, first, fmin_hz=fmin_hz, fmax_hz=fmax_hz, **options)
