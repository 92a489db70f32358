"""Build the reproducible *rendered* benchmark set: real corpus melodies played by FluidSynth.

Usage::

    python -m benchmarks.build_rendered [--seed 0] [--items 48] [--out benchmarks/data/rendered]
        [--jobs 2] [--force] [--variation fluidr3|varied|held-out|hall-check|auditorium]
        [--soundfont NAME,...] [--room TYPE,...] [--mic] [--expression]

By default every item is FluidR3 in FluidSynth's own reverb (the benchmark's ``rendered`` set).
A *variation* (:class:`Variation`) instead draws, per item, a soundfont from :data:`SOUNDFONTS`,
a room from :data:`ROOMS` (a seeded synthetic impulse response: exponentially decaying noise,
faster in the treble, dry to hall; or, for the ``auditorium``, a shoebox room of image sources and
per-band walls), a microphone colouring (EQ, high-pass, coloured noise) and
expressive playing (vibrato, slides, legato slurs, timing and dynamics); see :data:`VARIATIONS`.
The ``held-out`` variation's soundfont and room are never used by a fit script.

Every choice (tune, instrument, tempo, transposition, length, articulation, velocities, noise)
comes from ``numpy.random.default_rng`` seeded with ``seed`` (and the item index), so the same
seed gives the same files.  Melodies come from the music21 corpus (Essen folksongs, Ryan's Mammoth
Collection, Bach chorale soprano lines).  Each item ``<id>`` is written as ``<id>.wav`` (44.1 kHz
mono, 16-bit), ``<id>.mid`` (the exact MIDI that was rendered) and ``<id>.json`` (ground truth,
see :func:`_truth_json`).  ``manifest.json`` lists the items and the build parameters.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from fractions import Fraction
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.smf import TICKS_PER_QUARTER, MidiNote, write_smf

BUILD_VERSION = 3
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "data" / "rendered"
SOUNDFONT = Path(os.environ.get("TRANSCRIBE_SF2", "/usr/share/sounds/sf2/FluidR3_GM.sf2"))
SR = 44100

#: General-MIDI soundfonts by name (Debian packages fluid-soundfont-gm, musescore-general-soundfont,
#: timgm6mb-soundfont, csound-soundfont).
SOUNDFONTS: dict[str, Path] = {
    "fluidr3": SOUNDFONT,
    "musescore": Path("/usr/share/sounds/sf3/MuseScore_General_Full.sf3"),
    "timgm6mb": Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
    "gmbank": Path("/usr/share/sounds/sf2/sf_GMbank.sf2"),
}
#: Room types: reverberation time RT60 range (s), direct-to-reverberant ratio range (dB), pre-delay
#: range (s). ``none`` keeps FluidSynth's own reverb and chorus (the default set); the others turn
#: them off and convolve with a synthetic impulse response (``dry``: none at all).
ROOMS: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]] = {
    "none": ((0.0, 0.0), (0.0, 0.0), (0.0, 0.0)),
    "dry": ((0.0, 0.0), (0.0, 0.0), (0.0, 0.0)),
    "booth": ((0.12, 0.3), (6.0, 14.0), (0.001, 0.005)),
    "room": ((0.3, 0.7), (2.0, 9.0), (0.003, 0.012)),
    "chamber": ((0.7, 1.2), (0.0, 6.0), (0.008, 0.02)),
    "hall": ((1.4, 2.4), (-3.0, 4.0), (0.015, 0.04)),
    # A large shoebox room by image sources (:func:`shoebox_response`): RT60 range (s), distance from
    # the source to the microphone (m), and the room's volume (m^3) in place of the pre-delay.
    "auditorium": ((1.2, 3.2), (1.5, 7.0), (2000.0, 9000.0)),
}
#: Room types built by :func:`shoebox_response` instead of the noise-tail model.
SHOEBOX_ROOMS = frozenset({"auditorium"})
#: Sustained instruments: the ones that get vibrato, slides and legato slurs under ``--expression``.
SUSTAINED = {"flute", "violin", "clarinet", "trumpet", "alto_sax", "oboe", "cello", "choir_aahs", "voice_oohs", "french_horn"}
#: Pitch-bend units per semitone (FluidSynth's default bend range is 2 semitones).
BEND_PER_SEMITONE = 8192 / 2


@dataclass(frozen=True)
class Variation:
    """How a set is rendered beyond its plan: soundfonts and rooms drawn per item, microphone
    colouring and expressive playing. The default is the benchmark's FluidR3 set."""

    soundfonts: tuple[str, ...] = ("fluidr3",)
    rooms: tuple[str, ...] = ("none",)
    mic: bool = False
    expression: bool = False

    @property
    def is_default(self) -> bool:
        return self == Variation()

    @property
    def tag(self) -> str:
        """A folder-name suffix naming the variation ('' for the default)."""
        if self.is_default:
            return ""
        parts = ["+".join(self.soundfonts), "+".join(self.rooms)] + (["mic"] if self.mic else []) + (["expr"] if self.expression else [])
        return "-" + "-".join(parts)


