"""Engraving: MusicXML to SVG pages (verovio), PNG pages and one PDF (cairosvg, pypdf).

The page is A4 (210 x 297 mm) with a 7.2 mm staff (verovio's default staff
size, a common rastral size for parts). SVG and PNG pages are for the screen:
each page's height is cut to its music. PDF pages are for print: full A4.

Pages and file names: page 1 is ``name.svg`` / ``name.png``, further pages are
``name-2.svg``, ``name-3.svg``... (the same for PNG); the PDF holds every page.

verovio, cairosvg and pypdf are imported inside the functions, so importing
this module costs nothing.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from ..errors import OutputError
from .files import check_target, write_bytes_atomic

#: Page size in verovio units (tenths of a millimetre): A4 portrait.
PAGE_WIDTH, PAGE_HEIGHT = 2100, 2970
#: Page margins in tenths of a millimetre (left/right, top, bottom).
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 150, 120, 150
#: Resolution of PNG pages: 150 dpi makes an A4 page 1240 pixels wide.
PNG_DPI = 150

#: SMuFL metronome glyphs (verovio writes them in its music font, which
#: cairosvg cannot load) and what PNG/PDF draw instead in DejaVu Sans.
_SMUFL_TEXT = {
    "\ueca2": "whole note",  # metNoteWhole: no common font has the Unicode character
    "\ueca3": "half note",  # metNoteHalfUp: same
    "\ueca5": "\u2669",  # metNoteQuarterUp
    "\ueca7": "\u266a",  # metNote8thUp
    "\uecb7": ".",  # metAugmentationDot
    "\ue1d5": "\u2669",  # the same in the older "Individual notes" range
    "\ue1d7": "\u266a",
    "\ue1e7": ".",
}
_SMUFL_SPAN = re.compile(r'<tspan font-family="[^"]*" font-size="(\d+(?:\.\d+)?)px">([^<]*)</tspan>')
_FONT_FACE = re.compile(r'<style type="text/css">@font-face.*?</style>', re.DOTALL)


def _toolkit(musicxml: bytes, *, fit_height: bool) -> object:
    """A verovio toolkit with the score loaded and laid out."""
    import verovio

    # verovio (6.4) keeps its default resource path per thread, set only in the thread that
    # imported it: a toolkit made in any other thread (the web page's workers) finds no fonts
    # unless it is given the path itself (and made without loading them first).
    tk = verovio.toolkit(False)
    tk.setResourcePath(str(resources.files("verovio") / "data"))
    tk.setOptions(
        {
            "pageWidth": PAGE_WIDTH,
            "pageHeight": PAGE_HEIGHT,
            "pageMarginLeft": MARGIN_SIDE,
            "pageMarginRight": MARGIN_SIDE,
            "pageMarginTop": MARGIN_TOP,
            "pageMarginBottom": MARGIN_BOTTOM,
            "scale": 100,
            "mmOutput": True,  # width="210mm": real size in browsers, printers and cairosvg
            "adjustPageHeight": fit_height,
            "header": "auto",  # title on page 1
            "footer": "none",
            "breaks": "auto",
            "breaksNoWidow": True,
            "xmlIdChecksum": True,  # the same score gives the same SVG
        }
    )
    if not tk.loadData(musicxml.decode("utf-8")):
        raise OutputError("the score could not be engraved (verovio rejected the MusicXML): please report this with the input file")
    return tk


def engrave(musicxml: bytes, *, fit_height: bool = True) -> list[str]:
    """Engrave MusicXML into SVG pages.

    Args:
        musicxml: A MusicXML document (``Transcription.to_musicxml()``).
        fit_height: Cut each page's height to its music (for screens); with
            ``False`` every page is a full A4 page (for print).

    Returns:
        One SVG document per page, at least one.

    Raises:
        OutputError: If verovio cannot read the score.
    """
    tk = _toolkit(musicxml, fit_height=fit_height)
    count = max(1, int(tk.getPageCount()))  # type: ignore[attr-defined]
    return [tk.renderToSVG(i) for i in range(1, count + 1)]  # type: ignore[attr-defined]


def for_cairo(svg: str) -> str:
    """The SVG with its music-font text replaced by what cairo can draw.

    verovio draws notes, clefs and accidentals as paths, but the note in a
    tempo mark ("♩ = 100") is text in its embedded web font, which cairosvg
    ignores (it would print a box). The metronome glyphs become the Unicode
    note characters of the system's sans-serif font, and the font is dropped.
    """
    svg = _FONT_FACE.sub("", svg)

    def swap(match: re.Match[str]) -> str:
        text = match.group(2)
        if not any(ch in _SMUFL_TEXT for ch in text):
            return match.group(0)
        size = float(match.group(1)) * 0.75  # the music font's em is a staff height, a text em is smaller
        out = "".join(_SMUFL_TEXT.get(ch, ch) for ch in text).replace(" .", ".")  # "♩." not "♩ ."
        return f'<tspan font-family="DejaVu Sans" font-size="{size:.0f}px">{out}</tspan>'

    return _SMUFL_SPAN.sub(swap, svg)


def _cairosvg() -> object:
    try:
        import cairosvg
    except OSError as exc:  # cairocffi raises OSError when libcairo is missing
        raise OutputError(f"PNG and PDF need the cairo library ({exc}): install it, e.g. 'apt install libcairo2'") from None
    return cairosvg


def png_pages(svgs: Sequence[str], *, dpi: int = PNG_DPI) -> list[bytes]:
    """Rasterise SVG pages to PNG images on a white background."""
    cairosvg = _cairosvg()
    return [
        cairosvg.svg2png(bytestring=for_cairo(s).encode("utf-8"), dpi=dpi, background_color="white")  # type: ignore[attr-defined]
        for s in svgs
    ]


def pdf_document(svgs: Sequence[str]) -> bytes:
    """One PDF with a page per SVG page (vector, fonts as outlines or embedded by cairo)."""
    from pypdf import PdfReader, PdfWriter

    cairosvg = _cairosvg()
    writer = PdfWriter()
    for s in svgs:
        one = cairosvg.svg2pdf(bytestring=for_cairo(s).encode("utf-8"))  # type: ignore[attr-defined]
        for page in PdfReader(io.BytesIO(one)).pages:
            writer.add_page(page)
    writer.add_metadata({"/Producer": "transcribe (verovio, cairosvg, pypdf)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_paths(path: str | os.PathLike[str], count: int) -> list[Path]:
    """File names of ``count`` pages: ``name.ext``, ``name-2.ext``, ``name-3.ext``..."""
    p = Path(path)
    return [p] + [p.with_name(f"{p.stem}-{i}{p.suffix}") for i in range(2, count + 1)]


def write_pages(path: str | os.PathLike[str], pages: Sequence[bytes], *, force: bool = False) -> list[Path]:
    """Write pages atomically as ``name.ext``, ``name-2.ext``...; refuses to overwrite unless ``force``."""
    targets = page_paths(path, len(pages))
    for p in targets:  # every page is checked before the first is written
        check_target(p, force=force)
    return [write_bytes_atomic(p, data, force=force) for p, data in zip(targets, pages)]
