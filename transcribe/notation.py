"""Notation (no music21): notes named and placed in measures and beats (:func:`write_notes`), and
written notes to measures of notatable events (:func:`measures`).

Every measure this returns holds exactly its length (the pickup its own, the last
bar completed with rests); one voice; a note longer than one written value is split
into tied values of the same pitch (from a beat, the longest value that fits first;
in a compound meter a value that crosses a beat lasts whole beats); rests are split
at beats and the half bar the way engravers write them (no dotted rests but a
compound meter's beat; the first two eighths of a compound beat one quarter rest); triplets
(3:2) only, one bracket per beat where the beat needs them; accidentals only where
the key signature and the bar's earlier notes do not already give the pitch.
:mod:`transcribe.output.score` maps these events one to one onto music21 objects.

Positions are quarter notes, on the rhythm stage's grid of 1/12 quarter (16ths and
triplets); anything finer is rounded to it.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace
from fractions import Fraction

from .harmony import key_signature_sharps, spell_line
from .types import Note, Rhythm, WrittenNote
from .values import TimeSignature

#: The grid positions are rounded to (quarter notes).
GRID_Q = Fraction(1, 12)

#: Accidental names (MusicXML's) by alteration in semitones.
ACCIDENTALS = {-2: "flat-flat", -1: "flat", 0: "natural", 1: "sharp", 2: "double-sharp"}

_NAME_RE = re.compile(r"^([A-G])(#{0,2}|b{0,2})(-?\d+)$")
_ORDER_OF_SHARPS = "FCGDAEB"
#: Plain written values (quarters): whole note down to the 128th.
_PLAIN = frozenset(Fraction(4, 2**k) for k in range(0, 8))
_DOTTED = frozenset(v * Fraction(3, 2) for v in _PLAIN)
_DOUBLE_DOTTED = frozenset(v * Fraction(7, 4) for v in _PLAIN)


@dataclass(frozen=True)
class Event:
    """A note or rest as written: one notehead (or rest sign) with one written value.

    Attributes:
        offset_q: Position in the measure (quarters from the measure's first event).
        duration_q: Sounding length in quarters (2/3 of ``written_q`` in a triplet).
        written_q: Written value in quarters: a plain value, dotted or double-dotted
            (double dots on notes only).
        name: Spelled pitch with octave like ``"F#4"``; ``None`` for a rest.
        tie_start: Tied to the next event (a note of the same pitch).
        tie_stop: Tied from the previous event.
        accidental: The accidental to print (``"sharp"``, ``"flat"``, ``"natural"``,
            ``"double-sharp"``, ``"flat-flat"``), or ``None``.
        triplet: Part of a 3:2 triplet.
        bracket: ``"start"`` or ``"stop"`` on a triplet bracket's first and last event
            (``"startStop"`` on a bracket of one), else ``None``.
        full_measure: A rest filling a whole measure.
    """

    offset_q: Fraction
    duration_q: Fraction
    written_q: Fraction
    name: str | None
    tie_start: bool = False
    tie_stop: bool = False
    accidental: str | None = None
    triplet: bool = False
    bracket: str | None = None
    full_measure: bool = False


@dataclass(frozen=True)
class Measure:
    """One measure: its number (the pickup is 0), length in quarters and events."""

    number: int
    length_q: Fraction
    pickup: bool
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Meter:
    """How a time signature divides: bar, beat and the unit a triplet bracket covers."""

    bar_q: Fraction
    beat_q: Fraction
    compound: bool
    half_bar: bool
    chunk_q: Fraction

    @classmethod
    def of(cls, time_signature: str) -> Meter:
        ts = TimeSignature(time_signature)
        num, den = ts.numerator, ts.denominator
        unit = Fraction(4, den)
        compound = den >= 8 and num % 3 == 0
        beat = 3 * unit if compound else unit
        beats = num // 3 if compound else num
        return cls(num * unit, beat, compound, beats >= 4 and beats % 2 == 0, unit)


def parse_name(name: str) -> tuple[str, int, int]:
    """``"F#4"`` -> ``("F", 1, 4)``: letter, alteration in semitones and octave."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(f"not a pitch name: {name!r}")
    acc = m.group(2)
    return m.group(1), acc.count("#") - acc.count("b"), int(m.group(3))


def key_alters(key: str) -> dict[str, int]:
    """Alteration of each letter under a key's signature."""
    fifths = key_signature_sharps(key)
    alters = dict.fromkeys("CDEFGAB", 0)
    for s in _ORDER_OF_SHARPS[:fifths] if fifths > 0 else _ORDER_OF_SHARPS[7 + fifths :]:
        alters[s] = 1 if fifths > 0 else -1
    return alters


def _snap(x: Fraction) -> Fraction:
    return Fraction(round(x / GRID_Q)) * GRID_Q


def _dyadic(x: Fraction) -> bool:
    d = x.denominator
    return d & (d - 1) == 0


def _plain_or_dotted(length: Fraction, *, double: bool) -> bool:
    return length in _PLAIN or length in _DOTTED or (double and length in _DOUBLE_DOTTED)


def _timeline(written: tuple[WrittenNote, ...], shift: Fraction) -> list[tuple[Fraction, Fraction, str]]:
    """Notes as non-overlapping spans ``(start, end, name)`` on the grid, in shifted positions."""
    spans: list[tuple[Fraction, Fraction, str]] = []
    for w in sorted(written, key=lambda w: w.onset_q):
        start = _snap(w.onset_q) + shift
        end = max(_snap(w.onset_q + w.duration_q) + shift, start + GRID_Q)
        while spans and spans[-1][0] >= start:  # a later note at the same place replaces it
            spans.pop()
        if spans and spans[-1][1] > start:
            spans[-1] = (spans[-1][0], start, spans[-1][2])
        spans.append((start, end, w.name))
    return spans


def _split(a: Fraction, b: Fraction, levels: list[Fraction], ok, *, longest: bool = False) -> list[tuple[Fraction, Fraction]]:
    """Split ``[a, b)`` at the coarsest level's first boundary inside until ``ok`` accepts each piece.

    With ``longest``, a span that starts on a boundary of that level is cut at the level's last boundary
    inside whose first piece ``ok`` accepts (a note on beat 1 of 3/4 held 2.5 beats: half tied to an
    eighth, not quarter tied to dotted quarter)."""
    if ok(a, b):
        return [(a, b)]
    for step in levels:
        cut = (a // step + 1) * step
        if cut >= b:
            continue
        if longest and a % step == 0:
            last = -(-b // step) * step - step  # the last boundary of this level before b
            while last > cut and not ok(a, last):
                last -= step
            cut = last
        return _split(a, cut, levels, ok, longest=longest) + _split(cut, b, levels, ok, longest=longest)
    raise AssertionError(f"cannot write [{a}, {b})")  # pragma: no cover - the finest level is the grid


def _plain_pieces(a: Fraction, b: Fraction, meter: Meter, *, rest: bool, bar_start: bool) -> list[tuple[Fraction, Fraction]]:
    """Plain written values for ``[a, b)`` (positions from the bar line)."""
    bar, beat = meter.bar_q, meter.beat_q
    levels: list[Fraction] = [bar / 2] if meter.half_bar else []
    levels.append(beat)
    step = beat / 3 if meter.compound else beat / 2
    while step >= Fraction(1, 64):
        levels.append(step)
        step /= 2
    levels.append(GRID_Q / 4)

    def ok_note(x: Fraction, y: Fraction) -> bool:
        if not _plain_or_dotted(y - x, double=True):
            return False
        if meter.half_bar and x < bar / 2 < y and x != 0:
            return False
        # In a compound meter a note that crosses a beat starts on a beat and lasts whole beats: off the
        # beat it does not hide the next beat (6/8: quarter, tied eighth), and four eighths from a beat
        # are a dotted quarter tied to an eighth, not a half note.
        return not (meter.compound and (x // beat + 1) * beat < y and (x % beat or (y - x) % beat))

    def ok_rest(x: Fraction, y: Fraction) -> bool:
        n = y - x
        if x == 0 and y == bar and bar_start and _plain_or_dotted(n, double=False):
            return True
        if not (_dyadic(n) and n in _PLAIN) and not (meter.compound and n == beat):
            return False
        # A rest sits on its own value's grid, counted from its beat in a compound meter: the
        # first two eighths of a 6/8 beat are a quarter rest, its last two two eighth rests.
        if (x % beat if meter.compound and n < beat else x) % n:
            return False
        inside_beat = (x // beat + 1) * beat < y
        if inside_beat and not (x % beat == 0 and y % beat == 0):
            return False
        return not (meter.half_bar and x < bar / 2 < y)

    if rest:
        return _split(a, b, levels, ok_rest)
    return _split(a, b, levels, ok_note, longest=True)


def _triplet_pieces(a: Fraction, b: Fraction, start: Fraction, chunk: Fraction, *, rest: bool) -> list[tuple[Fraction, Fraction]]:
    """Written (triplet) values for ``[a, b)`` inside the triplet bracket of ``chunk`` quarters at ``start``:
    pieces in sounding positions, each of a plain written value once scaled by 3/2."""
    wa, wb = (a - start) * Fraction(3, 2), (b - start) * Fraction(3, 2)
    levels = []
    step = chunk / 2
    while step >= Fraction(1, 128):
        levels.append(step)
        step /= 2

    def ok(x: Fraction, y: Fraction) -> bool:
        n = y - x
        if rest:
            return n in _PLAIN and x % n == 0
        return _plain_or_dotted(n, double=True)

    return [(start + x * Fraction(2, 3), start + y * Fraction(2, 3)) for x, y in _split(wa, wb, levels, ok)]


def measures(written: tuple[WrittenNote, ...], rhythm: Rhythm, *, key: str) -> tuple[Measure, ...]:
    """The measures of a melody, every one full (see the module's docstring).

    Args:
        written: Notes with score positions (quarters from the start of the score,
            the start of the pickup if any) and written lengths.
        rhythm: The time signature and pickup.
        key: Key like ``"G major"``: the signature the accidentals are judged against.
    """
    meter = Meter.of(rhythm.time_signature)
    bar = meter.bar_q
    pickup = _snap(rhythm.pickup_q) % bar if rhythm.pickup_q > 0 else Fraction(0)
    shift = bar - pickup if pickup else Fraction(0)
    spans = _timeline(written, shift)
    end = spans[-1][1] if spans else bar
    n_bars = max(1, -(-end // bar))
    first = shift  # where written music starts (shifted positions)
    if pickup and not _dyadic(first):
        # A pickup that starts inside a triplet (a lone triplet eighth before the bar line) is
        # written from the start of its beat, the triplet's rests before it, so that no
        # bracket is left unfilled.
        first = (first // meter.chunk_q) * meter.chunk_q
    # (One moved back to the bar line is a full first bar; it keeps the pickup's number, 0, as
    # :func:`write_notes` counts it.)
    has_pickup = first > 0
    out = []
    si = 0
    for k in range(int(n_bars)):
        bar_start = k * bar
        lo = max(bar_start, first)
        hi = bar_start + bar
        # The note and rest spans of this bar, in positions from the bar line.
        parts: list[tuple[Fraction, Fraction, str | None, bool, bool]] = []  # start, end, name, tied from, tied to
        pos = lo
        while si < len(spans) and spans[si][0] < hi:
            s, e, name = spans[si]
            if s > pos:
                parts.append((pos - bar_start, s - bar_start, None, False, False))
            s0 = max(s, lo)
            parts.append((s0 - bar_start, min(e, hi) - bar_start, name, s < lo, e > hi))
            pos = min(e, hi)
            if e > hi:
                break
            si += 1
        if pos < hi:
            parts.append((pos - bar_start, bar, None, False, False))
        events = _write_bar(parts, meter, bar_first=lo - bar_start, key=key)
        offset0 = lo - bar_start
        events = tuple(_replace(e, offset_q=e.offset_q - offset0) for e in events)
        is_pickup = k == 0 and has_pickup
        out.append(Measure(k if pickup else k + 1, bar - offset0, is_pickup, events))
    return tuple(out)


def _triplet_groups(cuts: set[Fraction], meter: Meter) -> dict[Fraction, Fraction]:
    """The bar's triplet brackets: start -> length (positions from the bar line).

    In a simple meter, two beats from an even beat whose notes all fall on thirds of
    the pair share one bracket (quarter-note triplets in 4/4); otherwise each beat (an
    eighth in compound meters) whose notes need thirds gets one, or each half of it
    where the notes need thirds of the half (sixteenth-note triplets).
    """
    bar, chunk = meter.bar_q, meter.chunk_q
    n = int(bar / chunk)
    groups: dict[Fraction, Fraction] = {}

    def place(c0: Fraction, length: Fraction) -> None:
        inside = [p for p in cuts if c0 < p < c0 + length]
        if all(_dyadic(p) for p in inside):
            return
        if all((p - c0) % (length / 3) == 0 for p in inside) or length <= GRID_Q * 3:
            groups[c0] = length
            return
        place(c0, length / 2)
        place(c0 + length / 2, length / 2)

    done: set[int] = set()
    for i in sorted({int(p // chunk) for p in cuts if not _dyadic(p)}):
        if i in done:
            continue
        j = i - i % 2
        if not meter.compound and j + 1 < n and j not in done:
            c0 = j * chunk
            if all((p - c0) % (2 * chunk / 3) == 0 for p in cuts if c0 < p < c0 + 2 * chunk):
                groups[c0] = 2 * chunk
                done |= {j, j + 1}
                continue
        place(i * chunk, chunk)
        done.add(i)
    return groups


def _write_bar(parts: list, meter: Meter, *, bar_first: Fraction, key: str) -> list[Event]:
    """Events of one bar from its spans (positions from the bar line)."""
    groups = _triplet_groups({p for s, e, *_ in parts for p in (s, e)}, meter)
    edges = {c for c0, length in groups.items() for c in (c0, c0 + length)}
    events: list[Event] = []
    full = len(parts) == 1 and parts[0][2] is None and bar_first == 0
    for s, e, name, tied_from, tied_to in parts:
        bounds = sorted({s, e} | {c for c in edges if s < c < e})  # cut at the brackets' edges
        pieces: list[tuple[Fraction, Fraction, Fraction | None]] = []  # start, end, bracket start
        for a, b in itertools.pairwise(bounds):
            g = next((c0 for c0, length in groups.items() if c0 <= a < c0 + length), None)
            if g is not None:
                pieces += [(x, y, g) for x, y in _triplet_pieces(a, b, g, groups[g], rest=name is None)]
            else:
                pieces += [(x, y, None) for x, y in _plain_pieces(a, b, meter, rest=name is None, bar_start=full)]
        for j, (x, y, g) in enumerate(pieces):
            trip = g is not None
            events.append(
                Event(
                    x,
                    y - x,
                    (y - x) * Fraction(3, 2) if trip else y - x,
                    name,
                    tie_start=name is not None and (j < len(pieces) - 1 or tied_to),
                    tie_stop=name is not None and (j > 0 or tied_from),
                    triplet=trip,
                    full_measure=full and len(pieces) == 1,
                )
            )
    return _brackets(_accidentals(events, key), groups)


def _brackets(events: list[Event], groups: dict[Fraction, Fraction]) -> list[Event]:
    """Mark the first and last event of each triplet bracket."""
    out = list(events)
    members: dict[Fraction, list[int]] = {}
    for i, e in enumerate(events):
        if e.triplet:
            g = next(c0 for c0, length in groups.items() if c0 <= e.offset_q < c0 + length)
            members.setdefault(g, []).append(i)
    for idx in members.values():
        out[idx[0]] = _replace(out[idx[0]], bracket="start")
        out[idx[-1]] = _replace(out[idx[-1]], bracket="stop" if len(idx) > 1 else "startStop")
    return out


def _replace(e: Event, **changes: object) -> Event:
    return replace(e, **changes)  # type: ignore[arg-type]


def _accidentals(events: list[Event], key: str) -> list[Event]:
    """Show an accidental where the key signature and the bar's earlier notes do not give the pitch."""
    signature = key_alters(key)
    shown: dict[tuple[str, int], int] = {}
    out = []
    for e in events:
        if e.name is None:
            out.append(e)
            continue
        letter, alter, octave = parse_name(e.name)
        implied = shown.get((letter, octave), signature[letter])
        if e.tie_stop:  # a tied continuation carries no sign; the bar has not shown it
            out.append(e)
            continue
        if alter != implied:
            shown[(letter, octave)] = alter
            out.append(_replace(e, accidental=ACCIDENTALS[alter]))
        else:
            out.append(e)
    return out


def write_notes(found: tuple[Note, ...], rh: Rhythm, key: str) -> tuple[WrittenNote, ...]:
    """Attach names, measures and beats to the notes."""
    beat_q = rh.time_signature.beat_q
    measure_q = rh.measure_q
    out = []
    names = spell_line([n.midi for n in found], key)
    for n, name, on_q, dur_q in zip(found, names, rh.onsets_q, rh.durations_q):
        if rh.pickup_q > 0 and on_q < rh.pickup_q:
            measure, in_bar = 0, on_q + measure_q - rh.pickup_q
        else:
            since = on_q - rh.pickup_q
            measure = 1 + math.floor(since / measure_q)
            in_bar = since - (measure - 1) * measure_q
        out.append(
            WrittenNote(
                onset_s=n.onset_s,
                offset_s=n.offset_s,
                midi=n.midi,
                name=name,
                onset_q=on_q,
                duration_q=dur_q,
                measure=measure,
                beat=float(1 + in_bar / beat_q),
                cents=n.cents,
                confidence=n.confidence,
            )
        )
    return tuple(out)
