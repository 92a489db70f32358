"""Which audio container an upload is, from its first bytes (never from its name)."""

from __future__ import annotations

#: Bytes an upload's head must hold for :func:`audio_kind` to decide.
HEAD_BYTES = 16

#: Containers the page accepts, and the suffix the decoder gets for each.
SUFFIXES = {"wav": ".wav", "aiff": ".aiff", "flac": ".flac", "ogg": ".ogg", "mp3": ".mp3", "m4a": ".m4a", "webm": ".webm"}

#: How the accepted formats are named in messages.
ACCEPTED = "WAV, FLAC, OGG, MP3, M4A or WebM"


def audio_kind(head: bytes) -> str | None:
    """The container of an audio file from its first :data:`HEAD_BYTES` bytes, a key of
    :data:`SUFFIXES`; ``None`` when they are not one of those.

    RIFF/WAVE, FORM/AIFF, fLaC, OggS, ID3 or an MPEG frame sync (MP3, and ADTS AAC),
    an ISO ``ftyp`` box (m4a/mp4) and the EBML header of WebM/Matroska (what a
    browser's MediaRecorder writes).
    """
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return None