#: Named variations: ``varied`` is the training material of the fit scripts (three soundfonts,
#: four rooms); ``held-out`` is a soundfont and a room type that no fit ever sees.
VARIATIONS: dict[str, Variation] = {
    "fluidr3": Variation(),
    "varied": Variation(
        soundfonts=("fluidr3", "musescore", "timgm6mb"), rooms=("dry", "booth", "room", "chamber"), mic=True, expression=True
    ),
    "held-out": Variation(soundfonts=("gmbank",), rooms=("hall",), mic=True, expression=True),
    # The held-out set's room with the fitted soundfonts: a check set to choose on for the hall
    # (seed 7), never fitted on (the fit scripts refuse the hall).
    "hall-check": Variation(soundfonts=("fluidr3", "musescore", "timgm6mb"), rooms=("hall",), mic=True, expression=True),
    # Large reverberant rooms of another kind than the hall (image sources, per-band walls): training
    # material for the long reverberation no ``varied`` room reaches.
    "auditorium": Variation(soundfonts=("fluidr3", "musescore", "timgm6mb"), rooms=("auditorium",), mic=True, expression=True),
}
#: The benchmark's held-out rendered set: seed, items, variation.
HELD_OUT_SEED, HELD_OUT_ITEMS = 20, 48

# name -> (GM program 0-based, comfortable centre MIDI, lowest, highest)
INSTRUMENTS: dict[str, tuple[int, int, int, int]] = {
    "flute": (73, 79, 60, 96),
    "violin": (40, 74, 55, 100),
    "clarinet": (71, 67, 50, 91),
    "trumpet": (56, 68, 54, 84),
    "alto_sax": (65, 63, 49, 81),
    "oboe": (68, 73, 58, 91),
    "cello": (42, 53, 36, 76),
    "piano": (0, 67, 36, 96),
    "nylon_guitar": (24, 62, 40, 84),
    "choir_aahs": (52, 65, 48, 79),
    "voice_oohs": (53, 62, 45, 79),
    "french_horn": (60, 60, 41, 77),
}
NOISES: dict[str, float | None] = {"clean": None, "snr30": 30.0, "snr20": 20.0}
ALLOWED_METERS = {"2/4", "3/4", "4/4", "2/2", "3/8", "6/8", "9/8", "12/8"}
# Transpositions tried (music21 interval names); the result must keep <= 5 sharps/flats.
INTERVALS = ["P1", "m2", "M2", "m3", "M3", "P4", "-m2", "-M2", "-m3", "-M3", "-P4", "-P5"]
SOURCE_WEIGHTS = {"essen": 0.5, "ryans": 0.3, "bach": 0.2}
MIN_S, MAX_S = 20.0, 30.0


@dataclass(frozen=True)
class Event:
    """A note (midi > 0) or rest (midi == 0) of the melody, in quarters from the first downbeat."""

    offset_q: Fraction
    duration_q: Fraction
    midi: int


@dataclass(frozen=True)
class Melody:
    """A validated monophonic corpus melody with its notation facts."""

    source: str
    title: str
    events: tuple[Event, ...]
    time_signature: str
    bar_q: Fraction
    beat_q: Fraction
    pickup_q: Fraction
    key_tonic: str
    key_mode: str
    key_sharps: int
    key_source: str


def _frac(x: Any) -> Fraction:
    return Fraction(x).limit_denominator(960)


def _corpus_dir() -> Path:
    import music21

    return Path(music21.__file__).resolve().parent / "corpus"


def _candidates() -> dict[str, list[tuple[str, int | None]]]:
    """All candidate (path, tune number) pairs per source, in a fixed sorted order."""
    root = _corpus_dir()
    essen: list[tuple[str, int | None]] = []
    for f in sorted((root / "essenFolksong").glob("*.abc")):
        if f.stem.startswith("test") or f.stem == "folkHaydn":
            continue
        for line in f.read_text(encoding="latin-1").splitlines():
            if line.startswith("X:"):
                num = line[2:].strip()
                if num.isdigit():
                    essen.append((str(f), int(num)))
    ryans: list[tuple[str, int | None]] = [(str(f), None) for f in sorted((root / "ryansMammoth").glob("*.abc"))]
    bach: list[tuple[str, int | None]] = [(str(f), None) for f in sorted((root / "bach").glob("bwv*.mxl"))]
    return {"essen": essen, "ryans": ryans, "bach": bach}


