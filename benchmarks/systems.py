"""The systems under test: our transcriber (any pitch backend) and the peers.

Every system turns an :class:`~benchmarks.datasets.Item` into a :class:`Prediction`.  ``ours`` and
``tutorial`` run in the benchmark's process pool; ``basic-pitch`` runs in its own virtual
environment (``benchmarks/.venv-bp``, see ``setup_peers.sh``) through ``bp_worker.py``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import metrics
from benchmarks.datasets import Item

HERE = Path(__file__).resolve().parent
BP_PYTHON = HERE / ".venv-bp" / "bin" / "python"
CACHE = HERE / "results" / "cache"


@dataclass
class Prediction:
    """What a system said about one item (fields it does not produce stay ``None``/empty)."""

    system: str
    set: str
    id: str
    notes: list[tuple[float, float, float]] = field(default_factory=list)
    #: The notes with the system's own fractional estimate of the sung pitch (MIDI + cents/100,
    #: at A440) where it has one; empty: the same as ``notes``.
    sung_notes: list[tuple[float, float, float]] = field(default_factory=list)
    tempo_bpm: float | None = None
    time_signature: str | None = None
    key: str | None = None
    written: list[tuple[float, Any]] = field(default_factory=list)  # (onset_s, duration_q)
    written_midi: list[int] = field(default_factory=list)  # per written note, its written MIDI number
    track: tuple[np.ndarray, np.ndarray] | None = None  # (times_s, f0_hz; 0/NaN = unvoiced)
    seconds: float = math.nan
    error: str | None = None
    musicxml: bytes | None = None  # ours only: the score, for the notation check (benchmarks/notation.py)
    on_downbeat: list[bool] = field(default_factory=list)  # per note of ``notes``: whether it starts a bar


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    """First attribute (or mapping key) of ``obj`` that exists among ``names``."""
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def _note_tuple(n: Any) -> tuple[float, float, float]:
    if isinstance(n, (tuple, list)):
        return float(n[0]), float(n[1]), float(n[2])
    return float(_get(n, "onset_s")), float(_get(n, "offset_s")), float(_get(n, "midi"))


def adapt_result(res: Any, pred: Prediction) -> Prediction:
    """Copy a ``transcribe.transcribe`` result into ``pred``, tolerating a growing/partial API."""
    found = _get(res, "notes", default=()) or ()
    pred.notes = [_note_tuple(n) for n in found]
    tuning = float(_get(res, "tuning_cents", default=0.0) or 0.0)
    if found and all(hasattr(n, "cents") for n in found):
        # The sung pitch: the written semitone (after the tuning the notes were rounded in)
        # plus the note's cents from it, back at A440.
        pred.sung_notes = [(n.onset_s, n.offset_s, n.midi + (n.cents + tuning) / 100.0) for n in found]
    bpm = _get(res, "tempo_bpm", "bpm")
    rhythm = _get(res, "rhythm")
    if bpm is None and rhythm is not None:
        bpm = _get(rhythm, "bpm", "tempo_bpm")
    pred.tempo_bpm = float(bpm) if bpm is not None else None
    ts = _get(res, "time_signature")
    if ts is None and rhythm is not None:
        ts = _get(rhythm, "time_signature")
    pred.time_signature = str(ts) if ts is not None else None
    key = _get(res, "key")
    pred.key = str(key) if key is not None else None
    written = _get(res, "written", default=()) or ()
    pred.written = [(float(_get(w, "onset_s")), _get(w, "duration_q")) for w in written]
    pred.written_midi = [int(_get(w, "midi")) for w in written]
    if rhythm is not None and len(_get(rhythm, "onsets_q", default=()) or ()) == len(pred.notes):
        pred.on_downbeat = metrics.on_bar_lines(rhythm)
    track = _get(res, "track")
    if track is not None:
        t = _get(track, "times_s")
        f = _get(track, "f0_hz")
        if t is not None and f is not None:
            pred.track = (np.asarray(t, dtype=float), np.asarray(f, dtype=float))
    return pred


def run_ours(item: Item, pitch: str, options: dict[str, Any] | None = None) -> Prediction:
    """Our transcriber through its public API ``transcribe.transcribe(path, pitch=..., **options)``."""
    pred = Prediction(f"ours-{pitch}", item.set, item.id)
    t0 = time.perf_counter()
    try:
        import transcribe

        res = transcribe.transcribe(str(item.audio), pitch=pitch, **(options or {}))
        pred.seconds = time.perf_counter() - t0
        adapt_result(res, pred)
        pred.musicxml = res.to_musicxml()
    except Exception as exc:  # one bad item must not stop the benchmark
        pred.seconds = time.perf_counter() - t0
        pred.error = f"{type(exc).__name__}: {exc}"
        if os.environ.get("BENCH_TRACEBACK"):
            traceback.print_exc()
    return pred


def _cache_path(system: str, item: Item) -> Path:
    return CACHE / system / item.set / f"{item.id}.json"


def _stamp(item: Item) -> str:
    st = item.audio.stat()
    return f"{st.st_size}:{int(st.st_mtime)}"


def run_tutorial(item: Item, use_cache: bool = True) -> Prediction:
    """The SPICE-tutorial fixed-grid conversion on a SwiftF0 track (cached per file)."""
    from benchmarks.tutorial_baseline import run_file

    pred = Prediction("tutorial", item.set, item.id)
    cache = _cache_path("tutorial", item)
    if use_cache and cache.exists():
        d = json.loads(cache.read_text())
        if d.get("stamp") == _stamp(item):
            pred.notes = [tuple(n) for n in d["notes"]]  # type: ignore[misc]
            pred.tempo_bpm, pred.seconds = d["tempo_bpm"], d["seconds"]
            pred.time_signature = "4/4"
            pred.written = [(n[0], "2") for n in pred.notes]
            pred.track = (np.asarray(d["track_t"]), np.asarray(d["track_f0"]))
            return pred
    t0 = time.perf_counter()
    try:
        res, track = run_file(str(item.audio))
    except Exception as exc:
        pred.error = f"{type(exc).__name__}: {exc}"
        return pred
    pred.seconds = time.perf_counter() - t0
    pred.notes = [(float(a), float(b), float(m)) for a, b, m in res.notes]
    pred.tempo_bpm = None if math.isnan(res.tempo_bpm) else res.tempo_bpm
    pred.time_signature = "4/4"  # no meter; music21 writes its default 4/4 on export
    pred.written = [(n[0], "2") for n in pred.notes]  # every group is a half note
    pred.track = track
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(
        json.dumps(
            {
                "stamp": _stamp(item),
                "notes": pred.notes,
                "tempo_bpm": pred.tempo_bpm,
                "seconds": pred.seconds,
                "track_t": np.round(track[0], 4).tolist(),
                "track_f0": np.round(track[1], 3).tolist(),
            }
        )
    )
    return pred


def run_swift_notes(item: Item) -> Prediction:
    """SwiftF0's own note segmentation (``swift_f0.music.segment_notes`` at its default
    ``pitch_hold_ms``) on the same SwiftF0 track our default backend uses, each note's
    pitch rounded to the nearest MIDI number at A440, as its own MIDI export writes it."""
    from swift_f0.music import segment_notes

    from benchmarks.tutorial_baseline import swift_track

    pred = Prediction("swift-notes", item.set, item.id)
    t0 = time.perf_counter()
    try:
        result, pred.track = swift_track(str(item.audio))
    except (OSError, RuntimeError, ValueError) as exc:  # unreadable or empty audio
        pred.error = f"{type(exc).__name__}: {exc}"
        return pred
    found = segment_notes(result)
    pred.seconds = time.perf_counter() - t0
    pred.notes = [(n.start, n.end, float(round(69.0 + 12.0 * math.log2(n.pitch_hz / 440.0)))) for n in found]
    pred.sung_notes = [(n.start, n.end, 69.0 + 12.0 * math.log2(n.pitch_hz / 440.0)) for n in found]
    return pred


def basic_pitch_available() -> bool:
    """True if the peer environment exists."""
    return BP_PYTHON.exists()


def run_basic_pitch(items: list[Item], jobs: int = 2, use_cache: bool = True) -> dict[tuple[str, str], Prediction]:
    """Run basic-pitch on every item not cached yet (``jobs`` worker processes), then load all."""
    todo = []
    for it in items:
        c = _cache_path("basic-pitch", it)
        fresh = False
        if use_cache and c.exists():
            try:
                fresh = json.loads(c.read_text()).get("stamp") == _stamp(it)
            except json.JSONDecodeError:
                fresh = False
        if not fresh:
            todo.append(it)
    if todo:
        print(f"basic-pitch: {len(todo)} item(s) to transcribe with {jobs} worker(s)...", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            chunks = [todo[i :: max(1, jobs)] for i in range(max(1, jobs))]
            procs = []
            for ci, chunk in enumerate(c for c in chunks if c):
                task_file = Path(tmp) / f"tasks{ci}.json"
                task_file.write_text(
                    json.dumps([{"audio": str(it.audio), "out": str(Path(tmp) / it.set / f"{it.id}.json")} for it in chunk])
                )
                env = dict(os.environ, OMP_NUM_THREADS="1")
                log = (CACHE / "basic-pitch").joinpath(f"worker{ci}.log")
                log.parent.mkdir(parents=True, exist_ok=True)
                with log.open("w") as fh:
                    procs.append(
                        subprocess.Popen(
                            [str(BP_PYTHON), str(HERE / "bp_worker.py"), str(task_file)], env=env, stdout=fh, stderr=subprocess.STDOUT
                        )
                    )
            for p in procs:
                p.wait()
            for it in todo:
                src = Path(tmp) / it.set / f"{it.id}.json"
                if src.exists():
                    d = json.loads(src.read_text())
                    d["stamp"] = _stamp(it)
                    dst = _cache_path("basic-pitch", it)
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    dst.write_text(json.dumps(d))
    out = {}
    for it in items:
        pred = Prediction("basic-pitch", it.set, it.id)
        c = _cache_path("basic-pitch", it)
        if c.exists():
            d = json.loads(c.read_text())
            pred.notes = [tuple(n) for n in d["notes"]]  # type: ignore[misc]
            pred.seconds = d["seconds"]
            pred.error = d.get("error")
        else:
            pred.error = "basic-pitch worker produced no output"
        out[(it.set, it.id)] = pred
    return out
