"""The model files (transcribe/models/*.npz), their loader, and the stage hook the fit scripts use."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import transcribe
from tests import synth
from transcribe import harmony, intonation, models, rhythm
from transcribe.errors import ModelError
from transcribe.notes import attack, reattack, release, sung

#: Every model's getters in the code: each checks the file's feature names against the code's.
GETTERS = {
    "attack": (attack.fitted_weights, attack.fitted_shift),
    "release": (release.fitted_weights,),
    "reattack": (reattack.fitted_weights,),
    "meter": (rhythm.meter_weights, rhythm.meter_hidden),
    "duple": (rhythm.duple_weights,),
    "key": (harmony.key_weights,),
    "intonation": (lambda: np.array(dataclasses.astuple(intonation.IntonationParams.load())),),
    "sung_rhythm": (lambda: np.array(rhythm.SungRhythm.load().values()),),
    "sung_meter": (lambda: np.array([getattr(rhythm.SungRhythm.load().follow, name) for name in rhythm.SUNG_METER_PARAMS]),),
    "sung_onsets": (lambda: sung.load_model().onset, lambda: sung.load_model().offset),
}


def test_every_shipped_model_has_getters_and_a_model_card() -> None:
    assert set(GETTERS) == set(models.NAMES)
    assert {p.stem for p in models.HERE.glob("*.npz")} == set(models.NAMES)
    card = (models.HERE / "README.md").read_text()
    for name in models.NAMES:
        assert f"`{name}.npz`" in card


@pytest.mark.parametrize("name", models.NAMES)
def test_model_files_load_without_pickle_and_match_the_code(name: str) -> None:
    model = models.load(name)
    assert model is models.load(name)  # cached
    with np.load(models.path(name), allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)
    assert model.arrays and all(a.dtype == np.float64 and np.isfinite(a).all() for a in model.arrays.values())
    assert all(not a.flags.writeable for a in model.arrays.values())
    assert {"script", "seeds", "data", "commit", "held_out"} <= set(model.provenance)
    for getter in GETTERS[name]:  # each checks the file's feature names against the code's
        got = getter()
        values = got.values() if isinstance(got, dict) else got if isinstance(got, tuple) else (got,)
        assert all(np.isfinite(np.asarray(v)).all() for v in values)


def test_networks_have_the_layout_their_features_need() -> None:
    for module, model in ((attack, "attack"), (release, "release"), (reattack, "reattack")):
        w = module.fitted_weights()
        f = len(module.FEATURES)
        assert w["mean"].shape == w["scale"].shape == (f,)
        assert w["hidden"].shape[1] == f and w["hidden_bias"].shape == w["out"].shape == (w["hidden"].shape[0],)
        assert models.load(model).names["features"] == module.FEATURES
    shift = attack.fitted_shift()
    assert shift["linear"].shape == shift["square"].shape == (len(attack.SHIFT_FEATURES),)


def test_save_then_read_is_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    arrays = {"net.hidden": rng.normal(size=(3, 4)), "net.out_bias": np.float64(np.pi / 7), "weights": rng.normal(size=4) * 1e-9}
    file = models.save(
        tmp_path / "m.npz", arrays=arrays, names={"features": ("a", "b", "c", "d")}, provenance={"script": "x", "seeds": "1"}
    )
    got = models.read(file)
    assert got.name == "m"
    for k, v in arrays.items():
        assert got.arrays[k].tobytes() == np.asarray(v, dtype=np.float64).tobytes()
    assert got.names == {"features": ("a", "b", "c", "d")}
    assert got.provenance == {"script": "x", "seeds": "1"}
    assert got.group("net").keys() == {"hidden", "out_bias"}


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    file = models.save(tmp_path / "attack.npz", arrays={"net.mean": np.zeros(2)}, names={"features": ("dt_s", "attack")}, provenance={})
    with pytest.raises(ModelError, match=r"attack\.npz.*refit"):
        models.read(file).features("features", attack.FEATURES)
    with pytest.raises(ModelError, match="no model file"):
        models.load("no-such-model")
    with pytest.raises(ModelError, match=r"attack\.npz.*shift_features"):
        models.checked("attack", attack.FEATURES, key="shift_features")
    assert models.checked("attack", attack.SHIFT_FEATURES, key="shift_features").name == "attack"


def test_the_stage_hook_sees_the_stages_and_changes_nothing() -> None:
    # An instrument melody with a repeated note: the re-attack search, both networks and the rhythm run.
    y = synth.render(synth.melody([(67, 1), (67, 1), (69, 2), (71, 1), (72, 1), (74, 2)] * 2, bpm=110))
    seen: dict[str, list[dict]] = {}
    hooked = transcribe.transcribe(y, sr=synth.SR, hook=lambda stage, got: seen.setdefault(stage, []).append(got))
    plain = transcribe.transcribe(y, sr=synth.SR)
    assert hooked.to_csv() == plain.to_csv()
    assert set(seen) == {"reattack_run", "refine_offsets", "refine_onsets", "rhythm"}
    assert {"start", "end", "frames", "min_len", "guard", "recording"} <= set(seen["reattack_run"][0])
    assert len(seen["rhythm"]) == 1 and seen["rhythm"][0]["notes"] == plain.notes
    assert len(seen["refine_onsets"][0]["notes"]) == len(plain.notes)
    # The onset stage's level at a note's own harmonics rises where that note starts.
    found, own_level = seen["refine_onsets"][0]["notes"], seen["refine_onsets"][0]["own_level"]
    k = next(i for i in range(1, len(found)) if found[i].midi != found[i - 1].midi)
    level = own_level(found[k].onset_s + np.array([-0.1, 0.06]), found[k], found[k - 1])
    assert level is not None and level.shape == (2,) and level[1] - level[0] > 10.0