def _key_name(tonic: str, mode: str) -> str:
    return f"{tonic.replace('-', 'b')} {mode}"


def load_melody(path: str, number: int | None, source: str) -> Melody | None:
    """Parse one corpus tune and return it if it is a clean monophonic melody, else ``None``.

    Rules: one voice, no chords, one time signature from :data:`ALLOWED_METERS`, regular bars
    (only the first and last bar may be short), >= 16 notes, range <= 2 octaves, and a
    major/minor key whose tonic is the melody's final note.  The key is the encoded key (tonic
    + mode) when the file gives a :class:`music21.key.Key`; for a bare key signature the mode is
    chosen by ``analyze('key')`` among the two keys of that signature.
    """
    from music21 import chord, converter, key, meter, note, stream

    try:
        score = converter.parse(path, number=number) if number is not None else converter.parse(path)
    except Exception:
        return None
    parts = list(score.parts) if isinstance(score, stream.Score) else [score]
    if not parts:
        return None
    part = parts[0]
    if source != "bach" and len(parts) != 1:
        return None
    try:
        expanded = part.expandRepeats()
        if expanded is not None:
            part = expanded
    except Exception:
        pass
    sigs = {ts.ratioString for ts in part.recurse().getElementsByClass(meter.TimeSignature)}
    if len(sigs) != 1:
        return None
    ts_str = sigs.pop()
    if ts_str not in ALLOWED_METERS:
        return None
    ts = meter.TimeSignature(ts_str)
    bar_q = _frac(ts.barDuration.quarterLength)
    beat_q = _frac(ts.beatDuration.quarterLength)
    measures = list(part.getElementsByClass(stream.Measure))
    if len(measures) < 4:
        return None
    first_len = _frac(measures[0].duration.quarterLength)
    pad = _frac(measures[0].paddingLeft or 0)
    pickup = bar_q - pad if pad > 0 else (first_len if first_len < bar_q else Fraction(0))
    if pickup >= bar_q:
        pickup = Fraction(0)
    for m in measures[1:-1]:
        if _frac(m.duration.quarterLength) != bar_q:
            return None
    if any(v for m in measures for v in m.getElementsByClass(stream.Voice)):
        return None
    flat = part.flatten().stripTies()
    if any(isinstance(e, chord.Chord) for e in flat.notes):
        return None
    events: list[Event] = []
    for e in flat.notesAndRests:
        if e.duration.isGrace or e.quarterLength == 0:
            continue
        off = _frac(e.getOffsetInHierarchy(flat)) - pickup
        dur = _frac(e.quarterLength)
        midi = int(e.pitch.midi) if isinstance(e, note.Note) else 0
        events.append(Event(off, dur, midi))
    events.sort(key=lambda ev: ev.offset_q)
    notes = [ev for ev in events if ev.midi]
    if len(notes) < 16:
        return None
    for a, b in itertools.pairwise(events):
        if a.offset_q + a.duration_q > b.offset_q:
            return None
    pitches = [ev.midi for ev in notes]
    if max(pitches) - min(pitches) > 24:
        return None
    encoded = [k for k in part.recurse().getElementsByClass(key.KeySignature)]
    if not encoded:
        return None
    enc = encoded[0]
    if isinstance(enc, key.Key):
        if enc.mode not in ("major", "minor"):
            return None
        k = enc
        key_source = "encoded"
    else:
        try:
            an = flat.analyze("key")
        except Exception:
            return None
        cands = [an, *getattr(an, "alternateInterpretations", [])]
        same = [c for c in cands if c.sharps == enc.sharps and c.mode in ("major", "minor")]
        if not same:
            return None
        k = same[0]
        key_source = "signature+analysis"
    if notes[-1].midi % 12 != k.tonic.pitchClass:
        return None
    title = str(score.metadata.title) if score.metadata and score.metadata.title else Path(path).stem
    return Melody(
        source=source,
        title=title,
        events=tuple(events),
        time_signature=ts_str,
        bar_q=bar_q,
        beat_q=beat_q,
        pickup_q=pickup,
        key_tonic=k.tonic.name,
        key_mode=k.mode,
        key_sharps=int(k.sharps),
        key_source=key_source,
    )


