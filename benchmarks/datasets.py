"""Benchmark sets: the rendered sets (built here), the shared singing sets (SSVD, vocadito) and the
shared real instrument clips (real-clips)."""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Reference:
    """One annotation of an item: note intervals in seconds and MIDI pitches.

    ``sung`` references keep the labels' fractional sung pitch (``midi_float``) and are scored
    the way published work scores sung sets: against each system's own fractional estimate
    of the sung pitch, not its written semitone. The others hold integer MIDI numbers.
    """

    name: str
    notes: tuple[tuple[float, float, float], ...]
    sung: bool = False


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
    page: PageTruth | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PageTruth:
    """What the singer read (ssvd-scores): the printed exercise and each labelled note's place in it.

    Attributes:
        exercise: The exercise id.
        time_signature: As printed, e.g. ``"3/4"``.
        major_pc: Pitch class of the major key with the printed signature, transposed by
            ``transpose`` (the key signature the page should show).
        transpose: ``T``: the singer's register against the print, in semitones.
        label_notes: The labelled sung notes ``(onset_s, offset_s, midi_float)``.
        intended_midi: Per labelled note, the printed pitch + ``T``, or ``None`` where the
            alignment gives none (placeholder rows, unaligned notes).
        written_q: Per labelled note, the printed length in quarter notes (tie chain summed),
            or ``None`` as above.
        on_bar_line: Per labelled note, whether the printed note it sings starts a bar, or
            ``None`` where the alignment places it nowhere in the print; empty where unknown.
    """

    exercise: str
    time_signature: str
    major_pc: int
    transpose: int
    label_notes: tuple[tuple[float, float, float], ...]
    intended_midi: tuple[int | None, ...]
    written_q: tuple[Fraction | None, ...]
    on_bar_line: tuple[bool | None, ...] = ()


def find_shared() -> Path | None:
    """The shared data folder: ``$TRANSCRIBE_SHARED`` or ``<repo>/../shared``; ``None`` if absent."""
    env = os.environ.get("TRANSCRIBE_SHARED")
    for cand in ([Path(env)] if env else []) + [REPO.parent / "shared"]:
        if cand.is_dir():
            return cand
    return None


def load_rendered(seed: int = 0, n_items: int = 48, jobs: int = 2, *, variation: str = "fluidr3", name: str = "rendered") -> list[Item]:
    """The rendered set for ``seed`` (and the named ``variation``, see
    :data:`benchmarks.rendered.variations.VARIATIONS`), built first if the cache is missing or stale;
    its items carry the set name ``name``."""
    from benchmarks.build_rendered import build
    from benchmarks.rendered.variations import VARIATIONS

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
            refs = (Reference("", a440), Reference("tuned", _in_own_tuning(notes)), Reference("published", tuple(notes), sung=True))
            items.append(Item("ssvd", lab.stem, audio, refs))
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
                refs.append(Reference(f"{a} published", tuple(notes), sung=True))
        f0 = None
        f0_csv = folder / f"{wav.stem}_f0.csv"
        if f0_csv.exists():
            arr = np.loadtxt(f0_csv, delimiter=",", ndmin=2)
            f0 = (arr[:, 0], arr[:, 1])
        if refs:
            items.append(Item("vocadito", wav.stem, wav, tuple(refs), f0=f0))
    return items


_MIDI_OF_LETTER = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _printed_midi(name: str) -> int:
    """``"F#4"``, ``"Bb3"``, ``"C4"`` -> MIDI number."""
    letter, rest = name[0].upper(), name[1:]
    alter = 0
    while rest and rest[0] in "#b":
        alter += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    return 12 * (int(rest) + 1) + _MIDI_OF_LETTER[letter] + alter


def read_exercise(path: Path) -> dict[str, Any]:
    """An ssvd-scores ``EX.txt``: time, key_fifths, mode, pickup_quarters, and the printed notes
    as ``(midi, chain_q)`` per printed note (rests left out, tie continuations kept, as the
    alignment's ``score_note_index`` counts them), where ``chain_q`` is the length of the tie
    chain the note belongs to; ``on_bar_line``, per printed note, whether it starts a bar."""
    from transcribe.values import TimeSignature

    fields_: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        fields_[key.strip()] = value.split(" #")[0].strip()
    measure_q = TimeSignature(fields_["time"]).measure_q
    pickup_q = Fraction(fields_.get("pickup_quarters", "0"))
    printed: list[tuple[int, Fraction, bool]] = []
    on_bar_line: list[bool] = []
    at_q = Fraction(0)
    for tok in fields_["notes"].split():
        if tok == "|":
            continue
        name, _, length = tok.partition(":")
        tied = length.endswith("~")
        q = Fraction(length.rstrip("~")).limit_denominator(48)
        if name != "r":
            printed.append((_printed_midi(name), q, tied))
            on_bar_line.append((at_q - pickup_q) % measure_q == 0)
        at_q += q
    notes: list[tuple[int, Fraction]] = []
    chain: list[int] = []
    total = Fraction(0)
    for i, (_midi, q, tied) in enumerate(printed):
        chain.append(i)
        total += q
        if not tied or i == len(printed) - 1:
            notes.extend((printed[j][0], total) for j in chain)
            chain, total = [], Fraction(0)
    return {
        "time": fields_["time"],
        "key_fifths": int(fields_["key_fifths"]),
        "mode": fields_.get("mode", "major"),
        "pickup_q": pickup_q,
        "notes": notes,
        "on_bar_line": on_bar_line,
    }


