"""Pipes, devices and file objects: copied to a temporary file, at most :data:`MAX_STREAM_BYTES`."""

from __future__ import annotations

from pathlib import Path

from ..errors import AudioError

#: Bytes read per block from ffmpeg's pipe.
PIPE_BLOCK_BYTES = 1 << 20


#: Most bytes read from a pipe, a device or a file object (2 GiB: over three hours of CD audio),
#: so an endless stream is refused instead of filling the disk.
MAX_STREAM_BYTES = 2 << 30


def copy_stream(fh: object, dest: Path, name: str) -> None:
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