def _transpose(mel: Melody, interval: str) -> tuple[Melody, int] | None:
    """Transpose melody and key by a spelled interval; ``None`` if > 5 sharps/flats result."""
    from music21 import interval as m21interval
    from music21 import key

    intv = m21interval.Interval(interval)
    k = key.Key(mel.key_tonic, mel.key_mode).transpose(intv)
    if abs(k.sharps) > 5:
        return None
    semis = int(intv.semitones)
    events = tuple(Event(e.offset_q, e.duration_q, e.midi + semis if e.midi else 0) for e in mel.events)
    new = Melody(
        mel.source,
        mel.title,
        events,
        mel.time_signature,
        mel.bar_q,
        mel.beat_q,
        mel.pickup_q,
        k.tonic.name,
        k.mode,
        int(k.sharps),
        mel.key_source,
    )
    return new, semis


def _fit_octave(mel: Melody, instrument: str) -> int:
    """Octave shift (in semitones) putting the melody's median near the instrument's centre."""
    _, centre, lo, hi = INSTRUMENTS[instrument]
    pitches = np.array([e.midi for e in mel.events if e.midi])
    base = int(round((centre - float(np.median(pitches))) / 12.0)) * 12
    best = base
    best_bad = math.inf
    for shift in (base, base - 12, base + 12):
        bad = int(np.sum(np.maximum(0, lo - (pitches + shift)) + np.maximum(0, pitches + shift - hi)))
        if bad < best_bad:
            best, best_bad = shift, bad
    return best


def _loop_and_cut(mel: Melody, n_bars: int) -> list[Event]:
    """Loop the melody (aligned to its bar lines) and cut it after ``n_bars`` full bars."""
    end = max(e.offset_q + e.duration_q for e in mel.events)
    period = math.ceil((end + mel.pickup_q) / mel.bar_q) * mel.bar_q
    limit = n_bars * mel.bar_q
    out: list[Event] = []
    rep = 0
    while True:
        shift = rep * period
        if shift - mel.pickup_q >= limit:
            break
        for e in mel.events:
            on = e.offset_q + shift
            if on >= limit:
                break
            if rep > 0 and on < shift - mel.pickup_q:
                continue
            dur = min(e.duration_q, limit - on)
            out.append(Event(on, dur, e.midi))
        rep += 1
    return out


def plan_items(seed: int, n_items: int, upto: int | None = None) -> list[dict[str, Any]]:
    """Choose tunes and every rendering parameter for ``n_items`` items from ``seed``.

    ``upto`` plans only the first ``upto`` of those items (the same choices as the full plan,
    just faster: the set's later items are not drawn).
    """
    rng = np.random.default_rng(seed)
    cands = _candidates()
    sources = list(SOURCE_WEIGHTS)
    quota = [round(SOURCE_WEIGHTS[src] * n_items) for src in sources]
    quota[0] += n_items - sum(quota)
    source_order = [src for src, q in zip(sources, quota) for _ in range(q)]
    inst_names = list(INSTRUMENTS)
    inst_order = [inst_names[i % len(inst_names)] for i in range(n_items)]
    rng.shuffle(source_order)
    rng.shuffle(inst_order)
    # Noise balanced within each instrument: its j-th item gets condition (instrument + j) mod 3.
    seen: dict[str, int] = {}
    noise_order = []
    for name in inst_order:
        j = seen.get(name, 0)
        seen[name] = j + 1
        noise_order.append(list(NOISES)[(inst_names.index(name) + j) % len(NOISES)])
    used: set[tuple[str, int | None]] = set()
    plans: list[dict[str, Any]] = []
    for idx in range(n_items if upto is None else min(upto, n_items)):
        while True:  # until the drawn item has a note (see below)
            mel = None
            src = source_order[idx]
            for attempt in range(400):
                if attempt == 200:  # this source is exhausted: fall back to the Essen collection
                    src = "essen"
                path, number = cands[src][int(rng.integers(len(cands[src])))]
                if (path, number) in used:
                    continue
                used.add((path, number))
                mel = load_melody(path, number, src)
                if mel is not None:
                    break
            if mel is None:
                raise RuntimeError("could not find a usable melody")
            instrument = inst_order[idx]
            tr = None
            for name in rng.permutation(INTERVALS):
                tr = _transpose(mel, str(name))
                if tr is not None:
                    interval_name = str(name)
                    break
            assert tr is not None
            mel_t, semis = tr
            octave = _fit_octave(mel_t, instrument)
            bpm_int = int(rng.integers(60, 141))
            us_per_q = round(60_000_000 / bpm_int)
            bpm = 60_000_000 / us_per_q
            target_s = float(rng.uniform(22.0, 28.0))
            bar_s = float(mel.bar_q) * 60.0 / bpm
            pick_s = float(mel.pickup_q) * 60.0 / bpm
            n_bars = max(1, round((target_s - pick_s) / bar_s))
            while pick_s + n_bars * bar_s > MAX_S and n_bars > 1:
                n_bars -= 1
            while pick_s + n_bars * bar_s < MIN_S:
                n_bars += 1
            # A line that rests for its first bars (a chorale's instrumental opening) can leave
            # a short item without a note: draw another tune (the sets built so far never do).
            if any(e.midi for e in _loop_and_cut(mel_t, n_bars)):
                break
        plans.append(
            {
                "index": idx,
                "id": f"r{idx:03d}_{instrument}_{noise_order[idx]}",
                "melody": mel_t,
                "source_path": str(Path(path).relative_to(_corpus_dir())),
                "tune_number": number,
                "interval": interval_name,
                "transpose_semitones": semis + octave,
                "octave_shift": octave,
                "instrument": instrument,
                "noise": noise_order[idx],
                "us_per_quarter": us_per_q,
                "tempo_bpm": bpm,
                "n_bars": n_bars,
                "lead_s": float(rng.uniform(0.3, 1.0)),
                "gate": float(rng.uniform(0.80, 0.97)),
                "gap_max_s": float(rng.uniform(0.03, 0.12)),
                "velocity_base": int(rng.integers(70, 101)),
                "item_seed": int(rng.integers(2**31)),
            }
        )
    return plans


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
        "key": _key_name(mel.key_tonic, mel.key_mode),
        "key_sharps": mel.key_sharps,
        "key_source": mel.key_source,
        "pickup_q": str(mel.pickup_q),
        "n_bars": plan["n_bars"],
        "lead_s": round(sec(_lead_ticks(plan)), 6),
        "transpose_interval": plan["interval"],
        "transpose_semitones": plan["transpose_semitones"],
        "sample_rate": SR,
        "notes": rows,
    }


