"""The SPICE backend: calibration, loading, frame alignment, chunking, errors.

Tests marked with the real model need TensorFlow and the SPICE v1 SavedModel in
``../shared/models/spice_1`` (or ``$TRANSCRIBE_SHARED/models/spice_1``); they
skip with a reason where either is missing. The tiny-SavedModel tests need
TensorFlow only.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.synth import melody, render
from transcribe.errors import ModelError
from transcribe.pitch import spice

REPO = Path(__file__).resolve().parents[1]
SR = spice.SAMPLE_RATE


def _shared_dir() -> Path:
    env = os.environ.get("TRANSCRIBE_SHARED")
    return Path(env) if env else REPO.parent / "shared"


SPICE1 = _shared_dir() / "models" / "spice_1"


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow", reason="TensorFlow is not installed (pip install '.[spice]')")


@pytest.fixture(scope="module")
def v1(tf) -> spice.SpiceModel:
    """The real SPICE v1 model, loaded once for the module (an explicit cache)."""
    if not (SPICE1 / "saved_model.pb").is_file():
        pytest.skip(f"the SPICE v1 model is absent ({SPICE1}); set TRANSCRIBE_SHARED to the shared folder")
    return spice.load(str(SPICE1))


def _sine(hz: float, seconds: float = 2.0, amp: float = 0.3) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * hz * np.arange(int(seconds * SR)) / SR)).astype(np.float32)


def _cents(a: np.ndarray, b: float) -> np.ndarray:
    return 1200.0 * np.log2(np.asarray(a) / b)


# --- calibration and handles (no TensorFlow needed) -------------------------------------------------------------


def test_calibration_formulas_and_the_v1_v2_gap() -> None:
    assert spice.pitch_to_hz(np.array(0.5), 1) == pytest.approx(10 * 2 ** ((24.374 + 62.511 * 0.5) / 12))
    assert spice.pitch_to_hz(np.array(0.5), 2) == pytest.approx(10 * 2 ** ((25.58 + 63.07 * 0.5) / 12))
    # Across the singing range the versions differ by ~1.45 semitones: a wrong version is a wrong note.
    p = np.linspace(0.35, 0.55, 9)
    gap = 12 * np.log2(spice.pitch_to_hz(p, 2) / spice.pitch_to_hz(p, 1))
    assert np.all((gap > 1.39) & (gap < 1.52))
    assert float(np.median(gap)) == pytest.approx(1.45, abs=0.02)
    with pytest.raises(ModelError):
        spice.pitch_to_hz(p, 3)


@pytest.mark.parametrize(
    ("handle", "version"),
    [
        ("https://tfhub.dev/google/spice/2", 2),
        ("https://tfhub.dev/google/spice/1", 1),
        ("/data/models/spice_1", 1),
        ("/data/models/spice-2/", 2),
        ("https://www.kaggle.com/models/google/spice/frameworks/TensorFlow1/variations/spice/versions/2", 2),
        ("/data/spice_2_exports/spice_1", 1),  # the last mention wins
        ("/data/models/pitch", None),
        ("/data/models/spice_12", None),
    ],
)
def test_detect_version_from_handle(handle: str, version: int | None) -> None:
    assert spice.detect_version(handle) == version


def test_detect_version_from_tfhub_cache_descriptor(tmp_path: Path) -> None:
    folder = tmp_path / "4f2b1c0e9d"
    folder.mkdir()
    (tmp_path / "4f2b1c0e9d.descriptor.txt").write_text("Module: https://tfhub.dev/google/spice/1\nDownload Time: now\n")
    assert spice.detect_version(str(folder)) == 1


def test_shared_model_path_is_detected_as_v1() -> None:
    assert spice.detect_version(str(SPICE1)) == 1


def test_handle_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(spice.ENV_MODEL, raising=False)
    assert spice.resolve_handle(None) == spice.DEFAULT_HANDLE == "https://tfhub.dev/google/spice/2"
    monkeypatch.setenv(spice.ENV_MODEL, "/models/spice_1")
    assert spice.resolve_handle(None) == "/models/spice_1"
    assert spice.resolve_handle("/other/spice_2") == "/other/spice_2"


def test_missing_folder_is_a_model_error_without_tensorflow() -> None:
    with pytest.raises(ModelError, match=r"does not exist.*--spice-model"):
        spice.load("/nonexistent/spice_1")


def test_folder_without_savedmodel_or_version(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a SavedModel folder"):
        spice.load(str(tmp_path))
    (tmp_path / "saved_model.pb").write_bytes(b"")
    with pytest.raises(ModelError, match="--spice-version"):
        spice.load(str(tmp_path))


# --- TensorFlow stays out of the default path -------------------------------------------------------------------


def test_tensorflow_is_not_imported_by_cli_or_default_backend() -> None:
    code = (
        "import sys, numpy as np\n"
        "import transcribe.cli, transcribe\n"
        "transcribe.cli.build_parser().format_help()\n"
        "assert transcribe.cli.main(['--help']) == 0\n"
        "x = (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32)\n"
        "r = transcribe.transcribe(x, sr=16000)\n"
        "assert len(r.notes) == 1, r.notes\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'tensorflow_hub', 'keras'))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


# --- a tiny SavedModel with SPICE's signature (TensorFlow, no shared data) --------------------------------------


def _save_fake_spice(tf, path: Path) -> Path:
    """A SavedModel with SPICE's interface: frame i's pitch is the input sample 512 i, uncertainty 0.1."""

    class FakeSpice(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="input")])
        def serve(self, x):
            n_frames = tf.shape(x)[0] // spice.HOP + 1
            padded = tf.pad(x, [[0, spice.HOP]])
            pitch = tf.gather(padded, tf.range(n_frames) * spice.HOP)
            return {"pitch": pitch, "uncertainty": tf.fill([n_frames], 0.1)}

    module = FakeSpice()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    return path


@pytest.fixture(scope="module")
def fake_model(tf, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_fake_spice(tf, tmp_path_factory.mktemp("models") / "fake_spice_2")


def test_tiny_savedmodel_loads_and_frames_line_up(fake_model: Path) -> None:
    n = 10_000
    ramp = np.linspace(0.3, 0.6, n, dtype=np.float32)
    times, f0, conf = spice.estimate(ramp, fmin_hz=20.0, fmax_hz=4000.0, model=str(fake_model))
    n_frames = n // spice.HOP + 1
    assert len(times) == len(f0) == len(conf) == n_frames
    np.testing.assert_allclose(times, np.arange(n_frames) * 0.032)
    np.testing.assert_allclose(f0, spice.pitch_to_hz(ramp[np.arange(n_frames) * spice.HOP], 2), rtol=1e-6)
    np.testing.assert_allclose(conf[1:-1], 0.9, atol=1e-6)
    assert conf[0] == pytest.approx(0.9 * spice.EDGE_CONFIDENCE) and conf[-1] == pytest.approx(0.9 * spice.EDGE_CONFIDENCE)
    # version= overrides detection from the folder name
    _, f0_v1, _ = spice.estimate(ramp, fmin_hz=20.0, fmax_hz=4000.0, model=str(fake_model), version=1)
    np.testing.assert_allclose(f0_v1, spice.pitch_to_hz(ramp[np.arange(n_frames) * spice.HOP], 1), rtol=1e-6)


def test_tiny_savedmodel_chunks_stitch_on_frame_boundaries(fake_model: Path) -> None:
    n = 3 * SR + 123
    x = np.random.default_rng(0).uniform(0.2, 0.7, n).astype(np.float32)
    model = spice.load(str(fake_model))
    whole = model.run(x, chunk_s=1000.0)
    for chunk_s in (0.1, 0.5, 1.0):
        parts = model.run(x, chunk_s=chunk_s, overlap_s=0.3)
        np.testing.assert_array_equal(parts[0], whole[0])
        np.testing.assert_array_equal(parts[1], whole[1])
    np.testing.assert_array_equal(whole[0], x[np.arange(n // spice.HOP + 1) * spice.HOP])


def test_tiny_savedmodel_short_input_and_pitch_range(fake_model: Path) -> None:
    for n in (1, 100, 511, 512, 513):
        times, _, _ = spice.estimate(np.full(n, 0.4, np.float32), fmin_hz=20.0, fmax_hz=4000.0, model=str(fake_model))
        assert len(times) == n // spice.HOP + 1
    x = np.full(4000, 0.45, np.float32)  # not a multiple of 512: no frame reads the padding
    hz = float(spice.pitch_to_hz(np.float32(0.45), 2))
    _, _, conf = spice.estimate(x, fmin_hz=hz + 1, fmax_hz=4000.0, model=str(fake_model))
    assert np.all(conf == 0)
    _, _, conf = spice.estimate(x, fmin_hz=20.0, fmax_hz=hz - 1, model=str(fake_model))
    assert np.all(conf == 0)


def test_savedmodel_without_spice_outputs_is_rejected(tf, tmp_path: Path) -> None:
    class NotSpice(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="input")])
        def serve(self, x):
            return {"f0": x}

    module = NotSpice()
    tf.saved_model.save(module, str(tmp_path / "spice_2"), signatures={"serving_default": module.serve})
    with pytest.raises(ModelError, match="pitch"):
        spice.load(str(tmp_path / "spice_2"))


def test_unreachable_url_is_a_model_error(tf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "cache"))
    # .invalid never resolves (RFC 2606), so this is "no network" with or without a network.
    with pytest.raises(ModelError) as info:
        spice.load("https://tfhub.invalid/google/spice/2")
    message = str(info.value)
    assert "\n" not in message and "network" in message and "--spice-model PATH" in message


# --- the CLI's one-line errors ----------------------------------------------------------------------------------


def _wav(tmp_path: Path) -> Path:
    import soundfile as sf

    path = tmp_path / "take.wav"
    sf.write(path, _sine(440.0, 1.0), SR)
    return path


def _run_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, model: str) -> tuple[int, list[str]]:
    from transcribe.cli import main

    out = tmp_path / "out"
    code = main([str(_wav(tmp_path)), "-o", str(out), "--pitch", "spice", "--spice-model", model])
    err = capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir()), "no output may be written"
    return code, [line for line in err.splitlines() if line.strip()]


def test_cli_nonexistent_model_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, lines = _run_cli(capsys, tmp_path, "/nonexistent")
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("transcribe: error:") and "--spice-model" in lines[0]


def test_cli_garbage_model_folder_is_one_line(tf, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    garbage = tmp_path / "spice_1"
    garbage.mkdir()
    (garbage / "saved_model.pb").write_bytes(b"this is not a protocol buffer")
    (garbage / "variables").mkdir()
    code, lines = _run_cli(capsys, tmp_path, str(garbage))
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("transcribe: error:") and "Traceback" not in lines[0]
    assert "cannot load SPICE model" in lines[0] and "--spice-model PATH" in lines[0]


# --- the real SPICE v1 model ------------------------------------------------------------------------------------


@pytest.mark.parametrize("hz", [110.0, 220.0, 440.0, 880.0])
def test_real_v1_reads_sines_within_20_cents(v1: spice.SpiceModel, hz: float) -> None:
    _, f0, conf = spice.estimate(_sine(hz), fmin_hz=50.0, fmax_hz=2000.0, model=v1)
    steady = slice(10, -10)
    assert abs(float(np.median(_cents(f0[steady], hz)))) < 20.0
    assert float(np.median(conf[steady])) > 0.9
    assert conf[0] < 0.5 and conf[-1] < 0.5  # edge frames are marked down


def test_real_v1_with_v2_calibration_is_145_cents_sharp(v1: spice.SpiceModel) -> None:
    _, f0_v1, _ = spice.estimate(_sine(220.0), fmin_hz=50.0, fmax_hz=2000.0, model=v1)
    _, f0_v2, _ = spice.estimate(_sine(220.0), fmin_hz=50.0, fmax_hz=2000.0, model=v1, version=2)
    gap = float(np.median(_cents(f0_v2[10:-10], 1.0) - _cents(f0_v1[10:-10], 1.0)))
    assert gap == pytest.approx(146.6, abs=3.0)
    assert v1.version == 1


def test_real_v1_pitch_range_zeroes_confidence(v1: spice.SpiceModel) -> None:
    _, _, conf = spice.estimate(_sine(440.0), fmin_hz=500.0, fmax_hz=2000.0, model=v1)
    assert np.all(conf[5:-5] == 0)


CHUNK_ATOL = 3e-6  # float32 noise between model calls of different lengths


def test_real_v1_chunked_equals_one_pass(v1: spice.SpiceModel) -> None:
    notes = melody([(60, 1), (64, 1), (67, 0.5), (72, 1.5), (None, 1), (69, 1), (65, 2)] * 2, bpm=110)
    for noise_db in (30.0, None):  # digital silence in the rests is where SPICE is touchiest
        x16 = _resample(render(notes, vibrato_cents=25, noise_db=noise_db, seed=3), 44100)
        assert len(x16) % spice.HOP != 0
        whole = v1.run(x16, chunk_s=1000.0)
        for chunk_s in (1.0, 2.5):  # ~13 s of audio: 14 and 6 chunks
            parts = v1.run(x16, chunk_s=chunk_s, overlap_s=1.0)
            # Float32 kernels differ with the input's length: TensorFlow 2.21 gives the last
            # frame's uncertainty 1.1e-6 apart; a too short context (0.5 s) moves frames by
            # 1.2e-5 or more, which the last assertion shows is caught.
            np.testing.assert_allclose(parts[0], whole[0], atol=CHUNK_ATOL)
            np.testing.assert_allclose(parts[1], whole[1], atol=CHUNK_ATOL)
        short = v1.run(x16, chunk_s=2.5, overlap_s=0.5)
        assert max(float(np.abs(short[i] - whole[i]).max()) for i in (0, 1)) > 3 * CHUNK_ATOL
    t1, f1, c1 = spice.estimate(x16, fmin_hz=50.0, fmax_hz=2000.0, model=v1)
    t2, f2, c2 = spice.estimate(x16, fmin_hz=50.0, fmax_hz=2000.0, model=v1, chunk_s=3.0)
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_allclose(f2, f1, rtol=1e-6)
    np.testing.assert_allclose(c2, c1, atol=1e-6)


def test_real_v1_transcribes_a_melody_with_onsets_in_time(v1: spice.SpiceModel) -> None:
    import transcribe

    tune = [(62, 1), (64, 1), (66, 1), (67, 1), (69, 2), (69, 2), (71, 1), (69, 1), (67, 1), (66, 1), (64, 2), (62, 2)]
    ref = melody(tune, bpm=100)
    y = render(ref, vibrato_cents=20, noise_db=35, seed=5)
    result = transcribe.transcribe(y, sr=44100, pitch="spice", spice_model=str(SPICE1))
    assert result.raw_track.backend == "spice"
    assert [n.midi for n in result.notes] == [m for _, _, m in ref]
    onset_errors = [abs(n.onset_s - on) for n, (on, _, _) in zip(result.notes, ref)]
    assert max(onset_errors) < 0.05, onset_errors


def _resample(y: np.ndarray, sr: int) -> np.ndarray:
    import soxr

    return soxr.resample(y, sr, SR).astype(np.float32)


def test_frame_count_matches_the_model(v1: spice.SpiceModel) -> None:
    for n in (1, 511, 512, 16000, 16384):
        p, u = v1.run(np.zeros(n, np.float32))
        assert len(p) == len(u) == n // spice.HOP + 1 == math.floor(n / 512) + 1
