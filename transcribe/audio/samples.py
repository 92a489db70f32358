"""Samples to mono float32 at the wanted rate: arrays in, channel mixing, resampling, and the repair
(with a :class:`TranscribeWarning`) of NaN samples and the count of clipped ones.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import AudioError, TranscribeWarning
from ..types import Audio

#: Sample rates a file may have (Hz): below 1 kHz or above 384 kHz a header is damaged or lies.
MIN_RATE_HZ, MAX_RATE_HZ = 1000, 384000


def from_array(samples: np.ndarray, sr: int, *, target_sr: int, name: str = "array") -> Audio:
    """Convert an in-memory signal to mono float32 at ``target_sr``.

    Args:
        samples: Shape (n,) or (n, channels); int samples are scaled to [-1, 1].
            Not modified.
        sr: Its sample rate in Hz.
        target_sr: Wanted sample rate in Hz.
        name: How to call the signal in error messages.

    Raises:
        AudioError: If the array is not numeric, has a bad shape, or ``sr`` is invalid.
    """
    x = np.asarray(samples)
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise AudioError(f"{name}: samples must be int or float numbers, got {x.dtype}: pass a numeric numpy array")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or not MIN_RATE_HZ <= int(sr) <= MAX_RATE_HZ:
        raise AudioError(f"{name}: sample rate {sr!r} is invalid: pass sr= as an integer in Hz, e.g. sr=44100")
    if x.ndim not in (1, 2):
        raise AudioError(f"{name}: samples must have shape (n,) or (n, channels), got {x.shape}")
    if x.size == 0:
        return Audio(samples=np.zeros(0, dtype=np.float32), sr=target_sr)
    if x.ndim == 2 and x.shape[0] < x.shape[1] and x.shape[0] <= 8:
        x = x.T  # channels-first input, as librosa gives it
    # Repair before resampling, so a NaN does not smear over its neighbours.
    mono = sanitize(to_mono_float(x, channel_weights(x, name), bits=_int_bits(x, name)), name)
    warn_clipped(name, count_clipped(mono), len(mono))
    return Audio(samples=resample(mono, int(sr), target_sr), sr=target_sr)


def to_mono_float(x: np.ndarray, weights: np.ndarray | None = None, *, bits: int | None = None) -> np.ndarray:
    """Mix (n, c) or (n,) int/float samples to float32 mono in [-1, 1] (a new array).

    ``weights`` (one per channel, see :func:`channel_weights`) replace the plain mean;
    ``bits`` is the width of integer samples when narrower than their type.
    """
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        scale = 2.0 ** ((bits or info.bits) - 1)
        offset = 0.0 if info.min < 0 else 2.0 ** (info.bits - 1)  # unsigned 8-bit WAV is centred on 128
        x = (x.astype(np.float64) - offset) / scale
    if x.ndim == 2:
        if x.shape[1] == 1:
            x = x[:, 0]
        elif weights is None or bool(np.all(weights == weights[0])):
            x = x.mean(axis=1)
        else:
            x = x @ weights
    return np.array(x, dtype=np.float32)


def _int_bits(x: np.ndarray, name: str) -> int | None:
    """The width of PCM values in an integer array wider than they need (16-bit values in an
    int64 array scale as 16-bit, with a warning); ``None`` where the type's own width fits."""
    if not np.issubdtype(x.dtype, np.signedinteger) or x.dtype.itemsize <= 2 or x.size == 0:
        return None
    peak = int(np.abs(x.astype(np.float64)).max())
    own = x.dtype.itemsize * 8
    for bits in (16, 24, 32):
        if bits < own and peak <= 2 ** (bits - 1):
            if peak == 0:
                return None
            warnings.warn(
                f"{name}: {x.dtype} samples hold {bits}-bit values (peak {peak}): scaled as {bits}-bit PCM; "
                f"pass float samples in [-1, 1] to say otherwise",
                TranscribeWarning,
                stacklevel=4,
            )
            return bits
    return None


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """``x`` (mono, at ``sr_in`` Hz) at ``sr_out`` Hz, band-limited, as float32."""
    if sr_in == sr_out or len(x) == 0:
        return np.asarray(x, dtype=np.float32)
    import soxr  # soxr is librosa's own default resampler; fast and band-limited

    return np.asarray(soxr.resample(x, sr_in, sr_out, quality="HQ"), dtype=np.float32)


