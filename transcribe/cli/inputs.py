"""What the command reads and what it names its outputs: files and folders in, one stem per input out."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..output.formats import Format

if TYPE_CHECKING:  # pragma: no cover
    pass


#: File suffixes treated as audio when a folder is given.
AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".aif", ".aiff", ".wma", ".mp4", ".mov", ".mkv", ".webm"}
)


#: How the CLI names standard input (``-``) in messages, and the stem of its outputs.
STDIN_NAME, STDIN_STEM = "<stdin>", "stdin"


def _path_problem(p: Path, *, in_folder: bool = False) -> str | None:
    """Why ``p`` cannot be read as an input (a missing file, a link loop...), or ``None``."""
    try:
        st = p.stat()
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return f"{p}: is a symbolic link loop: point the link at a real file"
        if p.is_symlink():
            return f"{p}: is a broken symbolic link (to {os.readlink(p)}): fix the link or give the file itself"
        if isinstance(exc, FileNotFoundError):
            return f"{p}: no such file: check the path"
        return f"{p}: cannot be read ({exc.strerror}): check its permissions"
    if in_folder and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        return f"{p}: is a pipe or device, not a file, so it is not read from a folder: give it on the command line"
    return None


def expand_inputs(inputs: Sequence[str]) -> list[tuple[Path, str | None]]:
    """Files to process, each with an error to report instead (or ``None``).

    Folders expand to the audio files directly inside them, sorted; a link there that
    leads nowhere, or a pipe, is reported, not skipped. ``-`` is standard input.
    """
    out: list[tuple[Path, str | None]] = []
    for raw in inputs:
        if raw == "-":
            out.append((Path("/dev/stdin"), None))
            continue
        p = Path(raw)
        if raw == "":
            out.append((p, "'': an empty input name: give a file or folder (or - for standard input)"))
        elif p.is_dir():
            entries = sorted(f for f in p.iterdir() if f.suffix.lower() in AUDIO_SUFFIXES and not f.is_dir())
            if not entries:
                out.append((p, f"{p}: the folder has no audio files ({', '.join(sorted(s[1:] for s in AUDIO_SUFFIXES))}): check the path"))
            out.extend((f, _path_problem(f, in_folder=True)) for f in entries)
        else:
            out.append((p, _path_problem(p)))
    return out


def _shown(p: Path) -> str:
    return STDIN_NAME if str(p) == "/dev/stdin" else str(p)


def plan_stems(paths: Sequence[Path], formats: Sequence[Format], outdir: Path) -> list[str]:
    """The output name (stem) of each input, planned for the whole batch before anything is written.

    No two inputs get outputs of one name, counting the pages ``<stem>-2.svg``... of paged
    formats, and no output lands on an input: a clash gives ``<stem>_2``, ``<stem>_3``...
    (never a stem another input has as its own name).
    """
    suffixes = [f.suffix for f in formats]
    paged = [f.suffix for f in formats if f.pages]
    taken: set[str] = set()  # exact output names claimed so far (and inputs inside outdir)
    page_of: list[re.Pattern[str]] = []  # page names claimed so far
    with contextlib.suppress(OSError):
        out_real = outdir.resolve()
        for p in paths:
            if p.parent.resolve() == out_real:
                taken.add(p.name)
    wanted = [STDIN_STEM if str(p) == "/dev/stdin" else p.stem for p in paths]
    all_wanted = set(wanted)

    def pages(stem: str) -> list[re.Pattern[str]]:
        return [re.compile(re.escape(stem) + r"-[0-9]+" + re.escape(sfx)) for sfx in paged]

    def clashes(stem: str, own: bool) -> bool:
        names = [stem + sfx for sfx in suffixes]
        if any(n in taken or any(rx.fullmatch(n) for rx in page_of) for n in names):
            return True
        if any(rx.fullmatch(n) for rx in pages(stem) for n in taken):
            return True
        if paged and own:  # "x-2" beside "x": x's page 2 has the better claim on the name
            m = re.fullmatch(r"(.*)-[0-9]+", stem)
            return m is not None and m.group(1) in all_wanted
        return False

    stems = []
    for stem in wanted:
        chosen = stem
        if clashes(stem, own=True):
            n = 2
            while f"{stem}_{n}" in all_wanted or clashes(f"{stem}_{n}", own=False):
                n += 1
            chosen = f"{stem}_{n}"
        taken.update(chosen + sfx for sfx in suffixes)
        page_of.extend(pages(chosen))
        stems.append(chosen)
    return stems
