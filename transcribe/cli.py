"""Command line: ``transcribe song.wav --musicxml``. The only module that prints."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import BACKENDS, DEFAULT_CONFIDENCE, MIDI_TIMINGS, ONSETS, TUNINGS, Options
from .errors import OptionError, TranscribeError
from .output.formats import DEFAULT_FORMATS, FORMATS, Format

if TYPE_CHECKING:  # pragma: no cover
    from .output.engraver import Engraver
    from .result import Transcription

#: File suffixes treated as audio when a folder is given.
AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".aif", ".aiff", ".wma", ".mp4", ".mov", ".mkv", ".webm"}
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


EXAMPLES = """examples:
  transcribe song.wav                     MusicXML + MIDI into output/
  transcribe song.wav --musicxml -o out/  only MusicXML, into out/
  transcribe song.wav --pdf --png         the engraved score as PDF and PNG
  transcribe song.wav --plot --csv        a picture of what was heard, and the note list
  transcribe song.wav --all               every format
  transcribe hum.m4a --key "G major" --time-signature 3/4
  transcribe recordings/ -o scores/       every audio file in a folder
  transcribe - < song.wav                 read a pipe (outputs named stdin.*)
  transcribe take.wav --pitch pyin --confidence 0.4 --force
  transcribe serve                        the web page: record or drop a file (transcribe serve --help)

exit status: 0 all inputs done, 1 some input failed (the others are still done),
             2 usage error (a bad flag or option value, e.g. --tempo 0),
             128+N stopped by signal N: 130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; defaults come from :class:`transcribe.config.Options`."""
    d = Options()
    ap = argparse.ArgumentParser(
        prog="transcribe",
        description="Turn a recording of a melody (voice, flute, violin...) into sheet music.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files or folders of audio files")
    ap.add_argument("-o", "--output", default="output", metavar="OUTDIR", help="output folder (default: output/)")
    fmt = ap.add_argument_group("output formats (default: MusicXML and MIDI)")
    for f in FORMATS:
        fmt.add_argument(f"--{f.flag}", action="store_true", help=f.help)
    fmt.add_argument("--all", action="store_true", help="write every format")
    ap.add_argument("--force", action="store_true", help="overwrite existing output files")
    ap.add_argument("--pitch", choices=BACKENDS, default=d.pitch, help=f"pitch backend (default: {d.pitch})")
    defaults = ", ".join(f"{k} {v}" for k, v in DEFAULT_CONFIDENCE.items())
    ap.add_argument("--confidence", type=float, default=None, metavar="X", help=f"voicing threshold 0-1 (default per backend: {defaults})")
    ap.add_argument(
        "--min-note", type=float, default=d.min_note_s, metavar="SEC", help=f"shortest note in seconds (default: {d.min_note_s})"
    )
    ap.add_argument("--tempo", type=float, default=None, metavar="BPM", help="quarter-note tempo (default: estimated)")
    ap.add_argument("--time-signature", default=None, metavar="N/D", help="time signature, e.g. 3/4 or 6/8 (default: estimated)")
    ap.add_argument("--key", default=None, metavar="KEY", help='key, e.g. "G major" or "E minor" (default: estimated)')
    ap.add_argument("--title", default=None, help="score title (default: from the file name)")
    ap.add_argument("--composer", default=None, metavar="TEXT", help="composer named on the score (default: none)")
    ap.add_argument(
        "--midi-timing",
        choices=MIDI_TIMINGS,
        default=d.midi_timing,
        help="MIDI notes where they sound in the recording, under a tempo map of its beats and bars (recording), "
        "or on the written grid at one tempo (score; default: %(default)s)",
    )
    ap.add_argument(
        "--tuning",
        choices=TUNINGS,
        default=d.tuning,
        help="round notes in the recording's own measured tuning (performance), to A440 semitones (a440), "
        "or in its own tuning only where the performance holds it steadily (auto; default: %(default)s)",
    )
    ap.add_argument(
        "--onsets",
        choices=ONSETS,
        default=d.onsets,
        help="put note onsets at the start of each attack (attack: instruments), where the pitch arrives "
        "or a sung syllable's vowel opens (pitch: singing), or choose from how steadily the recording "
        "holds its tuning (auto; default: %(default)s)",
    )
    ap.add_argument(
        "--spice-model",
        default=None,
        metavar="HANDLE",
        help="SPICE model: TF Hub URL or SavedModel folder (default: $TRANSCRIBE_SPICE_MODEL or TF Hub)",
    )
    ap.add_argument(
        "--spice-version", type=int, choices=(1, 2), default=None, help="SPICE calibration version (default: from the model handle)"
    )
    ap.add_argument("-q", "--quiet", action="store_true", help="print errors only (no report, no progress bar)")
    ap.add_argument("--version", action="version", version=f"transcribe {__version__}")
    return ap


def _options(args: argparse.Namespace) -> Options:
    return Options(
        pitch=args.pitch,
        confidence=args.confidence,
        min_note_s=args.min_note,
        tempo_bpm=args.tempo,
        time_signature=args.time_signature,
        key=args.key,
        title=args.title,
        composer=args.composer,
        midi_timing=args.midi_timing,
        tuning=args.tuning,
        onsets=args.onsets,
        spice_model=args.spice_model,
        spice_version=args.spice_version,
    )


#: How the CLI names standard input (``-``) in messages, and the stem of its outputs.
STDIN_NAME, STDIN_STEM = "<stdin>", "stdin"

#: Signals that stop a run cleanly; the exit status is 128 + the signal's number.
STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


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


def _printable(msg: str) -> str:
    """A message as one printable line: control characters (a newline in a file name) escaped,
    and a name's bytes shown as UTF-8 where they are (whatever the locale decoded them as)."""
    msg = msg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in msg)


