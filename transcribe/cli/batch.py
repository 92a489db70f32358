"""A batch of inputs: each transcribed and its outputs staged, then committed together; one bad file does not stop the others."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Options
from ..errors import TranscribeError
from ..output.formats import Format

if TYPE_CHECKING:  # pragma: no cover
    from ..output.engraver import Engraver
from .console import STOP_SIGNALS, Stop, _err, _printable, _say, _stderr_is_terminal
from .inputs import STDIN_NAME, _shown, plan_stems
from .parser import EXIT_FAILED, EXIT_OK


def run_batch(
    items: list[tuple[Path, str | None]],
    chosen: list[Format],
    outdir: Path,
    opts: Options,
    args: argparse.Namespace,
    *,
    engraver: Engraver | None = None,
    stop: Stop | None = None,
) -> int:
    """Transcribe every input in turn; the exit status. Output folders this run had to make are
    removed again where it leaves them empty (every input failed)."""
    made = _missing_folders(outdir)
    try:
        return _run_inputs(items, chosen, outdir, opts, args, engraver=engraver, stop=stop)
    finally:
        for folder in made:  # deepest first; a folder holding anything stays
            with contextlib.suppress(OSError):
                folder.rmdir()


def _missing_folders(outdir: Path) -> list[Path]:
    """``outdir`` and those of its parent folders that do not exist yet, deepest first."""
    out: list[Path] = []
    folder = outdir.absolute()
    while not folder.exists() and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _run_inputs(
    items: list[tuple[Path, str | None]],
    chosen: list[Format],
    outdir: Path,
    opts: Options,
    args: argparse.Namespace,
    *,
    engraver: Engraver | None,
    stop: Stop | None,
) -> int:
    failed: list[Path] = []
    done = 0
    stems = iter(plan_stems([p for p, _ in items], chosen, outdir))
    inputs = {p.resolve() for p, problem in items if problem is None and str(p) != "/dev/stdin"}
    start = time.monotonic()
    bar = None
    if len(items) > 1 and not args.quiet and _stderr_is_terminal():
        from tqdm import tqdm

        bar = tqdm(total=len(items), file=sys.stderr, unit="file", dynamic_ncols=True, leave=False, mininterval=0)
    # With a bar, lines go through tqdm.write (to stderr) so they print above the bar, not through it.
    say = (lambda msg: bar.write(_printable(msg), file=sys.stderr)) if bar is not None else _say
    err = (lambda msg: bar.write(_printable(f"transcribe: error: {msg}"), file=sys.stderr)) if bar is not None else _err
    try:
        for path, problem in items:
            stem = next(stems)
            if bar is not None:
                bar.set_description_str(_printable(path.name))
            if problem is not None:
                err(problem)
                failed.append(path)
            else:
                ok = _process(
                    path, stem, outdir, chosen, opts, force=args.force, quiet=args.quiet, say=say, err=err, engraver=engraver, inputs=inputs
                )
                done += ok
                if not ok:
                    failed.append(path)
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        how = "interrupted" if stop is None or stop.signum in (0, signal.SIGINT) else f"stopped by {signal.Signals(stop.signum).name}"
        _err(f"{how}: {done} file(s) finished, the rest not started; no partial output was left")
        return stop.status if stop is not None else 130
    if bar is not None:
        bar.close()
    if not args.quiet and len(items) > 1:
        _say(_summary(done, failed, time.monotonic() - start))
    return EXIT_FAILED if failed else EXIT_OK


def _summary(done: int, failed: list[Path], seconds: float) -> str:
    """The last line of a batch run: counts, time, and the inputs that failed."""
    line = f"transcribe: {done} of {done + len(failed)} done in {seconds:.1f} s"
    if failed:
        names = ", ".join(_shown(p) for p in failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
        line += f"; {len(failed)} failed: {names}"
    return line


def _process(
    path: Path,
    stem: str,
    outdir: Path,
    formats: list[Format],
    opts: Options,
    *,
    force: bool,
    quiet: bool,
    say: Callable[[str], object] = _say,
    err: Callable[[str], object] = _err,
    engraver: Engraver | None = None,
    inputs: set[Path] | frozenset[Path] = frozenset(),
) -> bool:
    """Transcribe one input and write its outputs; report problems as one line each.

    Every output is first written into a hidden folder in ``outdir`` and moved into place
    only when all of them are made, so a failed or stopped input leaves nothing new and
    no mix with an earlier run's files. With an ``engraver``, the MusicXML and MIDI are
    made in its helper process.
    """
    from ..output.files import check_target
    from ..pipeline import transcribe
    from ..result import report_line

    stage: Path | None = None
    try:
        for f in formats:
            check_target(outdir / f"{stem}{f.suffix}", force=force)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = transcribe(path, **vars(opts))
        for w in caught:
            if not quiet:
                say(f"transcribe: warning: {w.message}")
        if engraver is not None and any(f.score for f in formats):
            rendered = engraver.render(
                result.written,
                result.rhythm,
                key=result.key,
                title=result.title,
                composer=opts.composer,
                midi_timing=opts.midi_timing,
            )
            if rendered is not None:
                result.use_rendered(*rendered)
        stage = _stage_folder(outdir, stem)
        staged: list[Path] = []
        for f in formats:
            out = f.write(result, stage / f"{stem}{f.suffix}", False)
            staged.extend(out if isinstance(out, list) else [out])
        written = _commit(staged, outdir, force=force, inputs=inputs)
        stale = _stale_pages(outdir, stem, formats, written, inputs)
    except TranscribeError as exc:
        err(str(exc))
        return False
    except Exception as exc:  # a bug, not the user's fault: one line, then go on with the other inputs
        err(f"{_shown(path)}: internal error ({type(exc).__name__}: {exc}): please report it with the input file")
        return False
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    if not quiet:
        say(report_line(result).replace("/dev/stdin: ", f"{STDIN_NAME}: ", 1))
        for p in written:
            say(f"  wrote {p}")
        for p in stale:
            say(f"transcribe: warning: {p}: looks like a page left from an earlier run (this score has fewer pages): delete it if so")
    return True


def _stage_folder(outdir: Path, stem: str) -> Path:
    """A hidden folder in ``outdir`` where an input's outputs are made before they move in."""
    from ..errors import OutputError

    try:
        return Path(tempfile.mkdtemp(prefix=f".{stem}.", suffix=".part", dir=outdir))
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot write in the output folder ({exc.strerror or exc}): choose another -o folder") from None