def _lead_ticks(plan: dict[str, Any]) -> int:
    return round(plan["lead_s"] * 1e6 / plan["us_per_quarter"] * TICKS_PER_QUARTER)


def _midi_notes(plan: dict[str, Any], events: list[Event]) -> list[MidiNote]:
    """Turn written events into MIDI ticks with the item's articulation and velocities."""
    mel: Melody = plan["melody"]
    rng = np.random.default_rng(plan["item_seed"])
    us = plan["us_per_quarter"]
    lead = _lead_ticks(plan)
    ticks_per_s = 1e6 / us * TICKS_PER_QUARTER
    out: list[MidiNote] = []
    for ev in events:
        if not ev.midi:
            continue
        on = lead + round((ev.offset_q + mel.pickup_q) * TICKS_PER_QUARTER)
        full = round(ev.duration_q * TICKS_PER_QUARTER)
        gap = min((1.0 - plan["gate"]) * full, plan["gap_max_s"] * ticks_per_s)
        off = on + max(1, round(full - gap))
        downbeat = ev.offset_q >= 0 and ev.offset_q % mel.bar_q == 0
        vel = plan["velocity_base"] + (10 if downbeat else 0) + int(rng.integers(-8, 9))
        key_num = ev.midi + plan["octave_shift"]  # the spelled transposition is already in ev.midi
        out.append(MidiNote(on, off, int(key_num), int(max(1, min(127, vel)))))
    return out


def _bend(tick: int, semitones: float) -> tuple[int, bytes]:
    """A pitch-bend message on channel 0 at ``tick``."""
    value = int(np.clip(round(8192 + semitones * BEND_PER_SEMITONE), 0, 16383))
    return tick, bytes([0xE0, value & 0x7F, value >> 7])


