"""Audio in: any file or array to mono float32 at the rate the pitch backend wants.

WAV, FLAC, OGG and MP3 are read by soundfile (libsndfile ships in its wheel, no
system program needed) in blocks, each block mixed to mono and resampled as it
streams into one preallocated buffer, so an hour-long file never sits in memory
at its full rate and channel count. Anything else (m4a, aac, video soundtracks)
is decoded by the ``ffmpeg`` program, streamed through a pipe as mono float32
at the wanted rate.

Bad input fails with one :class:`AudioError` line naming the file and the fix;
damage that still leaves usable audio (a file cut short, NaN samples) is
repaired with a :class:`TranscribeWarning`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .errors import AudioError, TranscribeWarning
from .types import Audio

#: Frames read per block when streaming a file (about 24 s at 44.1 kHz: 4 MiB
#: a channel). Few blocks matter when music21 imports in a thread alongside:
#: each block hands the GIL back and forth, and 1.5-second blocks made reading a
#: 3-minute song take ~0.26 s instead of ~0.10 s (the same samples either way).
BLOCK_FRAMES = 1 << 20

#: Bytes read per block from ffmpeg's pipe.
PIPE_BLOCK_BYTES = 1 << 20

#: Leading bytes of common files that are not audio, and what to call them.
_NOT_AUDIO: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
)


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
    kind = _sniff(p)
    if kind is not None:
        raise AudioError(f"{p}: is {kind}, not audio: give a recording (WAV, FLAC, MP3, M4A...)")
    samples = _read_soundfile(p, sr)
    if samples is None:
        samples = _read_ffmpeg(p, sr)
    return Audio(samples=_sanitize(samples, str(p)), sr=sr)


def _sniff(path: Path) -> str | None:
    """What a file is when its first bytes show it is not audio (an image, an
    archive, text...), else ``None``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror}): check its permissions") from None
    for magic, kind in _NOT_AUDIO:
        if head.startswith(magic):
            return kind
    if head.lstrip().lower().startswith((b"<?xml", b"<!doctype", b"<html")):
        return "an XML or HTML document"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut by the 4096-byte read
            return None
        text = head[: exc.start].decode("utf-8")
    if text and all(ch.isprintable() or ch in "\t\r\n" for ch in text):
        return "a text file"
    return None


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
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or not 1000 <= int(sr) <= 768000:
        raise AudioError(f"{name}: sample rate {sr!r} is invalid: pass sr= as an integer in Hz, e.g. sr=44100")
    if x.ndim not in (1, 2):
        raise AudioError(f"{name}: samples must have shape (n,) or (n, channels), got {x.shape}")
    if x.size == 0:
        return Audio(samples=np.zeros(0, dtype=np.float32), sr=target_sr)
    if x.ndim == 2 and x.shape[0] < x.shape[1] and x.shape[0] <= 8:
        x = x.T  # channels-first input, as librosa gives it
    # Repair before resampling, so a NaN does not smear over its neighbours.
    mono = _sanitize(_to_mono_float(x), name)
    return Audio(samples=_resample(mono, int(sr), target_sr), sr=target_sr)


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
    """Stream a file through soundfile; ``None`` if libsndfile cannot open it.

    A file that ends before its header says (a recording cut off, a copy
    interrupted) gives the audio that is there, with a warning; one with no
    readable audio at all is an error.
    """
    import soundfile as sf

    try:
        handle = sf.SoundFile(str(path))
    except sf.LibsndfileError:
        return None
    except (OSError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{path}: cannot be read ({_first_line(exc)}): check the file") from None
    import soxr

    with handle:
        native_sr, frames = int(handle.samplerate), int(handle.frames)
        claimed = _claimed_frames(handle)
        if native_sr <= 0:
            raise AudioError(f"{path}: the header gives no sample rate: re-export the file")
        if frames <= 0:
            if claimed > 0:
                raise AudioError(f"{path}: the file is truncated: its header promises audio but none is there: re-export or re-copy it")
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
        n_bad = 0
        try:
            while True:
                block = handle.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
                read += len(block)
                last = len(block) < BLOCK_FRAMES
                mono, bad = _repair_nonfinite(_to_mono_float(block))  # before resampling, which would smear a NaN
                n_bad += bad
                put(mono if stream is None else stream.resample_chunk(mono, last=last))
                if last:
                    break
        except (sf.LibsndfileError, RuntimeError) as exc:
            if read == 0:
                raise AudioError(f"{path}: the audio data is corrupt ({_first_line(exc)}): re-export the file") from None
            damage = f" ({_first_line(exc)})"
            if stream is not None:
                put(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    if n_bad:
        _warn_nonfinite(str(path), n_bad)
    expected = max(frames, claimed)
    if damage or read < expected - max(1, expected // 1000):
        if read == 0:
            raise AudioError(f"{path}: the file is truncated{damage}: no audio could be decoded: re-export or re-copy it")
        # Keep what was decoded, as players do, and say so.
        warnings.warn(
            f"{path}: the file ends early{damage}: only {read / native_sr:.1f} s of {expected / native_sr:.1f} s are there; "
            "transcribing those (re-export or re-copy it for the rest)",
            TranscribeWarning,
            stacklevel=3,
        )
    return out[:filled]


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


def _read_ffmpeg(path: Path, sr: int) -> np.ndarray:
    """Decode any other format (m4a, aac, video soundtracks...) with the ffmpeg
    program, streamed as mono float32 at ``sr`` so memory stays bounded."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise AudioError(
            f"{path}: not a WAV/FLAC/OGG/MP3 file this tool can read alone, and other formats need ffmpeg, which is not installed: "
            "install ffmpeg (apt install ffmpeg / brew install ffmpeg) or convert the file to WAV"
        )
    cmd = [exe, "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-vn", "-sn", "-dn",
           "-ac", "1", "-ar", str(sr), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]  # fmt: skip
    parts: list[np.ndarray] = []
    with tempfile.TemporaryFile() as errfile:  # a file, not a pipe: ffmpeg never blocks on a full stderr
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errfile)
        except OSError as exc:
            raise AudioError(f"{path}: ffmpeg could not be started ({exc.strerror}): check the ffmpeg installation") from None
        try:
            assert proc.stdout is not None
            pending = b""
            while chunk := proc.stdout.read(PIPE_BLOCK_BYTES):
                chunk = pending + chunk
                usable = len(chunk) - len(chunk) % 4
                parts.append(np.frombuffer(chunk[:usable], dtype="<f4").astype(np.float32))
                pending = chunk[usable:]
            code = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted (Ctrl-C): do not leave ffmpeg running
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        errfile.seek(0)
        err = errfile.read(4000).decode("utf-8", "replace").strip()
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    detail = err.splitlines()[-1][:160] if err else f"exit status {code}"
    if code != 0 and len(samples) == 0:
        raise AudioError(f"{path}: not an audio file ffmpeg can decode ({detail}): check the file or convert it to WAV")
    if code != 0:
        warnings.warn(
            f"{path}: ffmpeg stopped early ({detail}); transcribing the {len(samples) / sr:.1f} s decoded", TranscribeWarning, stacklevel=3
        )
    return samples


def _sanitize(samples: np.ndarray, name: str) -> np.ndarray:
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
        samples, n_bad = _repair_nonfinite(samples)
        _warn_nonfinite(name, n_bad)
    peak = max(float(samples.max()), -float(samples.min()))
    if peak > 1.0:  # float files may exceed full scale; keep every stage's arithmetic in range
        samples = samples / np.float32(peak)
    return samples


def _repair_nonfinite(samples: np.ndarray) -> tuple[np.ndarray, int]:
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


def _warn_nonfinite(name: str, n_bad: int) -> None:
    warnings.warn(
        f"{name}: {n_bad} NaN/Inf samples bridged over from their neighbours; the file is damaged, re-export it if notes are missing",
        TranscribeWarning,
        stacklevel=4,
    )
