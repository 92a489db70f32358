"""The sung sets as the sung-onset fit reads them (benchmarks.sung_cv): ssvd-scores' layout, its folds
by exercise, and the fit script fitting on more than one set."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from benchmarks import fit_sung_onsets, sung_cv
from benchmarks.fit_intonation import exercise_folds
from transcribe import models
from transcribe.types import FrameArrays


def _scores_folder(root: Path) -> Path:
    """A two-recording folder in ssvd-scores' layout: recordings/ID.flac, ID.notes.txt, ID.score.txt, index.tsv."""
    folder = root / "ssvd-scores"
    (folder / "recordings").mkdir(parents=True)
    sr = 16000
    t = np.arange(int(1.2 * sr)) / sr
    for rec_id, hz in (("2001", 220.0), ("1001", 330.0)):
        sf.write(folder / "recordings" / f"{rec_id}.flac", 0.3 * np.sin(2 * np.pi * hz * t), sr)
        # the second row has no length: the benchmark skips it, so the fit does too
        (folder / "recordings" / f"{rec_id}.notes.txt").write_text("0.100\t0.600\t57.2\n0.700\t0.700\t57.0\n0.800\t1.100\t59.1\n")
        (folder / "recordings" / f"{rec_id}.score.txt").write_text("0.100\t57.2\t0\t57\n")
    (folder / "index.tsv").write_text("recording\texercise\n2001\tex1\n1001\tex2\n")
    return folder


def test_ssvd_scores_layout_loads_with_its_note_labels(tmp_path: Path) -> None:
    folder = _scores_folder(tmp_path / "shared")
    recs = sung_cv.load_set(folder, cache=tmp_path / "cache")
    assert [r.name for r in recs] == ["1001", "2001"]  # name order, the .score.txt files not read as labels
    assert recs[0].labels.tolist() == [[0.1, 0.6, 57.2], [0.8, 1.1, 59.1]]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["ssvd-scores-1001.npz", "ssvd-scores-2001.npz"]
    assert sung_cv.exercise_of(folder) == {"2001": "ex1", "1001": "ex2"}


def test_ssvd_scores_folds_split_by_exercise_as_the_page_fits_do() -> None:
    rng = np.random.default_rng(3)
    exercises = {f"r{i}": f"ex{int(rng.integers(0, 9))}" for i in range(30)}
    names = sorted(exercises)
    folds = sung_cv.exercise_folds_of(names, exercises, 5, 0)
    assert sorted(i for f in folds for i in f) == list(range(len(names)))
    for f in folds:
        others = {exercises[names[i]] for g in folds if g is not f for i in g}
        assert not {exercises[names[i]] for i in f} & others  # every take of an exercise on one side
    page_fold = exercise_folds([SimpleNamespace(page=SimpleNamespace(exercise=exercises[n])) for n in names])
    assert [next(k for k, f in enumerate(folds) if i in f) for i in range(len(names))] == page_fold


def _item(name: str, seed: int) -> fit_sung_onsets.Item:
    rng = np.random.default_rng(seed)
    n = 400
    times = np.arange(n) * 0.016
    midi = np.where(rng.random(n) < 0.9, 60.0 + np.repeat(rng.integers(0, 5, size=n // 40), 40), np.nan)
    frames = FrameArrays(times, midi, rng.random(n), np.zeros(n), np.zeros(n), np.zeros(n), np.isfinite(midi))
    onsets = times[::40][1:]
    labels = np.stack([onsets, onsets + 0.4, midi[::40][1:]], axis=1)
    return fit_sung_onsets.Item(name, frames, rng.normal(size=(n, 6)), labels[np.isfinite(labels[:, 2])])


def test_fit_script_fits_on_an_extra_set_and_records_both(tmp_path: Path) -> None:
    dev, extra = tmp_path / "dev", tmp_path / "extra"
    for folder, seed in ((dev, 0), (extra, 10)):
        folder.mkdir()
        for k in range(2):
            _item(f"{folder.name}{k}", seed + k).save(folder)
    out = tmp_path / "sung_onsets.npz"
    fit_sung_onsets.main(["--extra-set", "ssvd-scores", "--features", str(dev), "--features", str(extra), "--out", str(out)])
    data = models.read(out).provenance["data"]
    assert "ssvd-dev, 2 recordings" in data and "ssvd-scores, 2 recordings" in data


def test_fit_script_wants_one_features_folder_per_set(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as err:
        fit_sung_onsets.main(["--extra-set", "ssvd-scores", "--features", str(tmp_path), "--out", str(tmp_path / "m.npz")])
    assert err.value.code == 2
    assert not (tmp_path / "m.npz").exists()
