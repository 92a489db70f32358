"""transcribe: turn a recording of a melody into sheet music (MusicXML, MIDI...).

>>> import transcribe
>>> result = transcribe.transcribe("song.wav")          # doctest: +SKIP
>>> result.write_musicxml("song.musicxml")              # doctest: +SKIP

Heavy modules load on first use, so ``import transcribe`` and ``transcribe --help`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _early  # noqa: F401 - first: the command's stop signals from its first moment
from .errors import AudioError, ModelError, OptionError, OutputError, TranscribeError, TranscribeWarning

__version__ = "0.1.0"

__all__ = [
    "AudioError",
    "ModelError",
    "OptionError",
    "Options",
    "OutputError",
    "TranscribeError",
    "TranscribeWarning",
    "Transcription",
    "__version__",
    "transcribe",
]

if TYPE_CHECKING:  # pragma: no cover
    from .config import Options
    from .pipeline import transcribe
    from .result import Transcription


def __getattr__(name: str) -> Any:
    if name == "transcribe":
        from .pipeline import transcribe

        return transcribe
    if name == "Transcription":
        from .result import Transcription

        return Transcription
    if name == "Options":
        from .config import Options

        return Options
    raise AttributeError(f"module 'transcribe' has no attribute {name!r}")
