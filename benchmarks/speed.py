"""Speed benchmark: the whole CLI process, cold, on a 3-minute 44.1 kHz WAV.

    python -m benchmarks.speed [--runs 5] [--no-peer] [--lengths 1,3,10]

Prints, as medians of ``--runs`` fresh processes: wall time and peak memory of
``transcribe song.wav --musicxml --midi`` (default backend), of basic-pitch on
the same file in the same run (its own venv, ``benchmarks/setup_peers.sh``;
skipped with a message when absent), the ratio, ``transcribe --help``, and the
wall time for several lengths to show time grows linearly.

The package's bytecode is compiled first (``compileall``), as ``pip install``
does: with ``PYTHONDONTWRITEBYTECODE=1`` (set on the project's machines) an
editable checkout would otherwise recompile every module in every run, about
0.1 s that no installed copy pays.

The audio is a synthetic melody (``tests/synth.py``) with vibrato and white
noise at 30 dB SNR, seeded, written once to ``benchmarks/data/speed/``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "speed"
BP_PYTHON = ROOT / "benchmarks" / ".venv-bp" / "bin" / "python"
SR = 44100


def make_song(minutes: float) -> Path:
    """A seeded synthetic melody of ``minutes`` minutes at 44.1 kHz, 16-bit mono."""
    path = DATA / f"song_{minutes:g}min.wav"
    if path.exists():
        return path
    from tests.synth import ODE_TO_JOY, melody, render

    DATA.mkdir(parents=True, exist_ok=True)
    seconds = minutes * 60.0
    tune_s = sum(q for _, q in ODE_TO_JOY) * 60.0 / 100.0
    notes = melody(ODE_TO_JOY * (int(seconds / tune_s) + 1), bpm=100.0)
    y = render([n for n in notes if n[1] < seconds - 0.6], vibrato_cents=15.0, noise_db=30.0, seed=0)
    y = np.clip(y[: int(seconds * SR)], -1.0, 1.0)
    sf.write(path, y, SR, subtype="PCM_16", format="WAV")
    return path


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run a command in a fresh process; its wall time (s) and peak RSS (MiB), via GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as out:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd]
        subprocess.run(full, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, kb = out.read().split()[-2:]
    return float(wall), float(kb) / 1024.0


def ours(wav: Path) -> list[str]:
    outdir = tempfile.mkdtemp(prefix="speed-")
    return [sys.executable, "-m", "transcribe", str(wav), "--musicxml", "--midi", "-o", outdir, "-q"]


def basic_pitch(wav: Path) -> list[str]:
    outdir = tempfile.mkdtemp(prefix="speed-bp-")
    code = (
        "import logging,sys;logging.disable(logging.WARNING);"
        "from basic_pitch import ICASSP_2022_MODEL_PATH;from basic_pitch.inference import predict_and_save;"
        "predict_and_save([sys.argv[1]],sys.argv[2],True,False,False,False,ICASSP_2022_MODEL_PATH)"
    )
    return [str(BP_PYTHON), "-c", code, str(wav), outdir]


def median_run(cmd_of, wav: Path, runs: int) -> tuple[float, float]:
    results = [timed(cmd_of(wav)) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.speed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-peer", action="store_true", help="skip basic-pitch")
    ap.add_argument("--lengths", default="1,3,10", help="minutes, comma separated, for the linearity rows")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    compileall.compile_dir(ROOT / "transcribe", quiet=1)
    song = make_song(3)
    print(f"file: {song.relative_to(ROOT)} (3 min, 44.1 kHz, 16-bit mono); {args.runs} runs each, medians; {os.cpu_count()} cores")
    wall, mib = median_run(ours, song, args.runs)
    print(f"transcribe (swift, MusicXML + MIDI): {wall:.2f} s wall, {mib:.0f} MiB peak")
    if not args.no_peer and BP_PYTHON.exists():
        bp_wall, bp_mib = median_run(basic_pitch, song, max(1, min(args.runs, 3)))
        print(f"basic-pitch (ONNX, MIDI):          {bp_wall:.2f} s wall, {bp_mib:.0f} MiB peak")
        print(f"ratio basic-pitch / transcribe:    {bp_wall / wall:.1f}x")
    elif not args.no_peer:
        print("basic-pitch: not installed (bash benchmarks/setup_peers.sh)")
    help_wall, _ = median_run(lambda _: [sys.executable, "-m", "transcribe", "--help"], song, args.runs)
    print(f"transcribe --help:                 {help_wall:.2f} s wall")
    print("length  wall s  s per audio minute")
    for minutes in (float(x) for x in args.lengths.split(",")):
        wav = make_song(minutes)
        w, _ = median_run(ours, wav, max(1, args.runs // 2))
        print(f"{minutes:5g}  {w:7.2f}  {w / minutes:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
