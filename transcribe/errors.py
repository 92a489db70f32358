"""The one exception family of the package.

Every error a user can cause (bad file, bad option, missing model, unwritable
output) is a :class:`TranscribeError`; its message is one line that names the
culprit and says how to fix it, so the CLI can print it as is.
"""

from __future__ import annotations


class TranscribeError(Exception):
    """Base class of every error the package raises on purpose."""


class AudioError(TranscribeError):
    """The input audio cannot be read or is unusable."""


class ModelError(TranscribeError):
    """A pitch model cannot be loaded or run."""


class OptionError(TranscribeError, ValueError):
    """An option value is out of range or malformed."""


class OutputError(TranscribeError):
    """An output file cannot be written."""


class TranscribeWarning(UserWarning):
    """A recoverable problem with the input (silence, repaired samples...)."""
