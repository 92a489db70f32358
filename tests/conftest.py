"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

import transcribe

#: The bundled sample: 20 s of Ode to Joy (samples/make_samples.py), with its note list beside it.
SAMPLE_WAV = Path(__file__).resolve().parent.parent / "samples" / "ode_to_joy.wav"


@pytest.fixture(scope="session")
def sample_wav() -> Path:
    """The bundled sample's path."""
    return SAMPLE_WAV


@pytest.fixture(scope="session")
def sample_result(sample_wav: Path) -> transcribe.Transcription:
    """The bundled sample transcribed with the defaults, once per run (read it, do not change it)."""
    return transcribe.transcribe(sample_wav)
