"""Decoding anything soundfile cannot read (m4a, aac, video soundtracks) with the ``ffmpeg`` program,
streamed through a pipe as mono float32 at the wanted rate.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ..errors import AudioError, TranscribeWarning
from .streams import PIPE_BLOCK_BYTES


def ffmpeg_rescue(path: Path, sr: int, name: str) -> np.ndarray | None:
    """What ffmpeg decodes of a damaged file (it skips past bad frames), or ``None`` without ffmpeg or audio."""
    if shutil.which("ffmpeg") is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            samples = read_ffmpeg(path, sr, name)
    except AudioError:
        return None
    return samples if len(samples) else None


def read_ffmpeg(path: Path, sr: int, name: str) -> np.ndarray:
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
