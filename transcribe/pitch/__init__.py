"""Pitch backends behind one interface.

Each backend module has ``SAMPLE_RATE`` (the rate it wants its audio at) and
``estimate(samples, *, fmin_hz, fmax_hz, **backend_options) -> PitchTrack``.
Backend modules are imported only when used, so the default path never loads
TensorFlow or librosa.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np

from ..config import BACKENDS
from ..errors import OptionError
from ..features import loudness_db
from ..types import Audio, PitchTrack


def backend_module(name: str) -> ModuleType:
    """Import and return a backend's module by name (one of :data:`transcribe.config.BACKENDS`,
    each a module of this package)."""
    if name not in BACKENDS:
        raise OptionError(f"unknown pitch backend {name!r}: choose one of {', '.join(BACKENDS)}")
    return importlib.import_module(f"{__name__}.{name}")


def sample_rate(name: str) -> int:
    """The sample rate in Hz that backend ``name`` wants its audio at."""
    return int(backend_module(name).SAMPLE_RATE)


def estimate(audio: Audio, *, backend: str = "swift", fmin_hz: float = 50.0, fmax_hz: float = 2000.0, **options: Any) -> PitchTrack:
    """Estimate the pitch track of mono audio.

    Args:
        audio: Mono audio at ``sample_rate(backend)`` Hz.
        backend: ``"swift"``, ``"pyin"`` or ``"spice"``.
        fmin_hz: Lowest pitch in Hz.
        fmax_hz: Highest pitch in Hz.
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
    times, f0, conf = module.estimate(audio.samples, fmin_hz=fmin_hz, fmax_hz=fmax_hz, **options)
    conf = np.clip(np.nan_to_num(np.asarray(conf, dtype=np.float64), nan=0.0), 0.0, 1.0)
    f0 = np.asarray(f0, dtype=np.float64)
    f0 = np.where((f0 > 0) & np.isfinite(f0), f0, np.nan)
    times = np.asarray(times, dtype=np.float64)
    return PitchTrack(times, f0, conf, loudness_db(audio.samples, audio.sr, times), backend)
