"""Benchmark sets: the rendered set (built here) and the shared singing sets (SSVD, vocadito)."""

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


def load_rendered(seed: int = 0, n_items: int = 48, jobs: int = 2) -> list[Item]:
    """The rendered set for ``seed``, built first if the cache is missing or stale."""
    from benchmarks.build_rendered import build

    folder = build(seed=seed, n_items=n_items, jobs=jobs)
    manifest = json.loads((folder / "manifest.json").read_text())
    items = []
    for item_id in manifest["items"]:
        truth = json.loads((folder / f"{item_id}.json").read_text())
        notes = tuple((n["onset_s"], n["offset_s"], int(n["midi"])) for n in truth["notes"])
        end = max(n[1] for n in notes) + 0.5
        times = np.arange(0.0, end, 0.01)
        from benchmarks.metrics import notes_to_f0

        items.append(
            Item(
                "rendered", item_id, folder / f"{item_id}.wav", (Reference("", notes),), f0=(times, notes_to_f0(notes, times)), truth=truth
            )
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


def load_sets(names: list[str], *, seed: int, n_rendered: int, limit: int | None, jobs: int) -> list[Item]:
    """Load the named sets (skipping shared ones with a message when the data is absent)."""
    items: list[Item] = []
    shared = find_shared()
    for name in names:
        if name == "rendered":
            got = load_rendered(seed, n_rendered, jobs)
        elif name in ("ssvd", "vocadito"):
            if shared is None:
                print(f"[skip] set {name}: no shared data (set TRANSCRIBE_SHARED or provide ../shared)", file=sys.stderr)
                continue
            got = load_ssvd(shared) if name == "ssvd" else load_vocadito(shared)
            if not got:
                print(f"[skip] set {name}: no files under {shared}", file=sys.stderr)
                continue
        else:
            raise SystemExit(f"unknown set {name!r} (choose from rendered, ssvd, vocadito)")
        items.extend(got[:limit] if limit else got)
    return items
