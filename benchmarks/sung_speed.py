"""python -m benchmarks.sung_speed: CPU time of the voice path's note stage, before (the notes.SUNG rules)
and after (transcribe.sung), on 3 minutes of ssvd-dev (its first six recordings joined)."""

import time
from pathlib import Path

import numpy as np

from transcribe import audio as audio_io
from transcribe import features, gating, notes, pipeline, pitch
from transcribe.config import Options
from transcribe.notes import sung
from transcribe.types import Audio, FrameArrays

d = Path("/work/shared/data/singing/ssvd-dev")
parts = [audio_io.load(p, sr=16000).samples for p in sorted(d.glob("*.flac"))[:6]]
y = np.concatenate(parts)[: 16000 * 180]
audio = Audio(y, 16000)
opts = Options()
t0 = time.process_time()
raw = pitch.estimate(audio, backend="swift", fmin_hz=opts.fmin_hz, fmax_hz=opts.fmax_hz)
sure = gating.voiced_mask(
    raw, confidence=opts.voicing_threshold, loudness_floor_db=opts.loudness_floor_db, hysteresis=opts.voicing_hysteresis
)
mask = gating.bridge_gaps(raw, sure, max_gap_s=opts.max_gap_s)
onset = features.onset_strength(audio.samples, audio.sr, raw.times_s)
attack = features.onset_strength(audio.samples, audio.sr, raw.times_s, win_s=pipeline.ATTACK_WIN_S)
t_front = time.process_time() - t0


def old():
    p = notes.SUNG
    found = notes.segment(raw, mask, onset, sure=sure, attack=attack, tuning_cents=0.0, min_note_s=0.07, params=p)

    def energy(t: np.ndarray, f0: float, other: float) -> np.ndarray | None:
        return features.harmonic_energy_db(audio.samples, audio.sr, t, f0_hz=f0, exclude_f0_hz=other)

    found = notes.retime_handovers(found, raw, energy, tuning_cents=0.0, min_note_s=0.07, params=p)
    found = notes.trim_releases(found, raw, min_note_s=0.07, params=p)
    return notes.onsets_at_vowels(found, raw, min_note_s=0.07, params=p)


def new():
    frames = FrameArrays.of(raw, onset, attack, mask)
    bands = features.band_levels_db(audio.samples, audio.sr, raw.times_s)
    return sung.notes_from(frames, bands, sung.load_model(), min_note_s=0.07)


res = {"old": [], "new": []}
for _ in range(5):
    for name, fn in (("old", old), ("new", new)):
        t = time.process_time()
        fn()
        res[name].append(time.process_time() - t)
old_n, new_n = len(old()), len(new())
print(f"3-minute input: pitch track + onset strengths {t_front:.2f} s CPU")
print(f"note stage, median CPU of 5: old {np.median(res['old']):.3f} s, new {np.median(res['new']):.3f} s ({old_n} / {new_n} notes)")