def float_rows(path: Path) -> list[list[float]]:
    """The rows of a tab- or space-separated text file of numbers with at least 3 columns."""
    return [[float(x) for x in line.split()] for line in path.read_text().splitlines() if len(line.split()) >= 3]


def pair_alignment(labels: list[tuple[float, float, float]], rows: list[list[float]]) -> list[int | None]:
    """Per labelled note, the alignment row that describes it, or ``None``.

    Both files list the sung notes in order with the same sung pitch, but some recordings'
    alignments leave notes out or count time from another origin, so the rows are paired by
    the longest common subsequence of sung pitches (equal within 2 cents), not by onset.
    """
    n, m = len(labels), len(rows)
    same = [[abs(labels[i][2] - rows[j][1]) <= 0.02 for j in range(m)] for i in range(n)]
    best = np.zeros((n + 1, m + 1), dtype=int)
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i, j] = best[i + 1, j + 1] + 1 if same[i][j] else max(best[i + 1, j], best[i, j + 1])
    out: list[int | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if same[i][j] and best[i, j] == best[i + 1, j + 1] + 1:
            out[i] = j
            i, j = i + 1, j + 1
        elif best[i + 1, j] >= best[i, j + 1]:
            i += 1
        else:
            j += 1
    return out


def load_ssvd_scores(shared: Path) -> list[Item]:
    """ssvd-scores: 40 sung exercises with the printed score (see its README).

    References: the labels' sung pitch scored the published way (``published``, the main
    figure) and rounded at A440 (``a440``); :class:`PageTruth` holds what the page should say.
    """
    folder = shared / "data" / "singing" / "ssvd-scores"
    index = folder / "index.tsv"
    if not index.exists():
        return []
    items = []
    for line in index.read_text().splitlines()[1:]:
        rec, _, ex = line.partition("\t")
        rec, ex = rec.strip(), ex.strip()
        audio = folder / "recordings" / f"{rec}.flac"
        if not rec or not audio.exists():
            continue
        labels = [(r[0], r[1], r[2]) for r in float_rows(folder / "recordings" / f"{rec}.notes.txt") if r[1] > r[0]]
        rows = float_rows(folder / "recordings" / f"{rec}.score.txt")
        exercise = read_exercise(folder / "exercises" / f"{ex}.txt")
        printed = exercise["notes"]
        valid = [r for r in rows if r[0] >= 0 and r[1] > 0 and r[3] > 0 and 0 <= r[2] < len(printed)]
        transpose = int(round(float(np.median([r[1] - r[3] for r in valid])))) if valid else 0
        intended: list[int | None] = []
        written: list[Fraction | None] = []
        bar_lines = exercise["on_bar_line"]
        on_bar_line: list[bool | None] = []
        for j in pair_alignment(labels, rows):
            r = rows[j] if j is not None else None
            placed = r is not None and 0 <= int(r[2]) < len(bar_lines)
            on_bar_line.append(bar_lines[int(r[2])] if placed else None)
            if r is None or r not in valid:
                intended.append(None)
                written.append(None)
            else:
                intended.append(int(round(r[3])) + transpose)
                written.append(printed[int(r[2])][1])
        page = PageTruth(
            exercise=ex,
            time_signature=exercise["time"],
            major_pc=(7 * exercise["key_fifths"] + transpose) % 12,
            transpose=transpose,
            label_notes=tuple(labels),
            intended_midi=tuple(intended),
            written_q=tuple(written),
            on_bar_line=tuple(on_bar_line),
        )
        a440 = tuple((on, off, int(round(m))) for on, off, m in labels)
        refs = (Reference("published", tuple(labels), sung=True), Reference("a440", a440))
        items.append(Item("ssvd-scores", rec, audio, refs, page=page))
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


def load_sets(names: list[str], *, seed: int, n_rendered: int, limit: int | None, jobs: int, variation: str = "fluidr3") -> list[Item]:
    """Load the named sets (skipping shared ones with a message when the data is absent);
    ``rendered`` is built with the named ``variation`` (its items' set is ``rendered-NAME``
    for any but the default ``fluidr3``)."""
    items: list[Item] = []
    shared = find_shared()
    for name in names:
        if name == "rendered":
            set_name = "rendered" if variation == "fluidr3" else f"rendered-{variation}"
            got = load_rendered(seed, n_rendered, jobs, variation=variation, name=set_name)
        elif name == "held-out":  # a soundfont and a room type no fit sees
            from benchmarks.rendered.variations import HELD_OUT_ITEMS, HELD_OUT_SEED

            got = load_rendered(HELD_OUT_SEED, HELD_OUT_ITEMS, jobs, variation="held-out", name="held-out")
        elif name in ("ssvd", "vocadito", "ssvd-scores", "real-clips"):
            if shared is None:
                print(f"[skip] set {name}: no shared data (set TRANSCRIBE_SHARED or provide ../shared)", file=sys.stderr)
                continue
            loaders = {"ssvd": load_ssvd, "vocadito": load_vocadito, "ssvd-scores": load_ssvd_scores, "real-clips": load_real_clips}
            got = loaders[name](shared)
            if not got:
                print(f"[skip] set {name}: no files under {shared}", file=sys.stderr)
                continue
        else:
            raise SystemExit(f"unknown set {name!r} (choose from rendered, held-out, ssvd, vocadito, ssvd-scores, real-clips)")
        items.extend(got[:limit] if limit else got)
    return items
