"""Reading audio from a path, bytes or a file object: the entry points :func:`load` and :func:`load_data`,
and the early refusal of files that are not audio (:func:`sniff_not_audio`).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from pathlib import Path

from ..errors import AudioError
from ..types import Audio
from .decode import read_soundfile
from .ffmpeg import read_ffmpeg
from .samples import sanitize
from .streams import copy_stream

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
            copy_stream(fh, copy, name)
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
        copy_stream(source, copy, name)
        return _load_regular(copy, sr, name)


def _load_regular(p: Path, sr: int, name: str) -> Audio:
    """Read a regular, non-empty file; ``name`` is what messages call it."""
    kind = sniff_not_audio(p, name)
    if kind is not None:
        raise AudioError(f"{name}: is {kind}, not audio: give a recording (WAV, FLAC, MP3, M4A...)")
    samples = read_soundfile(p, sr, name)
    if samples is None:
        samples = read_ffmpeg(p, sr, name)
    return Audio(samples=sanitize(samples, name), sr=sr)


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
