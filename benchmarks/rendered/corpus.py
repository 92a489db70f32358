"""The tunes of the rendered sets: clean monophonic melodies from the music21 corpus, and each
item's plan (tune, instrument, transposition, tempo, length, articulation, noise) drawn from a seed.

Melodies come from Essen folksongs, Ryan's Mammoth Collection and Bach chorale soprano lines
(:func:`candidates`); :func:`load_melody` keeps a tune only when its notation facts are clean, and
:func:`plan_items` draws every choice from ``numpy.random.default_rng(seed)``, so the same seed
gives the same plans.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

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


def corpus_dir() -> Path:
    import music21

    return Path(music21.__file__).resolve().parent / "corpus"


def candidates() -> dict[str, list[tuple[str, int | None]]]:
    """All candidate (path, tune number) pairs per source, in a fixed sorted order."""
    root = corpus_dir()
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


def key_name(tonic: str, mode: str) -> str:
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


def loop_and_cut(mel: Melody, n_bars: int) -> list[Event]:
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
    cands = candidates()
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
            if any(e.midi for e in loop_and_cut(mel_t, n_bars)):
                break
        plans.append(
            {
                "index": idx,
                "id": f"r{idx:03d}_{instrument}_{noise_order[idx]}",
                "melody": mel_t,
                "source_path": str(Path(path).relative_to(corpus_dir())),
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