def _print(msg: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr closed (a hung-up terminal): nothing to tell
        print(_printable(msg), file=sys.stderr)


def _err(msg: str) -> None:
    _print(f"transcribe: error: {msg}")


def _say(msg: str) -> None:
    _print(msg)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


class Stopped(KeyboardInterrupt):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) arrived. A subclass, not KeyboardInterrupt itself:
    CPython marks a bare KeyboardInterrupt that escapes an ``exec`` of source text (a dataclass
    being defined while a module imports) as unhandled, and then ends the process by SIGINT
    even though the CLI caught it (seen as exit -2 after a clean "stopped by SIGTERM")."""


class _Stop:
    """Turns SIGINT, SIGTERM and SIGHUP into one KeyboardInterrupt; remembers which came first.

    A second signal while the first is being handled is ignored (the run is already stopping).
    """

    def __init__(self) -> None:
        self.signum = 0
        self._old: dict[int, object] = {}

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for s in STOP_SIGNALS:
                self._old[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for s, old in self._old.items():
            signal.signal(s, old)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum:
            return
        self.signum = signum
        raise Stopped

    @property
    def status(self) -> int:
        return 128 + (self.signum or signal.SIGINT)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line. Returns the exit status (0 ok, 1 some input failed, 2 usage, 128+N a signal)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["serve"]:  # the web page (transcribe/web); a file named "serve" is ./serve
        from .web.serve import main as serve

        return serve(argv[1:])
    with _Stop() as stop:
        try:
            return _main(argv, stop)
        except KeyboardInterrupt:
            _err("interrupted before any file was started; nothing was written")
            return stop.status


def _main(argv: Sequence[str] | None, stop: _Stop) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 0 for --help/--version and 2 for usage errors
        return int(exc.code or 0)
    try:
        opts = _options(args)
    except OptionError as exc:
        _err(str(exc))
        return EXIT_USAGE
    chosen = [f for f in FORMATS if args.all or getattr(args, f.flag)]
    if not chosen:
        chosen = [f for f in FORMATS if f.flag in DEFAULT_FORMATS]
    if args.output == "":
        _err("-o '': an empty output folder name: give a folder, e.g. -o . for this one")
        return EXIT_USAGE
    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        _err(f"{outdir}: the output path is a file, not a folder: give a folder with -o")
        return EXIT_USAGE
    if opts.pitch == "spice":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not for users
    items = expand_inputs(args.inputs)
    warm_up = engraver = None
    try:
        if any(f.score for f in chosen) and any(problem is None for _, problem in items):
            from .output.engraver import Engraver, import_in_background

            if Engraver.available():
                try:
                    engraver = Engraver()  # music21 in a helper process, out of this one's GIL
                except OSError:  # no process to spare (a process limit): the thread below instead
                    engraver = None
            if engraver is None and "music21" not in sys.modules:
                warm_up = import_in_background()  # while the first file's pitch model runs
        return _run_batch(items, chosen, outdir, opts, args, engraver=engraver, stop=stop)
    finally:
        if warm_up is not None:
            warm_up.join()  # an import must not be cut off by the interpreter's exit
        if engraver is not None:
            engraver.close()


def _run_batch(
    items: list[tuple[Path, str | None]],
    chosen: list[Format],
    outdir: Path,
    opts: Options,
    args: argparse.Namespace,
    *,
    engraver: Engraver | None = None,
    stop: _Stop | None = None,
) -> int:
    """Transcribe every input in turn; the exit status."""
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
    from .output.files import check_target
    from .pipeline import transcribe

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
        say(_report(result).replace("/dev/stdin: ", f"{STDIN_NAME}: ", 1))
        for p in written:
            say(f"  wrote {p}")
        for p in stale:
            say(f"transcribe: warning: {p}: looks like a page left from an earlier run (this score has fewer pages): delete it if so")
    return True


def _stage_folder(outdir: Path, stem: str) -> Path:
    """A hidden folder in ``outdir`` where an input's outputs are made before they move in."""
    from .errors import OutputError

    try:
        return Path(tempfile.mkdtemp(prefix=f".{stem}.", suffix=".part", dir=outdir))
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot write in the output folder ({exc.strerror or exc}): choose another -o folder") from None


def _commit(staged: list[Path], outdir: Path, *, force: bool, inputs: set[Path] | frozenset[Path]) -> list[Path]:
    """Move staged files into ``outdir``: all of them, after checking every target first.

    Stop signals wait until the moves are done, so an input's outputs are never half replaced.
    """
    from .errors import OutputError

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


def _report(t: Transcription) -> str:
    """One line about a transcription: length, notes, tempo, meter, key and tuning."""
    pickup = f" with a {t.rhythm.pickup_q} quarter pickup" if t.rhythm.pickup_q > 0 else ""
    return (
        f"{t.source}: {t.duration_s:.1f} s, {len(t.notes)} notes, tempo {t.tempo_bpm:.0f} BPM, "
        f"{t.time_signature}{pickup}, {t.key}, {t.tuning_summary}"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
