"""Accuracy floor of sung notes scored the published way (issue 24), so it cannot silently regress.

Vocadito's three clips (neither the sung-onset model nor any threshold was fitted on them) and
three SSVD training recordings, transcribed with default options and scored like
``python -m benchmarks.sung_cv``: mir_eval with the labels' float pitch against the notes'
sung pitch (MIDI + cents / 100), onsets within 50 ms, pitch within 50 cents. Skipped where
``../shared`` is absent. Measured values are in the constants' comments; the floors sit well
under them so that tuning noise passes and a real regression fails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "singing"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/singing is absent (sung recordings)")

VOCADITO_COnP_FLOOR = 0.66  # measured 2026-12-04 (length prior): A1 0.618, A2 0.818 (mean of the six 0.718)
SSVD_COnP_FLOOR = 0.70  # measured 2026-12-04 (length prior): 1011 0.600, 1203 0.903, 407 0.703 (mean 0.736; in the model's training data)
SSVD_ONSET_FLOOR = 0.88  # measured 2026-12-04 (length prior): 0.920, 0.925, 0.967 (mean 0.937)
SSVD_ITEMS = ("1011", "1203", "407")


def _scores(labels: np.ndarray, path: Path) -> tuple[float, float]:
    import transcribe
    from benchmarks.sung_cv import as_rows, score

    result = transcribe.transcribe(path)
    conp, _, onsets = score(labels, as_rows(result.notes, result.tuning_cents))
    return conp, onsets


def test_vocadito_floor() -> None:
    from benchmarks.sung_cv import read_vocadito

    folder = SHARED / "vocadito"
    got = []
    for wav in sorted(folder.glob("vocadito_*.wav")):
        for who in ("A1", "A2"):
            got.append(_scores(read_vocadito(folder / f"{wav.stem}_notes{who}.csv"), wav)[0])
    assert len(got) == 6
    assert np.mean(got) >= VOCADITO_COnP_FLOOR, got


def test_ssvd_floor() -> None:
    from benchmarks.sung_cv import read_labels

    folder = SHARED / "ssvd-dev"
    got = np.array([_scores(read_labels(folder / f"{name}.txt"), folder / f"{name}.flac") for name in SSVD_ITEMS])
    assert got[:, 0].mean() >= SSVD_COnP_FLOOR, got
    assert got[:, 1].mean() >= SSVD_ONSET_FLOOR, got
