"""The command line, ``transcribe song.wav --musicxml``: with the web app, the only code that prints.

:mod:`.command` (the entry point :func:`main`), :mod:`.parser` (arguments to
:class:`transcribe.config.Options`), :mod:`.inputs` (files and folders in, output names out),
:mod:`.batch` (each input transcribed, its outputs staged and committed), :mod:`.console`
(printing and stopping on a signal). The formats are :mod:`transcribe.output.formats`'.
"""

from ..output.formats import DEFAULT_FORMATS, FORMATS, Format
from .command import main
from .inputs import AUDIO_SUFFIXES, expand_inputs, plan_stems
from .parser import EXIT_FAILED, EXIT_OK, EXIT_USAGE, build_parser

__all__ = [
    "AUDIO_SUFFIXES",
    "DEFAULT_FORMATS",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FORMATS",
    "Format",
    "build_parser",
    "expand_inputs",
    "main",
    "plan_stems",
]