def _expressive(plan: dict[str, Any], notes: list[MidiNote]) -> tuple[list[MidiNote], list[tuple[int, bytes]]]:
    """Expressive playing of ``notes`` (seeded by the item): timing jitter, dynamics swells and,
    on sustained instruments, legato slurs (overlapping notes in FluidSynth's legato mode: no new
    attack, the pitch change is the onset), slides into a note (a pitch-bend glide from the
    previous pitch) and vibrato. Returns the notes (the truth is read from them) and the pitch
    bends and controllers."""
    rng = np.random.default_rng([plan["item_seed"], 3])
    tps = 1e6 / plan["us_per_quarter"] * TICKS_PER_QUARTER  # ticks per second
    sustained = plan["instrument"] in SUSTAINED
    swell_db, swell_s, phase = rng.uniform(0, 25), rng.uniform(4, 10), rng.uniform(0, 2 * np.pi)
    vel_shift = int(rng.integers(-25, 11))
    p_slur = rng.uniform(0.0, 0.5) if sustained else 0.0
    p_slide = rng.uniform(0.0, 0.3) if sustained else 0.0
    vib_cents = 0.0 if not sustained or rng.random() < 0.25 else rng.uniform(10, 40)
    vib_hz = rng.uniform(4.5, 7.0)
    # Timing: every onset moves by a seeded error (sd 12 ms, at most 30 ms), the note keeps its length.
    moved: list[MidiNote] = []
    for n in notes:
        d = round(float(np.clip(rng.normal(0, 0.012), -0.03, 0.03)) * tps)
        on = max(moved[-1].on_tick + round(0.04 * tps) if moved else 0, n.on_tick + d)
        vel = n.velocity + vel_shift + round(swell_db * np.sin(2 * np.pi * n.on_tick / tps / swell_s + phase))
        moved.append(MidiNote(on, max(on + round(0.03 * tps), n.off_tick + d), n.key, int(np.clip(vel, 20, 127))))
    out: list[MidiNote] = []
    for i, n in enumerate(moved):
        nxt = moved[i + 1] if i + 1 < len(moved) else None
        off = min(n.off_tick, nxt.on_tick) if nxt is not None else n.off_tick
        if nxt is not None and nxt.key != n.key and nxt.on_tick - off < 0.15 * tps and rng.random() < p_slur:
            off = nxt.on_tick + round(0.015 * tps)  # held into the next note: a slur
        out.append(MidiNote(n.on_tick, off, n.key, n.velocity))
    controls: list[tuple[int, bytes]] = []
    if p_slur > 0:
        controls.append((0, bytes([0xB0, 68, 127])))  # legato footswitch: overlapping notes slur
    step = round(0.015 * tps)
    for i, n in enumerate(out):
        end = out[i + 1].on_tick if i + 1 < len(out) else n.off_tick
        prev = out[i - 1] if i > 0 else None
        slide = prev is not None and 1 <= abs(prev.key - n.key) <= 2 and n.on_tick - prev.off_tick < 0.1 * tps and rng.random() < p_slide
        glide_s = rng.uniform(0.04, 0.09)
        start_dev = float(prev.key - n.key) if slide and prev is not None else 0.0
        delay_s = rng.uniform(0.1, 0.3)
        for tick in range(n.on_tick, end, step):
            t = (tick - n.on_tick) / tps
            dev = start_dev * max(0.0, 1.0 - t / glide_s)
            if vib_cents and (n.off_tick - n.on_tick) / tps > 0.25 and t > delay_s:
                ramp = min(1.0, (t - delay_s) / 0.2)
                dev += vib_cents / 100 * ramp * np.sin(2 * np.pi * vib_hz * (t - delay_s))
            if dev or tick == n.on_tick:
                controls.append(_bend(tick, dev))
    return out, controls


def impulse_response(room: str, rng: np.random.Generator) -> np.ndarray:
    """A synthetic room impulse response: the direct sound, then after a pre-delay exponentially
    decaying noise whose treble dies sooner (RT60 x1.15 below 500 Hz, x0.55 above 4 kHz), at a
    drawn direct-to-reverberant ratio. ``dry``: the direct sound alone. Room types in
    :data:`SHOEBOX_ROOMS` are built by :func:`shoebox_response`."""
    if room in SHOEBOX_ROOMS:
        return shoebox_response(room, rng)
    (rt_lo, rt_hi), (drr_lo, drr_hi), (pd_lo, pd_hi) = ROOMS[room]
    if rt_hi <= 0:
        return np.ones(1)
    rt60, drr_db, pre_s = rng.uniform(rt_lo, rt_hi), rng.uniform(drr_lo, drr_hi), rng.uniform(pd_lo, pd_hi)
    n = int((pre_s + 1.2 * rt60) * SR)
    t = np.arange(n) / SR
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    tail = np.zeros(n)
    for lo, hi, mult in ((0.0, 500.0, 1.15), (500.0, 4000.0, 1.0), (4000.0, SR, 0.55)):
        band = np.fft.irfft(np.where((f >= lo) & (f < hi), spec, 0), n)
        tail += band * np.exp(-6.91 * np.maximum(t - pre_s, 0) / (rt60 * mult))
    tail[t < pre_s] = 0.0
    tail *= math.sqrt(10 ** (-drr_db / 10) / max(float(np.sum(tail**2)), 1e-12))
    tail[0] += 1.0
    return tail