def channel_weights(block: np.ndarray, name: str) -> np.ndarray | None:
    """How to mix a block's channels: ``None`` for their plain mean, or per-channel signs over
    the count where one channel is in opposite polarity to the loudest (a swapped cable), which a
    plain mean would cancel to near silence (with a warning). ``None`` too for a silent block."""
    if block.ndim != 2 or block.shape[1] < 2:
        return None
    x = np.nan_to_num(np.asarray(block, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    if np.issubdtype(block.dtype, np.integer):
        x = x / np.abs(x).max(initial=1.0)
    energy = (x * x).mean(axis=0)
    ref = int(np.argmax(energy))
    if energy[ref] < 1e-10:
        return None
    mix = x.mean(axis=1)
    if float((mix * mix).mean()) >= 0.1 * float(energy.mean()):
        return np.ones(x.shape[1]) / x.shape[1]
    corr = (x * x[:, [ref]]).mean(axis=0) / np.sqrt(np.maximum(energy * energy[ref], 1e-30))
    if not (corr < -0.5).any():
        return np.ones(x.shape[1]) / x.shape[1]
    warnings.warn(
        f"{name}: the channels cancel out when mixed (one is in opposite polarity, a swapped cable?): mixed with that channel inverted",
        TranscribeWarning,
        stacklevel=4,
    )
    return np.where(corr < -0.5, -1.0, 1.0) / x.shape[1]


def sanitize(samples: np.ndarray, name: str) -> np.ndarray:
    """Make samples safe for every stage: NaN/Inf are bridged over (with a
    warning), and a float signal beyond full scale is scaled down to it.

    NaN/Inf are repaired, not refused: they come from a damaged float file or
    a buggy effect, usually a few samples, and a repair costs at most the notes
    they fall in, where refusing would lose the whole take.
    """
    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) == 0:
        return samples
    # Checked in slices: no full-length temporary arrays on hour-long input.
    step = 1 << 20
    if not all(np.isfinite(samples[i : i + step]).all() for i in range(0, len(samples), step)):
        samples, n_bad = repair_nonfinite(samples)
        warn_nonfinite(name, n_bad)
    peak = max(float(samples.max()), -float(samples.min()))
    if peak > 1.0:  # float files may exceed full scale; keep every stage's arithmetic in range
        samples = samples / np.float32(peak)
    return samples


def repair_nonfinite(samples: np.ndarray) -> tuple[np.ndarray, int]:
    """``samples`` with NaN/Inf bridged linearly from their finite neighbours, and how many there were.

    Bridging, not zeroing: a few damaged samples set to 0 inside a note make a
    click that reads as a new attack. A long damaged stretch bridges to a flat
    line, which has no pitch, so it still comes out as a rest.
    """
    bad = ~np.isfinite(samples)
    n_bad = int(np.count_nonzero(bad))
    if not n_bad:
        return samples, 0
    if n_bad == len(samples) or len(samples) > (1 << 22):  # nothing to bridge from, or too big to index: silence
        return np.where(bad, np.float32(0.0), samples).astype(np.float32, copy=False), n_bad
    good = np.flatnonzero(~bad)
    where = np.flatnonzero(bad)
    out = np.array(samples, dtype=np.float32)
    out[where] = np.interp(where, good, out[good])
    return out, n_bad


def warn_nonfinite(name: str, n_bad: int) -> None:
    warnings.warn(
        f"{name}: {n_bad} NaN/Inf samples bridged over from their neighbours; the file is damaged, re-export it if notes are missing",
        TranscribeWarning,
        stacklevel=4,
    )


#: A sample this close to full scale counts as clipped; more than :data:`CLIP_WARN_FRACTION`
#: of them and the recording is said to be clipped.
CLIP_LEVEL, CLIP_WARN_FRACTION = 0.999, 0.02


def count_clipped(mono: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(mono) >= CLIP_LEVEL))


