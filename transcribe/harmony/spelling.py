"""Pitch spelling: a MIDI pitch's written name in a key.

Spelling follows the key: scale tones take the key's letter names, chromatic
tones are sharps in sharp keys and flats in flat keys (raised 6th and 7th in
minor as sharps of the natural scale degree), so F# appears in D major and
Bb in F major.
"""

from __future__ import annotations

from ..values import Key
from .key import LETTERS, MAJOR_STEPS, MAJOR_TONIC, MINOR_STEPS, NATURAL_PC, accidental, key_signature_sharps, tonic_pc


def spelling_table(key: str) -> list[str]:
    """Letter + accidental for each pitch class 0..11 in ``key``."""
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
    sharps = key_signature_sharps(key) >= 0
    scale = list(table)
    for pc in range(12):
        if scale[pc] is None:
            # Raise the tone below or lower the tone above, whichever needs fewer
            # accidentals (C natural, not B#, in D major); ties go the key's way.
            below = scale[(pc - 1) % 12] or MAJOR_TONIC[(pc - 1) % 12]
            above = scale[(pc + 1) % 12] or MAJOR_TONIC[(pc + 1) % 12]
            up, down = _raise(below), _lower(above)
            cost_up, cost_down = len(up) - 1, len(down) - 1
            table[pc] = up if (cost_up, not sharps) < (cost_down, sharps) else down
    return [t or "C" for t in table]


def _raise(name: str) -> str:
    return name[:-1] if name.endswith("b") else name + "#"


def _lower(name: str) -> str:
    return name[:-1] if name.endswith("#") else name + "b"


def spell(midi: int, key: str) -> str:
    """Name of a MIDI pitch in a key, with octave, e.g. ``spell(66, "D major") == "F#4"``.

    The octave follows the letter (B#3 is MIDI 60, Cb5 is MIDI 71).
    """
    name = spelling_table(key)[midi % 12]
    letter_pc = NATURAL_PC[name[0]]
    alter = name.count("#") - name.count("b")
    octave = (midi - alter - letter_pc) // 12 - 1
    return f"{name}{octave}"
