"""The output formats: each one's flag, file suffix and writer, in the order they are written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Transcription


@dataclass(frozen=True)
class Format:
    """An output format: its flag, file suffix and how to write it.

    ``write`` returns the path written, or a list of paths (one per page);
    ``score`` says whether it needs the music21 score.
    """

    flag: str
    suffix: str
    write: Callable[[Transcription, Path, bool], Path | list[Path]]
    help: str
    score: bool = True
    pages: bool = False


def _w_musicxml(t: Transcription, p: Path, force: bool) -> Path:
    return t.write_musicxml(p, force=force)


def _w_midi(t: Transcription, p: Path, force: bool) -> Path:
    return t.write_midi(p, force=force)


def _w_svg(t: Transcription, p: Path, force: bool) -> list[Path]:
    return t.write_svg(p, force=force)


def _w_png(t: Transcription, p: Path, force: bool) -> list[Path]:
    return t.write_png(p, force=force)


def _w_pdf(t: Transcription, p: Path, force: bool) -> Path:
    return t.write_pdf(p, force=force)


def _w_csv(t: Transcription, p: Path, force: bool) -> Path:
    return t.write_csv(p, force=force)


def _w_plot(t: Transcription, p: Path, force: bool) -> Path:
    return t.write_plot(p, force=force)


#: Output formats in the order they are written. The first two are the default.
FORMATS: tuple[Format, ...] = (
    Format("musicxml", ".musicxml", _w_musicxml, "write MusicXML (OUTDIR/<name>.musicxml)"),
    Format("midi", ".mid", _w_midi, "write MIDI (OUTDIR/<name>.mid)"),
    Format("svg", ".svg", _w_svg, "engrave the score as SVG, a file per page (<name>.svg, <name>-2.svg...)", pages=True),
    Format("png", ".png", _w_png, "engrave the score as PNG at 150 dpi, a file per page (<name>.png, <name>-2.png...)", pages=True),
    Format("pdf", ".pdf", _w_pdf, "engrave the score as one PDF of A4 pages (<name>.pdf)"),
    Format("csv", ".csv", _w_csv, "write the note list: time, pitch, name, cents, measure, beat, length (<name>.csv)", score=False),
    Format("plot", ".plot.png", _w_plot, "draw spectrogram, pitch track and notes, 1600x800 px (<name>.plot.png)", score=False),
)
DEFAULT_FORMATS = ("musicxml", "midi")
