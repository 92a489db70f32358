"""Property-based robustness: whatever the signal or the options, a run ends in
a Transcription or a TranscribeError, never in any other exception.

Seeded (``derandomize=True``) with a modest number of examples, so the suite
is reproducible and runs in well under a minute.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from transcribe import TranscribeError, Transcription, transcribe

PROFILE = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    database=None,
)

RATES = st.one_of(
    st.sampled_from([8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000]),
    st.sampled_from([8000, 16000, 44100]),
    st.integers(min_value=1000, max_value=200_000),
    st.sampled_from([0, -44100, 999, 10**7]),  # invalid: a clear AudioError
)
#: Lengths in seconds: hypothesis would otherwise mostly try tiny arrays.
DURATIONS = st.sampled_from([0.0, 0.001, 0.05, 0.3, 1.0, 2.0, 2.0])
DTYPES = st.sampled_from([np.float32, np.float64, np.float16, np.int16, np.int32, np.int8, np.uint8, np.int64])
KINDS = st.sampled_from(["tones", "tone", "tones", "silence", "noise", "dc", "clicks", "square"])


@st.composite
def signals(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """A short signal (0-2 s) of some kind, dtype, amplitude, channel count and damage."""
    sr = draw(RATES)
    rate = sr if 1000 <= sr <= 200_000 else 16000
    n = int(draw(DURATIONS) * rate) + draw(st.integers(min_value=0, max_value=3))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(KINDS)
    t = np.arange(n) / rate
    f0 = draw(st.one_of(st.sampled_from([220.0, 440.0]), st.floats(min_value=30.0, max_value=min(5000.0, rate / 2.1))))
    if kind == "silence":
        x = np.zeros(n)
    elif kind == "noise":
        x = rng.uniform(-1.0, 1.0, n)
    elif kind == "tone":
        x = np.sin(2 * np.pi * f0 * t)
    elif kind == "tones":  # a few random notes back to back
        edges = np.sort(rng.integers(0, max(n, 1), 4))
        freqs = f0 * 2.0 ** (rng.integers(-7, 8, 5) / 12.0)
        x = np.sin(2 * np.pi * np.cumsum(freqs[np.searchsorted(edges, np.arange(n))]) / rate)
    elif kind == "dc":
        x = np.full(n, rng.uniform(-1.0, 1.0))
    elif kind == "clicks":
        x = np.zeros(n)
        x[:: max(1, rate // draw(st.integers(min_value=1, max_value=50)))] = 1.0
    else:
        x = np.sign(np.sin(2 * np.pi * f0 * t))
    amp = draw(st.sampled_from([0.3, 0.3, 0.0, 1e-6, 1e-3, 0.1, 0.5, 1.0, 1.5, 1e4]))
    x = x * amp
    channels = draw(st.sampled_from([0, 1, 2, 6]))  # 0: a flat (n,) array
    if channels:
        x = np.stack([x * rng.uniform(0.0, 1.0) for _ in range(channels)], axis=1)
        if draw(st.booleans()):
            x = x.T.copy()  # channels first
    dtype = draw(DTYPES)
    if np.issubdtype(dtype, np.floating):
        x = x.astype(dtype)
        if draw(st.booleans()) and x.size:
            flat = x.reshape(-1)
            idx = rng.integers(0, flat.size, draw(st.integers(min_value=1, max_value=max(1, flat.size))))
            flat[idx] = rng.choice(np.array([np.nan, np.inf, -np.inf], dtype=dtype), len(idx))
    else:
        info = np.iinfo(dtype)
        mid = (int(info.max) + int(info.min)) / 2.0
        half = (int(info.max) - int(info.min)) / 2.0
        with np.errstate(invalid="ignore", over="ignore"):  # int64's max is not a float
            x = np.clip(mid + np.clip(x, -1.0, 1.0) * half, info.min, info.max).astype(dtype)
    return x, sr


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


#: Options valid or not: out-of-range values must be an OptionError.
ANY_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "pitch": st.sampled_from(["swift", "swift", "yin", ""]),
        "confidence": _maybe(st.one_of(st.floats(-0.5, 1.5), st.just(math.nan))),
        "tempo_bpm": _maybe(st.one_of(st.floats(-10.0, 500.0), st.sampled_from([0.0, math.inf, math.nan]))),
        "time_signature": _maybe(st.sampled_from(["3/4", "6/8", "7/0", "4/3", "12/8", "5/4", "1/1", "x", "", "0/4", "33/4"])),
        "key": _maybe(st.sampled_from(["G major", "e minor", "H major", "Bb", "f#m", "", "C## major", "Cb minor"])),
        "min_note_s": st.one_of(st.floats(-1.0, 3.0), st.just(math.nan)),
        "max_gap_s": st.floats(0.0, 1.0),
        "loudness_floor_db": st.floats(-10.0, 120.0),
        "fmin_hz": st.floats(10.0, 500.0),
        "fmax_hz": st.floats(100.0, 5000.0),
        "title": _maybe(st.text(max_size=20)),
        "tuning": st.sampled_from(["auto", "performance", "a440", "A=442"]),
        "onsets": st.sampled_from(["auto", "attack", "pitch", "vowel"]),
    },
)

#: Valid options only, so most examples go through the whole pipeline.
VALID_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "confidence": _maybe(st.floats(0.0, 1.0)),
        "tempo_bpm": _maybe(st.floats(20.0, 400.0)),
        "time_signature": _maybe(st.sampled_from(["2/4", "3/4", "4/4", "6/8", "12/8", "5/4", "7/8", "1/1", "2/2"])),
        "key": _maybe(st.sampled_from(["G major", "e minor", "Bb", "f#m", "Cb minor", "C# major"])),
        "min_note_s": st.floats(0.0, 1.0),
        "max_gap_s": st.floats(0.0, 0.5),
        "tuning": st.sampled_from(["auto", "performance", "a440"]),
        "onsets": st.sampled_from(["auto", "attack", "pitch"]),
    },
)

OPTIONS = st.one_of(VALID_OPTIONS, VALID_OPTIONS, ANY_OPTIONS)


def _check(run: Any) -> Transcription | None:
    """Run; a Transcription must be writable to both formats. TranscribeError is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = run()
        except TranscribeError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg, repr(msg)
            event(f"error: {type(exc).__name__}")
            return None
    event("notes" if result.notes else "empty score")
    assert isinstance(result, Transcription)
    assert len(result.voiced) == len(result.raw_track)
    assert all(n.offset_s > n.onset_s for n in result.notes)
    assert result.to_midi()[:4] == b"MThd"
    assert b"score-partwise" in result.to_musicxml()
    return result


@pytest.mark.slow
@PROFILE
@given(signal=signals(), options=OPTIONS)
def test_any_array_and_options_end_in_a_transcription_or_a_clear_error(signal: tuple[np.ndarray, int], options: dict[str, Any]) -> None:
    samples, sr = signal
    before = samples.copy()
    _check(lambda: transcribe(samples, sr=sr, **options))
    np.testing.assert_array_equal(samples, before)  # the caller's array is not modified


#: Starts of real audio files, so the decoders get past their first check.
HEADS = [
    b"",
    b"RIFF\xff\xff\xff\x7fWAVEfmt ",
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00",
    b"fLaC",
    b"OggS",
    b"ID3",
    b"\xff\xfb",
]


@PROFILE
@given(head=st.sampled_from(HEADS), body=st.binary(min_size=0, max_size=3000))
def test_any_file_bytes_end_in_a_transcription_or_a_clear_error(tmp_path_factory: pytest.TempPathFactory, head: bytes, body: bytes) -> None:
    path = Path(tmp_path_factory.mktemp("bytes")) / "take.wav"
    path.write_bytes(head + body)
    _check(lambda: transcribe(path))