#: Octave bands (Hz) of :func:`shoebox_response` and the walls' absorption in each, relative to 1 kHz.
_BANDS_HZ = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)
_ABSORPTION_SHAPE = (0.7, 0.8, 0.95, 1.0, 1.1, 1.3, 1.6)
#: Air absorption (1/m, intensity) per band at 20 C and 50 % humidity.
_AIR_PER_M = (0.0001, 0.0003, 0.0006, 0.001, 0.0024, 0.0072, 0.024)


def shoebox_response(room: str, rng: np.random.Generator) -> np.ndarray:
    """The impulse response of a drawn shoebox room, a different kind of room from the noise-tail
    model of :func:`impulse_response`: its walls' absorption per octave band set by Sabine's formula
    for a drawn RT60 at 1 kHz (more absorbed in the treble, plus the air's absorption), the direct
    sound and every image source up to the sixth reflection order at its own delay and distance
    (discrete early reflections, frequency-independent walls there), then a diffuse tail from the
    end of those reflections, each octave band decaying at its own Sabine rate and reaching the
    level the diffuse field has at the drawn source-microphone distance. Normalised so the direct
    sound is 1 at sample 0."""
    (rt_lo, rt_hi), (d_lo, d_hi), (v_lo, v_hi) = ROOMS[room]
    rt60 = rng.uniform(rt_lo, rt_hi)
    volume = rng.uniform(v_lo, v_hi)
    ratio = rng.uniform(1.2, 2.0, size=2)  # length / width, width / height
    height = (volume / (ratio[0] * ratio[1] ** 2)) ** (1 / 3)
    dims = np.array([height * ratio[1] * ratio[0], height * ratio[1], height])
    surface = 2 * (dims[0] * dims[1] + dims[0] * dims[2] + dims[1] * dims[2])
    c = 343.0
    alpha_1k = min(0.9, 0.161 * volume / (surface * rt60))
    alpha = np.clip(alpha_1k * np.array(_ABSORPTION_SHAPE) * rng.uniform(0.85, 1.15, size=len(_BANDS_HZ)), 0.01, 0.95)
    rt_band = 0.161 * volume / (surface * alpha + 4 * np.array(_AIR_PER_M) * volume)
    # Source and microphone: inside the room, 1 m from the walls, at the drawn distance if it fits.
    src = rng.uniform(1.0, dims - 1.0)
    dist = min(rng.uniform(d_lo, d_hi), float(np.min(dims)) - 2.0)
    for _ in range(100):
        v = rng.standard_normal(3)
        mic = src + dist * v / np.linalg.norm(v)
        if np.all(mic > 1.0) and np.all(mic < dims - 1.0):
            break
    else:
        mic = np.clip(src + dist / np.sqrt(3), 1.0, dims - 1.0)
    direct_m = float(np.linalg.norm(mic - src))
    # Image sources up to order 6: position per axis n * 2L +- src, reflections |2n| or |2n - 1|.
    order = 6
    beta = math.sqrt(1.0 - alpha_1k)
    n = np.arange(-order, order + 1)
    pos, refl = [], []
    for axis in range(3):
        p = np.concatenate([2 * n * dims[axis] + src[axis], 2 * n * dims[axis] - src[axis]])
        r = np.concatenate([np.abs(2 * n), np.abs(2 * n - 1)])
        pos.append(p - mic[axis])
        refl.append(r)
    dx, dy, dz = np.meshgrid(*pos, indexing="ij")
    rx, ry, rz = np.meshgrid(*refl, indexing="ij")
    total = (rx + ry + rz).ravel()
    dist_m = np.sqrt(dx**2 + dy**2 + dz**2).ravel()
    keep = total <= order
    dist_m, total = dist_m[keep], total[keep]
    t_end = max(0.02, (float(dist_m[total == order].min()) - direct_m) / c)
    n_len = int((1.2 * float(rt_band.max()) + t_end + 0.05) * SR)
    ir = np.zeros(n_len)
    delay = np.round((dist_m - direct_m) / c * SR).astype(int)
    ok = delay < n_len
    np.add.at(ir, delay[ok], (direct_m / dist_m[ok]) * beta ** total[ok])
    # The diffuse tail: rising over the last 30 % of the early part, then each band decaying at its
    # own rate from the diffuse field's level at this distance (energy over the direct sound's in
    # the band: 16 pi r^2 / R, R = S a / (1 - a)).
    t = np.arange(n_len) / SR
    f = np.fft.rfftfreq(n_len, 1 / SR)
    spec = np.fft.rfft(rng.standard_normal(n_len))
    edges = [0.0, *(math.sqrt(a * b) for a, b in itertools.pairwise(_BANDS_HZ)), SR / 2 + 1]
    rise = np.clip((t - 0.7 * t_end) / (0.3 * t_end), 0.0, 1.0)
    tail = np.zeros(n_len)
    for k in range(len(_BANDS_HZ)):
        band = np.fft.irfft(np.where((f >= edges[k]) & (f < edges[k + 1]), spec, 0), n_len)
        share = (min(edges[k + 1], SR / 2) - edges[k]) / (SR / 2)
        target = 16 * math.pi * direct_m**2 * (1.0 - alpha[k]) / (surface * alpha[k]) * share
        shaped = band * rise * np.exp(-6.91 * np.maximum(t - t_end, 0) / rt_band[k])
        tail += shaped * math.sqrt(target / max(float(np.sum(shaped**2)), 1e-12))
    ir += tail
    ir /= ir[0]
    return ir