def _commit(staged: list[Path], outdir: Path, *, force: bool, inputs: set[Path] | frozenset[Path]) -> list[Path]:
    """Move staged files into ``outdir``: all of them, after checking every target first.

    Stop signals wait until the moves are done, so an input's outputs are never half replaced.
    """
    from ..errors import OutputError

    targets = [outdir / p.name for p in staged]
    for t in targets:
        if t.resolve() in inputs:  # the plan prevents it; never replace a recording, whatever happens
            raise OutputError(f"{t}: is an input of this run: choose another -o folder")
        if t.is_dir():
            raise OutputError(f"{t}: is a folder, not a file: choose another output name")
        if t.exists() and not force:
            raise OutputError(f"{t}: already exists: pass --force to overwrite it, or choose another -o folder")
    blocked = set(STOP_SIGNALS)
    masked = threading.current_thread() is threading.main_thread()
    if masked:
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        for p, t in zip(staged, targets):
            with contextlib.suppress(OSError):
                os.chmod(p, t.stat().st_mode & 0o777)  # a replaced file keeps its permissions
            os.replace(p, t)
    except OSError as exc:
        raise OutputError(f"{t}: cannot be written ({exc.strerror or exc}): check the output folder") from None
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
    return targets


def _stale_pages(outdir: Path, stem: str, formats: list[Format], written: list[Path], inputs: set[Path] | frozenset[Path]) -> list[Path]:
    """Files named as further pages of this score (``<stem>-3.svg`` after a 2-page score): left by
    an earlier run, most likely. Reported, not removed: they are not this run's targets, and a
    recording once named ``<stem>-3`` may have written one."""
    stale: list[Path] = []
    mine = set(written)
    for f in formats:
        if not f.pages:
            continue
        n = 2
        while (outdir / f"{stem}-{n}{f.suffix}") in mine:
            n += 1
        while (p := outdir / f"{stem}-{n}{f.suffix}").is_file() and p.resolve() not in inputs:
            stale.append(p)
            n += 1
    return stale
