"""Benchmark sets: the rendered sets (built here), the shared singing sets (SSVD, vocadito) and the
shared real instrument clips (real-clips)."""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Reference:
    """One annotation of an item: note intervals in seconds and integer MIDI pitches."""

    name: str
    notes: tuple[tuple[float, float, int], ...]


@dataclass(frozen=True)
class Item:
    """One audio file with its reference(s).

    ``f0`` is a frame-level reference pitch track ``(times_s, hz)`` (0 Hz = unvoiced) where known;
    ``truth`` holds the rendered set's full ground truth (notation facts) and is ``None`` elsewhere.
    """

    set: str
    id: str
    audio: Path
    refs: tuple[Reference, ...]
    f0: tuple[np.ndarray, np.ndarray] | None = None
    truth: dict[str, Any] | None = field(default=None, repr=False)


def find_shared() -> Path | None:
    """The shared data folder: ``$TRANSCRIBE_SHARED`` or ``<repo>/../shared``; ``None`` if absent."""
    env = os.environ.get("TRANSCRIBE_SHARED")
    for cand in ([Path(env)] if env else []) + [REPO.parent / "shared"]:
        if cand.is_dir():
            return cand
    return None


def load_rendered(seed: int = 0, n_items: int = 48, jobs: int = 2, *, variation: str = "fluidr3", name: str = "rendered") -> list[Item]:
    """The rendered set for ``seed`` (and the named ``variation``, see
    :data:`benchmarks.build_rendered.VARIATIONS`), built first if the cache is missing or stale;
    its items carry the set name ``name``."""
    from benchmarks.build_rendered import VARIATIONS, build

    folder = build(seed=seed, n_items=n_items, jobs=jobs, variation=VARIATIONS[variation])
    manifest = json.loads((folder / "manifest.json").read_text())
    items = []
    for item_id in manifest["items"]:
        truth = json.loads((folder / f"{item_id}.json").read_text())
        notes = tuple((n["onset_s"], n["offset_s"], int(n["midi"])) for n in truth["notes"])
        end = max(n[1] for n in notes) + 0.5
        times = np.arange(0.0, end, 0.01)
        from benchmarks.metrics import notes_to_f0

        items.append(
            Item(name, item_id, folder / f"{item_id}.wav", (Reference("", notes),), f0=(times, notes_to_f0(notes, times)), truth=truth)
        )
    return items


def _in_own_tuning(notes: list[tuple[float, float, float]]) -> tuple[tuple[float, float, int], ...]:
    """Notes rounded to the nearest semitone of the singer's own tuning.

    The offset is the circular mean of the labelled pitches' deviation from the
    A440 grid, computed from the labels alone (not from any system's output),
    so a singer 40 cents sharp throughout is read in the key they sang in.
    """
    midi = np.array([m for _, _, m in notes])
    angle = 2.0 * np.pi * midi
    offset = float(np.arctan2(np.sin(angle).sum(), np.cos(angle).sum()) / (2.0 * np.pi))
    return tuple((on, off, int(round(m - offset))) for on, off, m in notes)


def load_ssvd(shared: Path) -> list[Item]:
    """SSVD dev: ``ID.flac`` + ``ID.txt`` (onset, offset, midi float).

    Two references per clip: the label pitches rounded to the nearest semitone
    at A440 (the main figure), and rounded in the singer's own tuning (``/tuned``).
    """
    folder = shared / "data" / "singing" / "ssvd-dev"
    items = []
    for lab in sorted(folder.glob("*.txt")):
        notes = []
        for line in lab.read_text().splitlines():
            parts = line.split()
            if len(parts) < 3:
                continue
            on, off, midi = float(parts[0]), float(parts[1]), float(parts[2])
            if off > on:
                notes.append((on, off, midi))
        audio = lab.with_suffix(".flac")
        if audio.exists() and notes:
            a440 = tuple((on, off, int(round(m))) for on, off, m in notes)
            items.append(Item("ssvd", lab.stem, audio, (Reference("", a440), Reference("tuned", _in_own_tuning(notes)))))
    return items


def _vocadito_notes(path: Path) -> list[tuple[float, float, float]]:
    notes = []
    with path.open() as fh:
        for row in csv.reader(fh):
            if len(row) < 3:
                continue
            on, hz, dur = float(row[0]), float(row[1]), float(row[2])
            if hz > 0 and dur > 0:
                notes.append((on, on + dur, 69 + 12 * np.log2(hz / 440.0)))
    return notes


