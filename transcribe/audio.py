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

import contextlib
import errno
import io
import os
import re
import shutil
import stat
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
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


#: Sample rates a file may have (Hz): below 1 kHz or above 384 kHz a header is damaged or lies.
MIN_RATE_HZ, MAX_RATE_HZ = 1000, 384000

#: Most bytes read from a pipe, a device or a file object (2 GiB: over three hours of CD audio),
#: so an endless stream is refused instead of filling the disk.
MAX_STREAM_BYTES = 2 << 30


def load(path: str | os.PathLike[str], *, sr: int) -> Audio:
    """Read an audio file as mono float32 at ``sr`` Hz.

    Args:
        path: Audio file. WAV/FLAC/OGG/MP3 need nothing else; other formats
            need ffmpeg on the PATH. A pipe (``/dev/stdin``, ``<(...)``, a FIFO)
            is read to its end (at most :data:`MAX_STREAM_BYTES`).
        sr: Target sample rate in Hz.

    Returns:
        The mono audio, samples shape (n,), float32.

    Raises:
        AudioError: If the file is missing, empty, not audio, or truncated.
    """
    p = Path(path)
    name = "<stdin>" if str(p) == "/dev/stdin" else str(p)
    try:
        st = p.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AudioError(f"{name}: is a symbolic link loop: point the link at a real file") from None
        if isinstance(exc, FileNotFoundError):
            if p.is_symlink():
                raise AudioError(f"{name}: is a broken symbolic link (to {os.readlink(p)}): fix the link or give the file itself") from None
            raise AudioError(f"{name}: no such file: check the path") from None
        raise AudioError(f"{name}: cannot be read ({exc.strerror}): check its permissions") from None
    if stat.S_ISDIR(st.st_mode):
        raise AudioError(f"{name}: is a folder, not an audio file: give a file, or pass the folder to the CLI")
    if not stat.S_ISREG(st.st_mode):  # a pipe, a FIFO, a device: read it once, into a file
        try:
            fh = open(p, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise AudioError(f"{name}: cannot be read ({exc.strerror}): check its permissions") from None
        with fh, tempfile.TemporaryDirectory(prefix="transcribe-") as tmp:
            if fh.isatty():
                raise AudioError(f"{name}: is a terminal, not a recording: pipe one in, e.g. transcribe - < song.wav")
            copy = Path(tmp) / "stream"
            _copy_stream(fh, copy, name)
            return _load_regular(copy, sr, name)
    if st.st_size == 0:
        raise AudioError(f"{name}: the file is empty (0 bytes): re-export or re-record it")
    return _load_regular(p, sr, name)


def load_data(source: object, *, sr: int, name: str = "<data>") -> Audio:
    """Read audio from ``bytes`` (a whole file's contents) or a binary file object, as :func:`load`.

    Raises:
        AudioError: As :func:`load`, and for a file object opened in text mode.
    """
    with tempfile.TemporaryDirectory(prefix="transcribe-") as tmp:
        copy = Path(tmp) / "data"
        if isinstance(source, (bytes, bytearray, memoryview)):
            if len(source) == 0:
                raise AudioError(f"{name}: no data (0 bytes): pass the contents of an audio file")
            source = io.BytesIO(source)
        _copy_stream(source, copy, name)
        return _load_regular(copy, sr, name)


def _copy_stream(fh: object, dest: Path, name: str) -> None:
    """Copy a binary stream into ``dest``, refusing text, endless zeros, or more than :data:`MAX_STREAM_BYTES`."""
    total = 0
    with open(dest, "wb") as out:
        while True:
            try:
                chunk = fh.read(PIPE_BLOCK_BYTES)  # type: ignore[attr-defined]
            except OSError as exc:
                raise AudioError(f"{name}: cannot be read ({exc.strerror or exc}): check the pipe or file") from None
            if not chunk:
                break
            if isinstance(chunk, str):
                raise AudioError(f"{name}: is opened as text: open the file in binary mode, open(path, 'rb')")
            if total == 0 and not any(chunk):
                raise AudioError(f"{name}: gives only zero bytes (like /dev/zero), no audio header: give a recording")
            total += len(chunk)
            if total > MAX_STREAM_BYTES:
                raise AudioError(f"{name}: more than {MAX_STREAM_BYTES >> 20} MiB without an end: give a file, not an endless stream")
            out.write(chunk)
    if total == 0:
        raise AudioError(f"{name}: the stream is empty (0 bytes): pipe a recording in, e.g. transcribe - < song.wav")


def _load_regular(p: Path, sr: int, name: str) -> Audio:
    """Read a regular, non-empty file; ``name`` is what messages call it."""
    kind = sniff_not_audio(p, name)
    if kind is not None:
        raise AudioError(f"{name}: is {kind}, not audio: give a recording (WAV, FLAC, MP3, M4A...)")
    samples = _read_soundfile(p, sr, name)
    if samples is None:
        samples = _read_ffmpeg(p, sr, name)
    return Audio(samples=_sanitize(samples, name), sr=sr)


def sniff_not_audio(path: Path, name: str) -> str | None:
    """What a file is when its first bytes show it is not audio (an image, an
    archive, text...), else ``None``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise AudioError(f"{name}: cannot be read ({exc.strerror}): check its permissions") from None
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
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or not MIN_RATE_HZ <= int(sr) <= MAX_RATE_HZ:
        raise AudioError(f"{name}: sample rate {sr!r} is invalid: pass sr= as an integer in Hz, e.g. sr=44100")
    if x.ndim not in (1, 2):
        raise AudioError(f"{name}: samples must have shape (n,) or (n, channels), got {x.shape}")
    if x.size == 0:
        return Audio(samples=np.zeros(0, dtype=np.float32), sr=target_sr)
    if x.ndim == 2 and x.shape[0] < x.shape[1] and x.shape[0] <= 8:
        x = x.T  # channels-first input, as librosa gives it
    # Repair before resampling, so a NaN does not smear over its neighbours.
    mono = _sanitize(_to_mono_float(x, _channel_weights(x, name), bits=_int_bits(x, name)), name)
    _warn_clipped(name, _count_clipped(mono), len(mono))
    return Audio(samples=_resample(mono, int(sr), target_sr), sr=target_sr)


def _to_mono_float(x: np.ndarray, weights: np.ndarray | None = None, *, bits: int | None = None) -> np.ndarray:
    """Mix (n, c) or (n,) int/float samples to float32 mono in [-1, 1] (a new array).

    ``weights`` (one per channel, see :func:`_channel_weights`) replace the plain mean;
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


def _resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out or len(x) == 0:
        return np.asarray(x, dtype=np.float32)
    import soxr  # soxr is librosa's own default resampler; fast and band-limited

    return np.asarray(soxr.resample(x, sr_in, sr_out, quality="HQ"), dtype=np.float32)


def _read_soundfile(path: Path, sr: int, name: str) -> np.ndarray | None:
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
    rescued = _ffmpeg_rescue(path, sr, name)
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
    """:func:`_read_soundfile`'s decoding: the samples, ``None``, or for a damaged or short file
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
                    weights = _channel_weights(block, name)
                mono, bad = _repair_nonfinite(_to_mono_float(block, weights))  # before resampling, which would smear a NaN
                n_bad += bad
                n_clipped += _count_clipped(mono)
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
        _warn_nonfinite(name, n_bad)
    _warn_clipped(name, n_clipped, read)
    expected = max(frames, claimed)
    if damage or read < expected - max(1, expected // 1000):
        problem = ""
        if read == 0:
            problem = f"{name}: the file is truncated{damage}: no audio could be decoded: re-export or re-copy it"
        return out[:filled], read / native_sr, expected / native_sr, damage, problem
    return out[:filled]


def _ffmpeg_rescue(path: Path, sr: int, name: str) -> np.ndarray | None:
    """What ffmpeg decodes of a damaged file (it skips past bad frames), or ``None`` without ffmpeg or audio."""
    if shutil.which("ffmpeg") is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            samples = _read_ffmpeg(path, sr, name)
    except AudioError:
        return None
    return samples if len(samples) else None


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


def _channel_weights(block: np.ndarray, name: str) -> np.ndarray | None:
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


def _read_ffmpeg(path: Path, sr: int, name: str) -> np.ndarray:
    """Decode any other format (m4a, aac, video soundtracks...) with the ffmpeg
    program, streamed as mono float32 at ``sr`` so memory stays bounded."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise AudioError(
            f"{name}: not a WAV/FLAC/OGG/MP3 file this tool can read alone, and other formats need ffmpeg, which is not installed: "
            "install ffmpeg (apt install ffmpeg / brew install ffmpeg) or convert the file to WAV"
        )
    cmd = [exe, "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-vn", "-sn", "-dn",
           "-ac", "1", "-ar", str(sr), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]  # fmt: skip
    parts: list[np.ndarray] = []
    with tempfile.TemporaryFile() as errfile:  # a file, not a pipe: ffmpeg never blocks on a full stderr
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errfile)
        except OSError as exc:
            raise AudioError(f"{name}: ffmpeg could not be started ({exc.strerror}): check the ffmpeg installation") from None
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
    detail = err.splitlines()[-1].replace(str(path), name)[:160] if err else f"exit status {code}"
    if code != 0 and len(samples) == 0:
        raise AudioError(f"{name}: not an audio file ffmpeg can decode ({detail}): check the file or convert it to WAV")
    if code != 0:
        warnings.warn(
            f"{name}: ffmpeg stopped early ({detail}); transcribing the {len(samples) / sr:.1f} s decoded", TranscribeWarning, stacklevel=3
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


#: A sample this close to full scale counts as clipped; more than :data:`CLIP_WARN_FRACTION`
#: of them and the recording is said to be clipped.
CLIP_LEVEL, CLIP_WARN_FRACTION = 0.999, 0.02


def _count_clipped(mono: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(mono) >= CLIP_LEVEL))


def _warn_clipped(name: str, n_clipped: int, n: int) -> None:
    """Say so when a recording is driven hard into clipping: its flattened waves read as
    other pitches to the pitch model (a G4 clipped to a near-square wave came out as G3)."""
    if n and n_clipped > CLIP_WARN_FRACTION * n:
        warnings.warn(
            f"{name}: {100 * n_clipped / n:.0f}% of the samples are clipped (at full scale): "
            "some notes may come out an octave off; record at a lower level",
            TranscribeWarning,
            stacklevel=4,
        )
