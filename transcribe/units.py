"""Unit conversions, in one place (as librosa's ``core/convert.py``): Hz, MIDI numbers and cents.

A4 = MIDI 69 = 440 Hz; a MIDI number may be fractional (100 cents a semitone). Every
function works on floats and on numpy arrays.
"""

from __future__ import annotations

import numpy as np


def midi_to_hz(midi: float) -> float:
    """Frequency in Hz of a (fractional) MIDI number, A4 = 69 = 440 Hz; works on arrays too."""
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def hz_to_midi(hz: np.ndarray) -> np.ndarray:
    """Fractional MIDI number of a frequency in Hz (A4 = 440 Hz = 69); works on floats too."""
    return 69.0 + 12.0 * np.log2(hz / 440.0)


def cents_between(hz: np.ndarray, ref_hz: np.ndarray) -> np.ndarray:
    """How far ``hz`` lies above ``ref_hz``, in cents (negative below)."""
    return 1200.0 * np.log2(hz / ref_hz)
