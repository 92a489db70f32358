"""Command line: ``transcribe song.wav --musicxml``. The only module that prints."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import BACKENDS, DEFAULT_CONFIDENCE, MIDI_TIMINGS, ONSETS, TUNINGS, Options
from .errors import OptionError, TranscribeError

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Transcription
    from .score import Engraver

#: File suffixes treated as audio when a folder is given.
AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".aif", ".aiff", ".wma", ".mp4", ".mov", ".mkv", ".webm"}
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
    Format("svg", ".svg", _w_svg, "engrave the score as SVG, a file per page (<name>.svg, <name>-2.svg...)"),
    Format("png", ".png", _w_png, "engrave the score as PNG at 150 dpi, a file per page (<name>.png, <name>-2.png...)"),
    Format("pdf", ".pdf", _w_pdf, "engrave the score as one PDF of A4 pages (<name>.pdf)"),
    Format("csv", ".csv", _w_csv, "write the note list: time, pitch, name, cents, measure, beat, length (<name>.csv)", score=False),
    Format("plot", ".plot.png", _w_plot, "draw spectrogram, pitch track and notes, 1600x800 px (<name>.plot.png)", score=False),
)
DEFAULT_FORMATS = ("musicxml", "midi")

EXAMPLES = """examples:
  transcribe song.wav                     MusicXML + MIDI into output/
  transcribe song.wav --musicxml -o out/  only MusicXML, into out/
  transcribe song.wav --pdf --png         the engraved score as PDF and PNG
  transcribe song.wav --plot --csv        a picture of what was heard, and the note list
  transcribe song.wav --all               every format
  transcribe hum.m4a --key "G major" --time-signature 3/4
  transcribe recordings/ -o scores/       every audio file in a folder
  transcribe take.wav --pitch pyin --confidence 0.4 --force
  transcribe serve                        the web page: record or drop a file (transcribe serve --help)

exit status: 0 all inputs done, 1 some input failed (the others are still done),
             2 usage error (a bad flag or option value, e.g. --tempo 0), 130 interrupted (Ctrl-C).
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


def expand_inputs(inputs: Sequence[str]) -> list[tuple[Path, str | None]]:
    """Files to process, each with an error to report instead (or ``None``).

    Folders expand to the audio files directly inside them, sorted.
    """
    out: list[tuple[Path, str | None]] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES)
            if not files:
                out.append((p, f"{p}: the folder has no audio files ({', '.join(sorted(s[1:] for s in AUDIO_SUFFIXES))}): check the path"))
            out.extend((f, None) for f in files)
        elif not p.exists():
            out.append((p, f"{p}: no such file: check the path"))
        else:
            out.append((p, None))
    return out


def _err(msg: str) -> None:
    print(f"transcribe: error: {msg}", file=sys.stderr)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line. Returns the exit status (0 ok, 1 some input failed, 2 usage)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["serve"]:  # the web page (transcribe/web); a file named "serve" is ./serve
        from .web.serve import main as serve

        return serve(argv[1:])
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
    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        _err(f"{outdir}: the output path is a file, not a folder: give a folder with -o")
        return EXIT_USAGE
    if opts.pitch == "spice":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not for users
    items = expand_inputs(args.inputs)
    warm_up = engraver = None
    if any(f.score for f in chosen) and any(problem is None for _, problem in items):
        from .score import Engraver, import_in_background

        if Engraver.available():
            try:
                engraver = Engraver()  # music21 in a helper process, out of this one's GIL
            except OSError:  # no process to spare (a process limit): the thread below instead
                engraver = None
        if engraver is None and "music21" not in sys.modules:
            warm_up = import_in_background()  # while the first file's pitch model runs
    try:
        return _run_batch(items, chosen, outdir, opts, args, engraver=engraver)
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
) -> int:
    """Transcribe every input in turn; the exit status."""
    failed: list[Path] = []
    done = 0
    stems: dict[str, int] = {}
    start = time.monotonic()
    bar = None
    if len(items) > 1 and not args.quiet and _stderr_is_terminal():
        from tqdm import tqdm

        bar = tqdm(total=len(items), file=sys.stderr, unit="file", dynamic_ncols=True, leave=False, mininterval=0)
    # With a bar, lines go through tqdm.write (to stderr) so they print above the bar, not through it.
    say = (lambda msg: bar.write(msg, file=sys.stderr)) if bar is not None else _say
    err = (lambda msg: bar.write(f"transcribe: error: {msg}", file=sys.stderr)) if bar is not None else _err
    try:
        for path, problem in items:
            if bar is not None:
                bar.set_description_str(path.name)
            if problem is not None:
                err(problem)
                failed.append(path)
            else:
                stem = path.stem
                stems[stem] = stems.get(stem, 0) + 1
                if stems[stem] > 1:  # two inputs with one name would write the same outputs ("-2" is a page 2)
                    stem = f"{stem}_{stems[stem]}"
                ok = _process(path, stem, outdir, chosen, opts, force=args.force, quiet=args.quiet, say=say, err=err, engraver=engraver)
                done += ok
                if not ok:
                    failed.append(path)
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        _err(f"interrupted: {done} file(s) finished, the rest not started; no partial output was left")
        return 130
    if bar is not None:
        bar.close()
    if not args.quiet and len(items) > 1:
        _say(_summary(done, failed, time.monotonic() - start))
    return EXIT_FAILED if failed else EXIT_OK


def _summary(done: int, failed: list[Path], seconds: float) -> str:
    """The last line of a batch run: counts, time, and the inputs that failed."""
    line = f"transcribe: {done} of {done + len(failed)} done in {seconds:.1f} s"
    if failed:
        names = ", ".join(str(p) for p in failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
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
) -> bool:
    """Transcribe one input and write its outputs; report problems as one line each.

    With an ``engraver``, the MusicXML and MIDI are made in its helper process.
    """
    from .export import check_target
    from .pipeline import transcribe

    targets = [(f, outdir / f"{stem}{f.suffix}") for f in formats]
    fresh = {t for _, t in targets if not t.exists()}  # outputs this input creates; removed again if it fails half-way
    written: list[Path] = []
    try:
        for _, target in targets:
            check_target(target, force=force)
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
        for f, target in targets:
            out = f.write(result, target, force)
            written.extend(out if isinstance(out, list) else [out])
    except TranscribeError as exc:
        _discard(written, fresh)
        err(str(exc))
        return False
    except (KeyboardInterrupt, SystemExit):
        _discard(written, fresh)
        raise
    except Exception as exc:  # a bug, not the user's fault: one line, then go on with the other inputs
        _discard(written, fresh)
        err(f"{path}: internal error ({type(exc).__name__}: {exc}): please report it with the input file")
        return False
    if not quiet:
        say(_report(result))
        for p in written:
            say(f"  wrote {p}")
    return True


def _discard(written: list[Path], fresh: set[Path]) -> None:
    """Remove the outputs a failed input created (files that existed before were never replaced)."""
    for p in written:
        if p in fresh:
            p.unlink(missing_ok=True)


def _report(t: Transcription) -> str:
    """One line about a transcription: length, notes, tempo, meter, key and tuning."""
    pickup = f" with a {t.rhythm.pickup_q} quarter pickup" if t.rhythm.pickup_q > 0 else ""
    return (
        f"{t.source}: {t.duration_s:.1f} s, {len(t.notes)} notes, tempo {t.tempo_bpm:.0f} BPM, "
        f"{t.time_signature}{pickup}, {t.key}, {t.tuning_summary}"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
