"""Build the reproducible *rendered* benchmark set: real corpus melodies played by FluidSynth.

Usage::

    python -m benchmarks.build_rendered [--seed 0] [--items 48] [--out benchmarks/data/rendered]
        [--jobs 2] [--force] [--variation fluidr3|varied|held-out|hall-check|auditorium|fast|faster|varied-dyn|auditorium-dyn|
         varied-vib|auditorium-vib]
        [--soundfont NAME,...] [--room TYPE,...] [--mic] [--expression]

By default every item is FluidR3 in FluidSynth's own reverb (the benchmark's ``rendered`` set).
A *variation* (:class:`benchmarks.rendered.variations.Variation`) instead draws, per item, a soundfont
from ``SOUNDFONTS``, a room from ``ROOMS`` (a seeded synthetic impulse response: exponentially decaying noise,
faster in the treble, dry to hall; or, for the ``auditorium``, a shoebox room of image sources and
per-band walls), a microphone colouring (EQ, high-pass, coloured noise) and
expressive playing (vibrato, slides, legato slurs, timing and dynamics; with ``-dyn``, the level also
moving inside held notes; with ``-vib``, also a wider vibrato that the level follows); see :data:`VARIATIONS`.
The ``held-out`` variation's soundfont and room are never used by a fit script.

Every choice (tune, instrument, tempo, transposition, length, articulation, velocities, noise)
comes from ``numpy.random.default_rng`` seeded with ``seed`` (and the item index), so the same
seed gives the same files.  Melodies come from the music21 corpus (Essen folksongs, Ryan's Mammoth
Collection, Bach chorale soprano lines).  Each item ``<id>`` is written as ``<id>.wav`` (44.1 kHz
mono, 16-bit), ``<id>.mid`` (the exact MIDI that was rendered) and ``<id>.json`` (ground truth,
see :func:`_truth_json`).  ``manifest.json`` lists the items and the build parameters.

This module renders and caches the sets; their parts live in :mod:`benchmarks.rendered`
(variations, corpus tunes and plans, the playing, rooms and microphones).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.rendered.corpus import INSTRUMENTS, NOISES, Event, Melody, key_name, loop_and_cut, plan_items
from benchmarks.rendered.performance import expressive, lead_ticks, midi_notes, note_dynamics
from benchmarks.rendered.rooms import coloured_noise, impulse_response, mic_colouring
from benchmarks.rendered.variations import (
    ROOMS,
    SOUNDFONT,
    SOUNDFONTS,
    SR,
    VARIATIONS,
    Variation,
    item_variation,
    parse_variation,
)
from benchmarks.smf import TICKS_PER_QUARTER, MidiNote, write_smf

BUILD_VERSION = 3
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "data" / "rendered"


def _truth_json(plan: dict[str, Any], events: list[Event], notes: list[MidiNote]) -> dict[str, Any]:
    """Ground truth: performance notes in seconds plus the written facts of every note."""
    mel: Melody = plan["melody"]
    us = plan["us_per_quarter"]

    def sec(tick: int) -> float:
        return tick * us / 1e6 / TICKS_PER_QUARTER

    rows = []
    for ev, mn in zip([e for e in events if e.midi], notes, strict=True):
        pos = ev.offset_q % mel.bar_q if ev.offset_q >= 0 else ev.offset_q + mel.bar_q
        measure = int((ev.offset_q // mel.bar_q) + 1) if ev.offset_q >= 0 else 0
        rows.append(
            {
                "onset_s": round(sec(mn.on_tick), 6),
                "offset_s": round(sec(mn.off_tick), 6),
                "midi": mn.key,
                "velocity": mn.velocity,
                "offset_q": str(ev.offset_q),
                "duration_q": str(ev.duration_q),
                "measure": measure,
                "beat": float(1 + pos / mel.beat_q),
                "pos_in_bar_q": str(pos),
            }
        )
    return {
        "id": plan["id"],
        "build_version": BUILD_VERSION,
        "source": mel.source,
        "source_path": plan["source_path"],
        "tune_number": plan["tune_number"],
        "title": mel.title,
        "instrument": plan["instrument"],
        "gm_program": INSTRUMENTS[plan["instrument"]][0],
        "noise": plan["noise"],
        "snr_db": NOISES[plan["noise"]],
        "tempo_bpm": plan["tempo_bpm"],
        "us_per_quarter": us,
        "time_signature": mel.time_signature,
        "key": key_name(mel.key_tonic, mel.key_mode),
        "key_sharps": mel.key_sharps,
        "key_source": mel.key_source,
        "pickup_q": str(mel.pickup_q),
        "n_bars": plan["n_bars"],
        "lead_s": round(sec(lead_ticks(plan)), 6),
        "transpose_interval": plan["interval"],
        "transpose_semitones": plan["transpose_semitones"],
        "sample_rate": SR,
        "notes": rows,
    }


def synthesize(mid: Path, soundfont: str, *, own_reverb: bool) -> np.ndarray:
    """A MIDI file played by FluidSynth with one of :data:`SOUNDFONTS`, mono at :data:`SR`,
    shape (n,); ``own_reverb=False`` turns FluidSynth's reverb and chorus off (a room is
    convolved in instead)."""
    import soundfile as sf

    effects = [] if own_reverb else ["-R", "0", "-C", "0"]
    font = str(SOUNDFONTS[soundfont])
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        cmd = ["fluidsynth", "-ni", "-q", *effects, "-F", str(raw), "-r", str(SR), "-O", "float", "-T", "wav", font, str(mid)]
        subprocess.run(cmd, check=True, capture_output=True)
        audio, sr = sf.read(raw, dtype="float64", always_2d=True)
    assert sr == SR
    return audio.mean(axis=1)


def render_item(plan: dict[str, Any], out_dir: Path, variation: Variation = Variation()) -> str:
    """Write the MIDI, render it with FluidSynth, add seeded noise and write wav + truth JSON
    (the plan played at the variation's tempo, :meth:`Variation.played`)."""
    import soundfile as sf

    plan = variation.played(plan)
    mel: Melody = plan["melody"]
    events = loop_and_cut(mel, plan["n_bars"])
    notes = midi_notes(plan, events)
    controls: list[tuple[int, bytes]] = []
    if variation.expression:
        notes, controls = expressive(plan, notes)
    if variation.dynamics:
        controls = note_dynamics(plan, notes, controls, vibrato_level=variation.vibrato_level)
    chosen = item_variation(plan, variation)
    mid = out_dir / f"{plan['id']}.mid"
    num, den = (int(x) for x in mel.time_signature.split("/"))
    ticks_per_s = 1e6 / plan["us_per_quarter"] * TICKS_PER_QUARTER
    write_smf(
        mid,
        notes,
        us_per_quarter=plan["us_per_quarter"],
        program=INSTRUMENTS[plan["instrument"]][0],
        time_signature=(num, den),
        key_sharps=mel.key_sharps,
        minor=mel.key_mode == "minor",
        end_tick=max(n.off_tick for n in notes) + round(1.5 * ticks_per_s),
        controls=controls,
    )
    x = synthesize(mid, chosen["soundfont"], own_reverb=chosen["room"] == "none")
    if chosen["room"] != "none":
        from scipy.signal import fftconvolve

        room_rng = np.random.default_rng([plan["item_seed"], 4])
        x = fftconvolve(x, impulse_response(chosen["room"], room_rng))[: len(x)]
    if variation.mic:
        x = mic_colouring(x, np.random.default_rng([plan["item_seed"], 5]))
    x = x / max(1e-9, float(np.max(np.abs(x)))) * 0.7
    snr = NOISES[plan["noise"]]
    if snr is not None:
        rng = np.random.default_rng([plan["item_seed"], 1])
        p_sig = float(np.mean(x**2))
        noise = coloured_noise(len(x), chosen["noise_colour"], rng) * math.sqrt(p_sig / 10 ** (snr / 10))
        x = x + noise
        x = x / max(1.0, float(np.max(np.abs(x))) / 0.99)
    sf.write(out_dir / f"{plan['id']}.wav", x.astype(np.float32), SR, subtype="PCM_16")
    truth = _truth_json(plan, events, notes)
    if not variation.is_default:
        truth.update(chosen)
        truth["variation"] = variation.tag.lstrip("-")
    (out_dir / f"{plan['id']}.json").write_text(json.dumps(truth, indent=1))
    return plan["id"]


def _render_star(args: tuple[dict[str, Any], Path, Variation]) -> str:
    return render_item(*args)


def default_dir(seed: int, root: Path = DEFAULT_OUT, variation: Variation = Variation()) -> Path:
    """Cache folder of the set built from ``seed`` (and ``variation``)."""
    return root / f"seed{seed}{variation.tag}"


def _variation_record(variation: Variation) -> dict[str, Any] | None:
    """The variation as its manifest stores it (the tempo only where it is not the plan's, and the
    held notes' dynamics flags only where set, as the sets built before them were recorded)."""
    if variation.is_default:
        return None
    record = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(variation).items()}
    if record["tempo_scale"] == 1.0:
        del record["tempo_scale"]
    for flag in ("dynamics", "vibrato_level"):
        if not record[flag]:
            del record[flag]
    return record