def mic_colouring(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A microphone and preamp's colouring: a smooth random EQ (three cosines on log frequency,
    up to +-3 dB each), a 12 dB/octave high-pass at 40-150 Hz and a 24 dB/octave low-pass at 7-16 kHz."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / SR)
    octave = np.log2(np.maximum(f, 20.0) / 20.0)
    gain_db = sum(rng.uniform(0, 3) * np.cos(2 * np.pi * octave / rng.uniform(2, 8) + rng.uniform(0, 2 * np.pi)) for _ in range(3))
    hp, lp = rng.uniform(40, 150), rng.uniform(7000, 16000)
    mag = 10 ** (gain_db / 20) * np.sqrt(f**4 / (f**4 + hp**4)) / np.sqrt(1 + (f / lp) ** 8)
    return np.fft.irfft(spec * mag, len(x))


def _noise(n: int, colour: str, rng: np.random.Generator) -> np.ndarray:
    """Unit-power noise: white, pink (1/f) or brown (1/f^2)."""
    w = rng.standard_normal(n)
    if colour == "white":
        return w
    f = np.fft.rfftfreq(n, 1 / SR)
    power = {"pink": 1.0, "brown": 2.0}[colour]
    shaped = np.fft.irfft(np.fft.rfft(w) / np.maximum(f, 20.0) ** (power / 2), n)
    return shaped / max(float(np.std(shaped)), 1e-12)


def item_variation(plan: dict[str, Any], variation: Variation) -> dict[str, str]:
    """The soundfont, room and noise colour one item gets under ``variation`` (seeded by the item)."""
    rng = np.random.default_rng([plan["item_seed"], 2])
    return {
        "soundfont": variation.soundfonts[int(rng.integers(len(variation.soundfonts)))],
        "room": variation.rooms[int(rng.integers(len(variation.rooms)))],
        "noise_colour": str(rng.choice(["white", "pink", "brown"])) if variation.mic else "white",
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
    """Write the MIDI, render it with FluidSynth, add seeded noise and write wav + truth JSON."""
    import soundfile as sf

    mel: Melody = plan["melody"]
    events = _loop_and_cut(mel, plan["n_bars"])
    notes = _midi_notes(plan, events)
    controls: list[tuple[int, bytes]] = []
    if variation.expression:
        notes, controls = _expressive(plan, notes)
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
        noise = _noise(len(x), chosen["noise_colour"], rng) * math.sqrt(p_sig / 10 ** (snr / 10))
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
    return None if variation.is_default else {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(variation).items()}


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


def parse_variation(
    name: str | None, *, soundfonts: str | None = None, rooms: str | None = None, mic: bool = False, expression: bool = False
) -> Variation:
    """A named variation (:data:`VARIATIONS`), or one made of the given parts (``soundfonts`` and
    ``rooms`` as comma lists); ``ValueError`` names an unknown part."""
    if name is not None:
        if name not in VARIATIONS:
            raise ValueError(f"unknown variation {name!r} (choose from {', '.join(VARIATIONS)})")
        return VARIATIONS[name]
    sf_names = tuple(x for x in (soundfonts or "fluidr3").split(",") if x)
    room_names = tuple(x for x in (rooms or "none").split(",") if x)
    for got, known, what in ((sf_names, SOUNDFONTS, "soundfont"), (room_names, ROOMS, "room")):
        bad = [x for x in got if x not in known]
        if bad:
            raise ValueError(f"unknown {what} {bad[0]!r} (choose from {', '.join(known)})")
    return Variation(soundfonts=sf_names, rooms=room_names, mic=mic, expression=expression)


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
