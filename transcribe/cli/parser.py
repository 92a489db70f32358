"""The command line's arguments and how they become :class:`transcribe.config.Options`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .. import __version__
from ..config import BACKENDS, DEFAULT_CONFIDENCE, MIDI_TIMINGS, ONSETS, TUNINGS, Options
from ..output.formats import FORMATS

if TYPE_CHECKING:  # pragma: no cover
    pass


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
