"""Long input: wall time and peak memory of the whole CLI run on 1, 10 and 60 minutes.

Usage::

    .venv/bin/python -m benchmarks.long_input                 # 1, 10, 60 minutes
    .venv/bin/python -m benchmarks.long_input --minutes 1 10  # a subset
    .venv/bin/python -m benchmarks.long_input --stages        # per-stage time and memory

A melody (Ode to Joy at 120 BPM, harmonic tones as in ``tests/synth.py``) is
repeated to the wanted length and written to a 44.1 kHz 16-bit mono WAV one
note at a time, so the generator itself stays small. Each length is then
transcribed in a fresh subprocess (MusicXML + MIDI, as ``transcribe x.wav``
does) whose peak resident memory (``ru_maxrss``), wall time and CPU time are
printed (CPU time is the steadier figure on a busy machine).
With ``--stages`` the subprocess also reports the time of every pipeline
stage and the peak RSS reached by the end of it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SR = 44100
BPM = 120.0
LIMIT_MIB = 1536.0

#: Ode to Joy, (midi, quarters): the tune repeated for the long recording.
TUNE = [
    (66, 1), (66, 1), (67, 1), (69, 1), (69, 1), (67, 1), (66, 1), (64, 1),
    (62, 1), (62, 1), (64, 1), (66, 1), (66, 1.5), (64, 0.5), (64, 2),
    (66, 1), (66, 1), (67, 1), (69, 1), (69, 1), (67, 1), (66, 1), (64, 1),
    (62, 1), (62, 1), (64, 1), (66, 1), (64, 1.5), (62, 0.5), (62, 2),
]  # fmt: skip


def _tone(midi: int, n: int, sr: int) -> np.ndarray:
    """A harmonic tone of ``n`` samples (partials 1-6, short attack and release)."""
    t = np.arange(n) / sr
    f0 = 440.0 * 2.0 ** ((midi - 69) / 12.0)
    x = sum((0.6**k) * np.sin(2 * np.pi * (k + 1) * f0 * t) for k in range(6))
    dur = n / sr
    env = np.minimum(1.0, t / 0.015) * np.clip((dur - t) / 0.03, 0.0, 1.0) * np.exp(-0.4 * t)
    return (0.3 * x * env).astype(np.float32)


def write_long_wav(path: Path, minutes: float, *, sr: int = SR) -> int:
    """Write ``minutes`` of the repeated tune to ``path``; returns the number of notes."""
    import soundfile as sf

    q = 60.0 / BPM
    total = int(minutes * 60 * sr)
    written = 0
    count = 0
    cache: dict[tuple[int, int], np.ndarray] = {}
    with sf.SoundFile(str(path), "w", samplerate=sr, channels=1, subtype="PCM_16") as out:
        while written < total:
            for midi, quarters in TUNE:
                n = int(round(quarters * q * sr))
                sound = int(round((quarters * q - 0.04) * sr))
                key = (midi, sound)
                if key not in cache:
                    cache[key] = _tone(midi, sound, sr)
                block = np.zeros(n, dtype=np.float32)
                block[:sound] = cache[key]
                block = block[: total - written]
                out.write(block)
                written += len(block)
                count += 1
                if written >= total:
                    break
    return count


#: Run in the subprocess: transcribe with per-stage timing, write both formats.
CHILD = r"""
import json, resource, sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
t_start = time.perf_counter()
stages = []

def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

def timed(mod, name, label):
    fn = getattr(mod, name)
    def wrapper(*a, **k):
        t0, c0 = time.perf_counter(), cpu_s()
        out = fn(*a, **k)
        stages.append((label, time.perf_counter() - t0, cpu_s() - c0, rss_mib()))
        return out
    setattr(mod, name, wrapper)

from transcribe import audio, features, harmony, notes, pitch, pipeline, rhythm
if STAGES:
    timed(pipeline.audio_io, "load", "load+resample")
    timed(pipeline.pitch, "estimate", "pitch (swift)")
    timed(pipeline.features, "onset_strength", "onset strength")
    timed(pipeline.notes, "segment", "notes (Viterbi)")
    timed(pipeline.rhythm, "analyze", "rhythm")
    timed(pipeline.harmony, "estimate_key", "key")
    timed(pipeline, "write_notes", "write_notes")
src, out = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
result = pipeline.transcribe(src)
t_tr = time.perf_counter() - t0
for label, step in (("music21 score", lambda: result.score),
                    ("MusicXML", lambda: result.write_musicxml(out / "x.musicxml", force=True)),
                    ("MIDI", lambda: result.write_midi(out / "x.mid", force=True))):
    t0, c0 = time.perf_counter(), cpu_s()
    step()
    stages.append((label, time.perf_counter() - t0, cpu_s() - c0, rss_mib()))
print(json.dumps({"notes": len(result.notes), "transcribe_s": t_tr, "total_s": time.perf_counter() - t_start,
                  "cpu_s": cpu_s(), "peak_mib": rss_mib(), "stages": stages}))
"""


def measure(wav: Path, outdir: Path, *, stages: bool) -> dict:
    """Transcribe ``wav`` in a fresh interpreter; its JSON report plus the wall time."""
    code = CHILD.replace("STAGES", "True" if stages else "False")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(wav), str(outdir)], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"transcription of {wav} failed:\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["wall_s"] = wall
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table; exit 1 if a run exceeds the memory limit."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0, 60.0])
    ap.add_argument("--stages", action="store_true", help="print time and peak RSS after each stage")
    ap.add_argument("--keep", type=Path, default=None, help="folder for the WAVs (kept; default: a temporary folder)")
    args = ap.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="long_input_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for minutes in args.minutes:
            wav = folder / f"long_{minutes:g}min.wav"
            t0 = time.perf_counter()
            n_notes = write_long_wav(wav, minutes) if not wav.exists() else -1
            gen_s = time.perf_counter() - t0
            rep = measure(wav, Path(tmp), stages=args.stages)
            rows.append((minutes, rep))
            print(
                f"{minutes:g} min: wrote {wav.stat().st_size / 2**20:.0f} MiB WAV ({n_notes} notes) in {gen_s:.1f} s; "
                f"transcribed {rep['notes']} notes",
                flush=True,
            )
            if args.stages:
                for label, secs, cpu, peak in rep["stages"]:
                    print(f"    {label:<16} {secs:8.2f} s wall {cpu:8.2f} s CPU   peak so far {peak:7.0f} MiB", flush=True)
            ok &= rep["peak_mib"] < LIMIT_MIB
        print()
        print("| minutes | notes | wall s | CPU s | CPU s per audio min | peak RSS MiB |")
        print("|--:|--:|--:|--:|--:|--:|")
        for minutes, rep in rows:
            cells = [f"{minutes:g}", str(rep["notes"]), f"{rep['wall_s']:.1f}", f"{rep['cpu_s']:.1f}", f"{rep['cpu_s'] / minutes:.2f}"]
            print("| " + " | ".join([*cells, f"{rep['peak_mib']:.0f}"]) + " |")
    if not ok:
        print(f"FAIL: peak RSS above {LIMIT_MIB:.0f} MiB", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
