"""Gating (transcribe.gating): rests where unvoiced, short dropouts bridged."""

from __future__ import annotations

import numpy as np

from tests.synth import tone
from transcribe import audio, gating, pitch
from transcribe.types import PitchTrack


def test_track_is_nan_where_gated() -> None:
    y = np.concatenate([np.zeros(8000, dtype=np.float32), tone(69, 0.5, sr=16000), np.zeros(8000, dtype=np.float32)])
    raw = pitch.estimate(audio.from_array(y, 16000, target_sr=16000))
    mask = gating.voiced_mask(raw, confidence=0.5, loudness_floor_db=45.0)
    gated = gating.gate(raw, mask)
    assert np.isnan(gated.f0_hz[raw.times_s < 0.4]).all()
    assert np.isfinite(gated.f0_hz[(raw.times_s > 0.6) & (raw.times_s < 0.9)]).all()


def test_one_dropped_frame_is_bridged() -> None:
    n = 50
    times = np.arange(n) * 0.016
    f0 = np.full(n, 440.0)
    conf = np.full(n, 0.9)
    conf[25] = 0.1  # one frame the model doubted
    track = PitchTrack(times, f0, conf, np.full(n, -20.0))
    strict = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0)
    bridged = gating.voiced_mask(track, confidence=0.5, loudness_floor_db=45.0, max_gap_s=0.05)
    assert not strict[25] and bridged[25] and bridged.all()
