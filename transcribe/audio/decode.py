"""Decoding a file with soundfile (libsndfile) in blocks, each mixed to mono and resampled as it streams
into one preallocated buffer, so an hour-long file never sits in memory at its full rate.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import AudioError, TranscribeWarning
from .ffmpeg import ffmpeg_rescue
from .samples import MAX_RATE_HZ, MIN_RATE_HZ, channel_weights, count_clipped, repair_nonfinite, to_mono_float, warn_clipped, warn_nonfinite

#: Frames read per block when streaming a file (about 24 s at 44.1 kHz: 4 MiB
#: a channel). Few blocks matter when music21 imports in a thread alongside:
#: each block hands the GIL back and forth, and 1.5-second blocks made reading a
#: 3-minute song take ~0.26 s instead of ~0.10 s (the same samples either way).
BLOCK_FRAMES = 1 << 20


def read_soundfile(path: Path, sr: int, name: str) -> np.ndarray | None:
    """Stream a file through soundfile; ``None`` if libsndfile cannot open it.

    A file that ends before its header says (a recording cut off, a copy
    interrupted) or is damaged in the middle gives the audio that is there, with a
    warning: ffmpeg, where installed, decodes past damage libsndfile stops at. One
    with no audio to recover at all is an error. The decoder's own chatter on
    stderr (mpg123's "Illegal Audio-MPEG-Header") is kept from the user.
    """
    with _quiet_stderr():
        got = _read_soundfile_quietly(path, sr, name)
    if got is None or isinstance(got, np.ndarray):
        return got
    samples, read_s, expected_s, damage, problem = got
    rescued = ffmpeg_rescue(path, sr, name)
    if rescued is not None and len(rescued) > len(samples) + sr // 10:
        warnings.warn(
            f"{name}: the file is damaged or cut short{damage}: {len(rescued) / sr:.1f} s of audio recovered; "
            "transcribing those (re-export or re-copy it for the rest)",
            TranscribeWarning,
            stacklevel=3,
        )
        return rescued
    if problem:
        raise AudioError(problem)
    # Keep what was decoded, as players do, and say so.
    warnings.warn(
        f"{name}: the file ends early{damage}: only {read_s:.1f} s of {expected_s:.1f} s are there; "
        "transcribing those (re-export or re-copy it for the rest)",
        TranscribeWarning,
        stacklevel=3,
    )
    return samples


def _read_soundfile_quietly(path: Path, sr: int, name: str) -> np.ndarray | tuple[np.ndarray, float, float, str, str] | None:
    """:func:`read_soundfile`'s decoding: the samples, ``None``, or for a damaged or short file
    ``(samples, seconds read, seconds promised, damage detail, error if nothing was read)``."""
    import soundfile as sf

    try:
        handle = sf.SoundFile(os.fsencode(path))  # bytes: a name that is not UTF-8 opens too
    except sf.LibsndfileError:
        return None
    except (OSError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{name}: cannot be read ({_first_line(exc)}): check the file") from None
    import soxr

    with handle:
        native_sr, frames = int(handle.samplerate), int(handle.frames)
        claimed = _claimed_frames(handle)
        if native_sr <= 0:
            raise AudioError(f"{name}: the header gives no sample rate: re-export the file")
        if not MIN_RATE_HZ <= native_sr <= MAX_RATE_HZ:
            raise AudioError(
                f"{name}: the header gives a sample rate of {native_sr} Hz, outside {MIN_RATE_HZ}-{MAX_RATE_HZ} Hz: "
                "the header is damaged or wrong: re-export the file"
            )
        if frames <= 0:
            if claimed > 0:
                problem = f"{name}: the file is truncated: its header promises audio but none is there: re-export or re-copy it"
                return np.zeros(0, dtype=np.float32), 0.0, claimed / native_sr, "", problem
            return np.zeros(0, dtype=np.float32)
        stream = None if native_sr == sr else soxr.ResampleStream(native_sr, sr, 1, dtype="float32", quality="HQ")
        # One output buffer sized from the header (grown if the header lies), so an hour
        # of audio is never held twice, as a list of blocks and as their concatenation.
        out = np.empty(int(frames * sr / native_sr) + 1024, dtype=np.float32)
        filled = read = 0

        def put(block: np.ndarray) -> None:
            nonlocal out, filled
            if filled + len(block) > len(out):
                out = np.resize(out, max(2 * len(out), filled + len(block)))
            out[filled : filled + len(block)] = block
            filled += len(block)

        damage = ""
        n_bad = n_clipped = 0
        weights: np.ndarray | None = None
        try:
            while True:
                block = handle.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                read += len(block)
                last = len(block) < BLOCK_FRAMES
                if weights is None:
                    weights = channel_weights(block, name)
                mono, bad = repair_nonfinite(to_mono_float(block, weights))  # before resampling, which would smear a NaN
                n_bad += bad
                n_clipped += count_clipped(mono)
                put(mono if stream is None else stream.resample_chunk(mono, last=last))
                if last:
                    break
        except (sf.LibsndfileError, RuntimeError) as exc:
            damage = f" ({_first_line(exc)})"
            if read == 0:
                problem = f"{name}: the audio data is corrupt{damage}: re-export the file"
                return np.zeros(0, dtype=np.float32), 0.0, max(frames, claimed) / native_sr, damage, problem
            if stream is not None:
                put(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    if n_bad:
        warn_nonfinite(name, n_bad)
    warn_clipped(name, n_clipped, read)
    expected = max(frames, claimed)
    if damage or read < expected - max(1, expected // 1000):
        problem = ""
        if read == 0:
            problem = f"{name}: the file is truncated{damage}: no audio could be decoded: re-export or re-copy it"
        return out[:filled], read / native_sr, expected / native_sr, damage, problem
    return out[:filled]


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send what C libraries print on file descriptor 2 to nowhere, for the duration."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _claimed_frames(handle: object) -> int:
    """Frames a WAV/AIFF header promises when the file is shorter than that
    (libsndfile quietly trims ``frames`` to the data present); 0 otherwise."""
    info = str(getattr(handle, "extra_info", "") or "")
    match = re.search(r"^data\s*:\s*(\d+)\s*\(should be\s*(\d+)\)", info, re.MULTILINE)
    if not match:
        return 0
    promised, present = int(match.group(1)), int(match.group(2))
    if promised <= present or promised >= 0xFFFFFF00:  # ~0xFFFFFFFF: a streamed WAV whose length was never filled in
        return 0
    widths = {"PCM_S8": 1, "PCM_U8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8}
    width = widths.get(str(getattr(handle, "subtype", "")), 2)
    return promised // max(1, int(getattr(handle, "channels", 1)) * width)


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name if empty), at most 160 characters."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:160]