def is_built(out_dir: Path, seed: int, n_items: int, variation: Variation = Variation()) -> bool:
    """True if ``out_dir`` holds a complete set built by this builder version with these settings."""
    man = out_dir / "manifest.json"
    if not man.exists():
        return False
    try:
        m = json.loads(man.read_text())
    except json.JSONDecodeError:
        return False
    return (
        m.get("build_version") == BUILD_VERSION
        and m.get("seed") == seed
        and m.get("n_items") == n_items
        and m.get("variation") == _variation_record(variation)
        and all((out_dir / f"{i}.wav").exists() for i in m.get("items", []))
    )


def build(
    seed: int = 0,
    n_items: int = 48,
    out_root: Path = DEFAULT_OUT,
    jobs: int = 2,
    force: bool = False,
    verbose: bool = True,
    variation: Variation = Variation(),
) -> Path:
    """Build (or reuse) the rendered set for ``seed`` (and ``variation``); return its folder."""
    out_dir = default_dir(seed, out_root, variation)
    if not force and is_built(out_dir, seed, n_items, variation):
        return out_dir
    if shutil.which("fluidsynth") is None or not SOUNDFONT.exists():
        raise RuntimeError("fluidsynth and the FluidR3_GM soundfont are needed to build the rendered set")
    missing = [name for name in variation.soundfonts if not SOUNDFONTS[name].exists()]
    if missing:
        raise RuntimeError(f"soundfont(s) {', '.join(missing)} not installed: apt-get install the package named in SOUNDFONTS")
    t0 = time.perf_counter()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    plans = plan_items(seed, n_items)
    if verbose:
        print(f"planned {len(plans)} items in {time.perf_counter() - t0:.1f}s; rendering...", file=sys.stderr)
    with Pool(max(1, jobs)) as pool:
        ids = pool.map(_render_star, [(p, out_dir, variation) for p in plans])
    manifest = {
        "build_version": BUILD_VERSION,
        "seed": seed,
        "n_items": n_items,
        "soundfont": str(SOUNDFONT),
        **({"variation": _variation_record(variation)} if not variation.is_default else {}),
        "items": ids,
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1))
    if verbose:
        print(f"built {len(ids)} items into {out_dir} in {manifest['build_seconds']}s", file=sys.stderr)
    return out_dir


