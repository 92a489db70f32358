"""``transcribe song.wav``: the command's entry point, :func:`main`."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OptionError
from ..output.formats import DEFAULT_FORMATS, FORMATS

if TYPE_CHECKING:  # pragma: no cover
    pass
from .batch import run_batch
from .console import Stop, _err
from .inputs import expand_inputs
from .parser import EXIT_USAGE, _options, build_parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line. Returns the exit status (0 ok, 1 some input failed, 2 usage, 128+N a signal)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["serve"]:  # the web page (transcribe/web); a file named "serve" is ./serve
        from ..web.serve import main as serve

        return serve(argv[1:])
    with Stop() as stop:
        try:
            return _main(argv, stop)
        except KeyboardInterrupt:
            _err("interrupted before any file was started; nothing was written")
            return stop.status


def _main(argv: Sequence[str] | None, stop: Stop) -> int:
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
            from ..output.engraver import Engraver, import_in_background

            if Engraver.available():
                try:
                    engraver = Engraver()  # music21 in a helper process, out of this one's GIL
                except OSError:  # no process to spare (a process limit): the thread below instead
                    engraver = None
            if engraver is None and "music21" not in sys.modules:
                warm_up = import_in_background()  # while the first file's pitch model runs
        return run_batch(items, chosen, outdir, opts, args, engraver=engraver, stop=stop)
    finally:
        if warm_up is not None:
            warm_up.join()  # an import must not be cut off by the interpreter's exit
        if engraver is not None:
            engraver.close()