def warn_clipped(name: str, n_clipped: int, n: int) -> None:
    """Say so when a recording is driven hard into clipping: its flattened waves read as
    other pitches to the pitch model (a G4 clipped to a near-square wave came out as G3)."""
    if n and n_clipped > CLIP_WARN_FRACTION * n:
        warnings.warn(
            f"{name}: {100 * n_clipped / n:.0f}% of the samples are clipped (at full scale): "
            "some notes may come out an octave off; record at a lower level",
            TranscribeWarning,
            stacklevel=4,
        )


#: A recording whose loud parts sit below this level (dBFS) is raised to :data:`RAISED_DBFS`: the
#: pitch model's confidence falls with the level itself (SwiftF0 on samples/ode_to_joy.wav, mean
#: confidence 0.90 with its loud parts at -7 dBFS, 0.74 at -37 and 0.41 at -47, where it finds one
#: note of 30). No recording of the benchmark's sets is this quiet (the quietest, a vocadito
#: take, -21 dBFS), so none of them is touched.
QUIET_DBFS, RAISED_DBFS = -30.0, -20.0
#: The most a recording is raised (dB): a file of dither or hiss stays far below full scale.
MAX_RAISE_DB = 40.0
#: Samples per block whose peak is taken, and the percentile of the block peaks that is the
#: recording's loud level (a few clicks do not set it).
LEVEL_BLOCK, LEVEL_PERCENTILE = 1024, 99.0


def loud_level_dbfs(samples: np.ndarray) -> float:
    """The level of a recording's loud parts (dBFS): the :data:`LEVEL_PERCENTILE` percentile of
    the peaks of its blocks of :data:`LEVEL_BLOCK` samples; -inf for silence or no samples."""
    x = np.asarray(samples, dtype=np.float32)
    n = len(x) // LEVEL_BLOCK * LEVEL_BLOCK
    if n == 0:
        peaks = np.abs(x) if len(x) else np.zeros(1, dtype=np.float32)
    else:
        step = LEVEL_BLOCK * 1024  # in slices: no full-length temporary arrays on hour-long input
        peaks = np.concatenate([np.abs(x[i : min(i + step, n)]).reshape(-1, LEVEL_BLOCK).max(axis=1) for i in range(0, n, step)])
    level = float(np.percentile(peaks, LEVEL_PERCENTILE))
    return 20.0 * np.log10(level) if level > 0 else -np.inf


def raise_quiet(audio: Audio, name: str) -> Audio:
    """``audio`` with its loud parts raised to :data:`RAISED_DBFS` when they sit below
    :data:`QUIET_DBFS` (by at most :data:`MAX_RAISE_DB`, with a :class:`TranscribeWarning`);
    otherwise ``audio`` itself."""
    level = loud_level_dbfs(audio.samples)
    if not np.isfinite(level) or level >= QUIET_DBFS:
        return audio
    gain_db = min(RAISED_DBFS - level, MAX_RAISE_DB)
    warnings.warn(
        f"{name}: the recording is very quiet (its loud parts at {level:.0f} dBFS): raised by {gain_db:.0f} dB "
        "before its pitch is read; record closer to the microphone or with more input gain",
        TranscribeWarning,
        stacklevel=3,
    )
    gain = np.float32(10.0 ** (gain_db / 20.0))
    return Audio(samples=audio.samples * gain, sr=audio.sr)