def load_vocadito(shared: Path) -> list[Item]:
    """vocadito: each clip scored against annotators A1 and A2 separately, pitches
    rounded to semitones at A440 (``A1``, ``A2``) and in the singer's own tuning
    (``A1 tuned``, ``A2 tuned``)."""
    folder = shared / "data" / "singing" / "vocadito"
    items = []
    for wav in sorted(folder.glob("vocadito_*.wav"), key=lambda p: int(p.stem.split("_")[1])):
        refs: list[Reference] = []
        for a in ("A1", "A2"):
            if (folder / f"{wav.stem}_notes{a}.csv").exists():
                notes = _vocadito_notes(folder / f"{wav.stem}_notes{a}.csv")
                refs.append(Reference(a, tuple((on, off, int(round(m))) for on, off, m in notes)))
                refs.append(Reference(f"{a} tuned", _in_own_tuning(notes)))
        f0 = None
        f0_csv = folder / f"{wav.stem}_f0.csv"
        if f0_csv.exists():
            arr = np.loadtxt(f0_csv, delimiter=",", ndmin=2)
            f0 = (arr[:, 0], arr[:, 1])
        if refs:
            items.append(Item("vocadito", wav.stem, wav, tuple(refs), f0=f0))
    return items


#: The instrument of each real clip (from the set's README), for per-instrument rows.
REAL_CLIP_INSTRUMENTS = {
    "attya-monster-lick": "alto_sax",
    "attya_filosax_part_4_slurs": "sax",
    "cp_suede_shoes_repeated_notes": "sax",
    "hymmj-bass-8-bars": "electric_bass",
}


def read_midi_notes(path: Path) -> tuple[tuple[float, float, int], ...]:
    """The notes of a Standard MIDI File as ``(onset_s, offset_s, midi)``, sorted, every track
    and channel, following the file's tempo changes (a note-on of velocity 0 ends a note)."""
    from music21 import midi

    mf = midi.MidiFile()
    mf.open(str(path))
    mf.read()
    mf.close()
    events: list[tuple[int, int, Any]] = []  # (tick, order, event)
    for track in mf.tracks:
        tick = 0
        for k, ev in enumerate(track.events):
            if isinstance(ev, midi.DeltaTime):
                tick += ev.time
            else:
                events.append((tick, k, ev))
    events.sort(key=lambda e: (e[0], e[1]))
    tpq = mf.ticksPerQuarterNote
    sec, last_tick, us_per_q = 0.0, 0, 500_000
    sounding: dict[tuple[int, int], float] = {}
    out = []
    for tick, _, ev in events:
        sec += (tick - last_tick) * us_per_q / 1e6 / tpq
        last_tick = tick
        if ev.type == midi.MetaEvents.SET_TEMPO:
            us_per_q = int.from_bytes(ev.data, "big")
        elif ev.type == midi.ChannelVoiceMessages.NOTE_ON and ev.velocity > 0:
            sounding[(ev.channel, ev.pitch)] = sec
        elif ev.type in (midi.ChannelVoiceMessages.NOTE_OFF, midi.ChannelVoiceMessages.NOTE_ON):
            on = sounding.pop((ev.channel, ev.pitch), None)
            if on is not None and sec > on:
                out.append((on, sec, int(ev.pitch)))
    return tuple(sorted(out))


def load_real_clips(shared: Path) -> list[Item]:
    """real-clips: real instrument recordings ``NAME.wav`` with hand-made MIDI ``NAME.gt.mid``.

    ``truth`` holds only the instrument (for per-instrument rows); there is no notation truth."""
    folder = shared / "data" / "instruments" / "real-clips"
    items = []
    for mid in sorted(folder.glob("*.gt.mid")):
        stem = mid.name[: -len(".gt.mid")]
        wav = folder / f"{stem}.wav"
        notes = read_midi_notes(mid)
        if wav.exists() and notes:
            end = max(n[1] for n in notes) + 0.5
            from benchmarks.metrics import notes_to_f0

            times = np.arange(0.0, end, 0.01)
            truth = {"instrument": REAL_CLIP_INSTRUMENTS.get(stem, "unknown")}
            items.append(Item("real-clips", stem, wav, (Reference("", notes),), f0=(times, notes_to_f0(notes, times)), truth=truth))
    return items


def load_sets(names: list[str], *, seed: int, n_rendered: int, limit: int | None, jobs: int) -> list[Item]:
    """Load the named sets (skipping shared ones with a message when the data is absent)."""
    items: list[Item] = []
    shared = find_shared()
    for name in names:
        if name == "rendered":
            got = load_rendered(seed, n_rendered, jobs)
        elif name == "held-out":  # a soundfont and a room type no fit sees
            from benchmarks.build_rendered import HELD_OUT_ITEMS, HELD_OUT_SEED

            got = load_rendered(HELD_OUT_SEED, HELD_OUT_ITEMS, jobs, variation="held-out", name="held-out")
        elif name in ("ssvd", "vocadito", "real-clips"):
            if shared is None:
                print(f"[skip] set {name}: no shared data (set TRANSCRIBE_SHARED or provide ../shared)", file=sys.stderr)
                continue
            loaders = {"ssvd": load_ssvd, "vocadito": load_vocadito, "real-clips": load_real_clips}
            got = loaders[name](shared)
            if not got:
                print(f"[skip] set {name}: no files under {shared}", file=sys.stderr)
                continue
        else:
            raise SystemExit(f"unknown set {name!r} (choose from rendered, held-out, ssvd, vocadito, real-clips)")
        items.extend(got[:limit] if limit else got)
    return items
