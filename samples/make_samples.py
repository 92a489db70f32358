"""Regenerate the project's samples: synthetic melodies with their ground truth.

    python samples/make_samples.py

Writes ``ode_to_joy.wav`` (a harmonic tone, 44.1 kHz, 16-bit) and
``ode_to_joy.csv`` (onset_s, offset_s, midi, quarters) next to this script.
Deterministic: the same files every run.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from synth import ODE_TO_JOY, SR, melody, render  # noqa: E402

BPM = 100.0


def main() -> None:
    notes = melody(ODE_TO_JOY, bpm=BPM)
    y = render(notes, vibrato_cents=15.0)
    sf.write(HERE / "ode_to_joy.wav", np.clip(y, -1, 1), SR, subtype="PCM_16", format="WAV")
    with open(HERE / "ode_to_joy.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["onset_s", "offset_s", "midi", "quarters"])
        for (on, off, m), (_, q) in zip(notes, ODE_TO_JOY):
            w.writerow([f"{on:.4f}", f"{off:.4f}", m, q])


if __name__ == "__main__":
    main()