def build_items(indices: list[int], out_dir: Path, seed: int = 0, n_items: int = 48) -> list[str]:
    """Render only the items ``indices`` of the set ``(seed, n_items)`` into ``out_dir``; return their ids.

    Each item is byte-identical to the same item of the full set (same plan, same rendering), so
    a test can use a few benchmark items without building all of them.  No manifest is written.
    """
    if shutil.which("fluidsynth") is None or not SOUNDFONT.exists():
        raise RuntimeError("fluidsynth and the FluidR3_GM soundfont are needed to build the rendered set")
    plans = plan_items(seed, n_items, upto=max(indices) + 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [render_item(plans[i], out_dir) for i in indices]


def _read_midi_notes(path: Path) -> list[tuple[float, float, int]]:
    """Read (on_s, off_s, key) back from one of our MIDI files with music21's low-level reader."""
    from music21 import midi

    mf = midi.MidiFile()
    mf.open(str(path))
    mf.read()
    mf.close()
    tick, us_per_q, tpq = 0, 500_000, mf.ticksPerQuarterNote
    open_notes: dict[int, float] = {}
    out = []
    for ev in mf.tracks[0].events:
        if isinstance(ev, midi.DeltaTime):
            tick += ev.time
            continue
        sec = tick * us_per_q / 1e6 / tpq  # one tempo event at tick 0 in our files
        if ev.type == midi.MetaEvents.SET_TEMPO:
            us_per_q = int.from_bytes(ev.data, "big")
        elif ev.type == midi.ChannelVoiceMessages.NOTE_ON and ev.velocity > 0:
            open_notes[ev.pitch] = sec
        elif ev.type in (midi.ChannelVoiceMessages.NOTE_OFF, midi.ChannelVoiceMessages.NOTE_ON):
            out.append((open_notes.pop(ev.pitch), sec, int(ev.pitch)))
    return sorted(out)


def check(out_dir: Path) -> dict[str, float]:
    """Verify a built set: truth notes == MIDI notes re-read, and audio starts with the first note.

    Returns the worst truth/MIDI time difference (s) and, over clean items, the median and
    maximum delay (ms) between the first truth onset and the first audible sample (|x| > 1e-3).
    """
    import soundfile as sf

    manifest = json.loads((out_dir / "manifest.json").read_text())
    worst = 0.0
    delays = []
    for item_id in manifest["items"]:
        truth = json.loads((out_dir / f"{item_id}.json").read_text())
        ref = [(n["onset_s"], n["offset_s"], n["midi"]) for n in truth["notes"]]
        got = _read_midi_notes(out_dir / f"{item_id}.mid")
        if len(got) != len(ref) or any(a[2] != b[2] for a, b in zip(ref, got)):
            raise AssertionError(f"{item_id}: MIDI notes differ from truth")
        worst = max([worst] + [max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(ref, got)])
        if truth["noise"] == "clean":
            x, sr = sf.read(out_dir / f"{item_id}.wav")
            delays.append((int(np.argmax(np.abs(x) > 1e-3)) / sr - ref[0][0]) * 1000.0)
    return {
        "max_truth_vs_midi_s": worst,
        "median_first_sound_delay_ms": float(np.median(delays)),
        "max_abs_first_sound_delay_ms": float(np.max(np.abs(delays))),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--items", type=int, default=48)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache root (a seed<N> folder is made in it)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="rebuild even if a complete set exists")
    ap.add_argument("--check", action="store_true", help="verify truth vs MIDI and audio start alignment")
    ap.add_argument("--variation", choices=sorted(VARIATIONS), default=None, help="a named variation (default: fluidr3)")
    ap.add_argument("--soundfont", default=None, help=f"comma list of soundfonts drawn per item ({', '.join(SOUNDFONTS)})")
    ap.add_argument("--room", default=None, help=f"comma list of room types drawn per item ({', '.join(ROOMS)})")
    ap.add_argument("--mic", action="store_true", help="microphone colouring (EQ) and coloured noise")
    ap.add_argument("--expression", action="store_true", help="vibrato, slides, slurs, timing and dynamics")
    a = ap.parse_args(argv)
    try:
        variation = parse_variation(a.variation, soundfonts=a.soundfont, rooms=a.room, mic=a.mic, expression=a.expression)
    except ValueError as exc:
        ap.error(str(exc))
    folder = build(a.seed, a.items, a.out, a.jobs, a.force, variation=variation)
    if a.check:
        print(json.dumps(check(folder), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
