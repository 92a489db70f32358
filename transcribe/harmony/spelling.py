"""Pitch spelling: a MIDI pitch's written name in a key.

Spelling follows the key: scale tones take the key's letter names, chromatic
tones are sharps in sharp keys and flats in flat keys (raised 6th and 7th in
minor as sharps of the natural scale degree), so F# appears in D major and
Bb in F major. In a melody (:func:`spell_line`) a chromatic tone is named by where the line
goes: C C# D and D Db C in F major.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..values import Key
from .key import LETTERS, MAJOR_STEPS, MAJOR_TONIC, MINOR_STEPS, NATURAL_PC, accidental, key_signature_sharps, tonic_pc


def _scale_names(key: str) -> list[str | None]:
    """Letter + accidental of each pitch class 0..11 that belongs to ``key`` (its scale, and in
    minor the raised 6th and 7th as sharps of their degrees); ``None`` for the chromatic ones."""
    tonic, mode = Key(key).tonic, Key(key).mode
    pc0 = tonic_pc(tonic)
    letter0 = LETTERS.index(tonic[0].upper())
    steps = MINOR_STEPS if mode == "minor" else MAJOR_STEPS
    table: list[str | None] = [None] * 12
    for degree, step in enumerate(steps):
        letter = LETTERS[(letter0 + degree) % 7]
        pc = (pc0 + step) % 12
        table[pc] = letter + accidental(pc - NATURAL_PC[letter])
    if mode == "minor":  # raised 6th and 7th (melodic/harmonic minor) as sharps of their degrees
        for degree, step in ((5, 9), (6, 11)):
            letter = LETTERS[(letter0 + degree) % 7]
            pc = (pc0 + step) % 12
            table[pc] = letter + accidental(pc - NATURAL_PC[letter])
    return table


def _chromatic_names(scale: list[str | None], pc: int) -> tuple[str, str]:
    """A chromatic pitch class's two names: the scale tone below it raised, the one above lowered."""
    below = scale[(pc - 1) % 12] or MAJOR_TONIC[(pc - 1) % 12]
    above = scale[(pc + 1) % 12] or MAJOR_TONIC[(pc + 1) % 12]
    return _raise(below), _lower(above)


def spelling_table(key: str) -> list[str]:
    """Letter + accidental for each pitch class 0..11 in ``key``."""
    return _table_of(_scale_names(key), sharps=key_signature_sharps(key) >= 0)


def _table_of(scale: list[str | None], *, sharps: bool) -> list[str]:
    """:func:`spelling_table` from the key's :func:`_scale_names` and whether it is a sharp key."""
    table = list(scale)
    for pc in range(12):
        if scale[pc] is None:
            # Raise the tone below or lower the tone above, whichever needs fewer
            # accidentals (C natural, not B#, in D major); ties go the key's way.
            up, down = _chromatic_names(scale, pc)
            cost_up, cost_down = len(up) - 1, len(down) - 1
            table[pc] = up if (cost_up, not sharps) < (cost_down, sharps) else down
    return [t or "C" for t in table]


def spell_line(midis: Sequence[int], key: str) -> list[str]:
    """Names with octave of a melody's pitches in ``key``, the chromatic ones by where the line goes.

    A scale tone is named as :func:`spell` names it. A chromatic tone whose two names need
    equally many accidentals takes the name a letter next to the next different pitch when the
    line moves on to it by a step of one or two semitones (C C# D and D Db C in F major; Ab Gb
    Ab in Ab major); where it leaves by a leap, the name in the direction it came by a step from
    the previous different pitch (D D# G, E Eb C in C major); otherwise the key's. A name with
    fewer accidentals always wins (F natural, not E#, in E major).

    Args:
        midis: MIDI numbers in melody order.
        key: Key like ``"F major"``.

    Returns:
        One name with octave per pitch, e.g. ``"C#4"``.
    """
    scale = _scale_names(key)
    table = _table_of(scale, sharps=key_signature_sharps(key) >= 0)
    out = []
    for i, midi in enumerate(midis):
        pc = midi % 12
        name = table[pc]
        if scale[pc] is None:
            up, down = _chromatic_names(scale, pc)
            if len(up) == len(down):
                name = _toward_neighbours(midis, i, table, up, down) or name
        out.append(_with_octave(midi, name))
    return out


def _toward_neighbours(midis: Sequence[int], i: int, table: list[str], up: str, down: str) -> str | None:
    """Which of a chromatic tone's names ``up`` and ``down`` the melody around note ``i`` asks for:
    the one a letter next to the next different pitch it steps to (C# before D, Gb before Ab a
    whole tone up), else the one in the direction it came by a step from the previous different
    pitch (D D# and E Eb); ``None`` where neither decides."""
    midi = midis[i]
    after, before = i + 1, i - 1
    while after < len(midis) and midis[after] == midi:
        after += 1
    while before >= 0 and midis[before] == midi:
        before -= 1
    nxt = midis[after] if after < len(midis) else None
    prev = midis[before] if before >= 0 else None
    if nxt is not None and abs(nxt - midi) <= 2:
        target = LETTERS.index(table[nxt % 12][0])
        step = 1 if nxt > midi else -1
        fits = [name for name in (up, down) if (target - LETTERS.index(name[0])) % 7 == step % 7]
        if len(fits) == 1:
            return fits[0]
    if prev is not None and abs(midi - prev) <= 2:
        return up if midi > prev else down
    return None


def _raise(name: str) -> str:
    return name[:-1] if name.endswith("b") else name + "#"


def _lower(name: str) -> str:
    return name[:-1] if name.endswith("#") else name + "b"


def spell(midi: int, key: str) -> str:
    """Name of a MIDI pitch in a key, with octave, e.g. ``spell(66, "D major") == "F#4"``.

    The octave follows the letter (B#3 is MIDI 60, Cb5 is MIDI 71).
    """
    return _with_octave(midi, spelling_table(key)[midi % 12])


def _with_octave(midi: int, name: str) -> str:
    """``name`` (letter + accidental) with the octave of ``midi``, which follows the letter."""
    letter_pc = NATURAL_PC[name[0]]
    alter = name.count("#") - name.count("b")
    octave = (midi - alter - letter_pc) // 12 - 1
    return f"{name}{octave}"
