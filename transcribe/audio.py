"""Audio in: any file or array to mono float32 at the rate the pitch backend wants.

WAV, FLAC, OGG and MP3 are read by soundfile (libsndfile ships in its wheel, no
system program needed) in blocks, each block mixed to mono and resampled as it
streams, so an hour-long file never sits in memory at its full rate and channel
count. Anything else (m4a, aac, video soundtracks) goes through pydub, which
needs the ``ffmpeg`` program.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np

from .errors import AudioError, TranscribeWarning
from .types import Audio

#: Frames read per block when streaming a file (about 1.5 s at 44.1 kHz).
BLOCK_FRAMES = 65536


def load(path: str | os.PathLike[str], *, sr: int) -> Audio:
    """Read an audio file as mono float32 at ``sr`` Hz.

    Args:
        path: Audio file. WAV/FLAC/OGG/MP3 need nothing else; other formats
            need ffmpeg on the PATH.
        sr: Target sample rate in Hz.

    Returns:
        The mono audio, samples shape (n,), float32.

    Raises:
        AudioError: If the file is missing, empty, not audio, or truncated.
    """
    p = Path(path)
    if not p.exists():
        raise AudioError(f"{p}: no such file: check the path")
    if p.is_dir():
        raise AudioError(f"{p}: is a folder, not an audio file: give a file, or pass the folder to the CLI")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise AudioError(f"{p}: cannot be read ({exc.strerror}): check its permissions") from None
    if size == 0:
        raise AudioError(f"{p}: the file is empty (0 bytes): re-export or re-record it")
    samples = _read_soundfile(p, sr)
    if samples is None:
        samples = _read_pydub(p, sr)
    return Audio(samples=_sanitize(samples, str(p)), sr=sr)


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
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise AudioError(f"{name}: samples must be int or float numbers, got {x.dtype}: pass a numeric numpy array")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or not 1000 <= int(sr) <= 768000:
        raise AudioError(f"{name}: sample rate {sr!r} is invalid: pass sr= as an integer in Hz, e.g. sr=44100")
    if x.ndim == 2 and x.shape[0] < x.shape[1] and x.shape[0] <= 8:
        x = x.T  # channels-first input, as librosa gives it
    if x.ndim not in (1, 2):
        raise AudioError(f"{name}: samples must have shape (n,) or (n, channels), got {x.shape}")
    mono = _to_mono_float(x)
    return Audio(samples=_sanitize(_resample(mono, int(sr), target_sr), name), sr=target_sr)


def _to_mono_float(x: np.ndarray) -> np.ndarray:
    """Mix (n, c) or (n,) int/float samples to float32 mono in [-1, 1] (a new array)."""
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        scale = 2.0 ** (info.bits - 1)
        offset = 0.0 if info.min < 0 else scale  # unsigned 8-bit WAV is centred on 128
        x = (x.astype(np.float64) - offset) / scale
    if x.ndim == 2:
        x = x.mean(axis=1) if x.shape[1] > 1 else x[:, 0]
    return np.array(x, dtype=np.float32)


def _resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out or len(x) == 0:
        return np.asarray(x, dtype=np.float32)
    import soxr  # soxr is librosa's own default resampler; fast and band-limited

    return np.asarray(soxr.resample(x, sr_in, sr_out, quality="HQ"), dtype=np.float32)


def _read_soundfile(path: Path, sr: int) -> np.ndarray | None:
    """Stream a file through soundfile; ``None`` if libsndfile cannot open it."""
    import soundfile as sf

    try:
        handle = sf.SoundFile(str(path))
    except sf.LibsndfileError:
        return None
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc}): check the file") from None
    import soxr

    with handle:
        if handle.frames == 0 or handle.samplerate <= 0:
            return np.zeros(0, dtype=np.float32)
        stream = None if handle.samplerate == sr else soxr.ResampleStream(handle.samplerate, sr, 1, dtype="float32", quality="HQ")
        parts: list[np.ndarray] = []
        try:
            while True:
                block = handle.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                last = len(block) < BLOCK_FRAMES
                mono = _to_mono_float(block)
                parts.append(mono if stream is None else stream.resample_chunk(mono, last=last))
                if last:
                    break
        except sf.LibsndfileError as exc:
            if not parts:
                raise AudioError(f"{path}: the audio data is corrupt ({exc}): re-export the file") from None
            # A truncated file: keep what was decoded, as players do, and say so.
            warnings.warn(f"{path}: the file ends early ({exc}); using the audio before the damage", TranscribeWarning, stacklevel=3)
            if stream is not None:
                parts.append(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _read_pydub(path: Path, sr: int) -> np.ndarray:
    """Decode with pydub + ffmpeg (m4a, aac, video soundtracks...)."""
    if shutil.which("ffmpeg") is None and shutil.which("avconv") is None:
        raise AudioError(
            f"{path}: not a WAV/FLAC/OGG/MP3 file this tool can read alone; other formats need ffmpeg: "
            "install it (apt install ffmpeg / brew install ffmpeg) or convert the file to WAV"
        )
    import warnings as _w

    with _w.catch_warnings():
        _w.simplefilter("ignore")  # pydub warns about ffmpeg at import even when it is found
        from pydub import AudioSegment
        from pydub.exceptions import CouldntDecodeError

    try:
        segment = AudioSegment.from_file(str(path))
    except (CouldntDecodeError, IndexError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AudioError(f"{path}: not an audio file ffmpeg can decode ({first[:120]}): check the file or convert it to WAV") from None
    if segment.frame_count() == 0:
        return np.zeros(0, dtype=np.float32)
    width = segment.sample_width
    dtype = {1: np.int8, 2: np.int16, 4: np.int32}.get(width)
    if dtype is None:
        raise AudioError(f"{path}: {8 * width}-bit samples are not supported: convert the file to 16-bit WAV")
    raw = np.frombuffer(segment.raw_data, dtype=dtype).reshape(-1, segment.channels)
    return _resample(_to_mono_float(raw), segment.frame_rate, sr)


def _sanitize(samples: np.ndarray, name: str) -> np.ndarray:
    """Replace NaN/Inf samples by silence (with a warning) so no stage sees them."""
    bad = ~np.isfinite(samples)
    if bad.any():
        warnings.warn(
            f"{name}: {int(bad.sum())} NaN/Inf samples replaced by silence; the file is damaged, re-export it if notes are missing",
            TranscribeWarning,
            stacklevel=3,
        )
        samples = np.where(bad, np.float32(0.0), samples).astype(np.float32)
    return samples
