"""A minimal, exact Standard MIDI File (format 0) writer used by the rendered benchmark set.

Writing the bytes ourselves keeps every note-on/note-off tick under our control, so the ground
truth times in seconds are exactly the times FluidSynth plays.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_QUARTER = 960


@dataclass(frozen=True)
class MidiNote:
    """One sounding note: start/end in ticks, MIDI key number and velocity."""

    on_tick: int
    off_tick: int
    key: int
    velocity: int


def _vlq(value: int) -> bytes:
    """Encode a non-negative integer as a MIDI variable-length quantity."""
    if value < 0:
        raise ValueError("delta time must be non-negative")
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(out))


def write_smf(
    path: Path,
    notes: Iterable[MidiNote],
    *,
    us_per_quarter: int,
    program: int,
    time_signature: tuple[int, int],
    key_sharps: int,
    minor: bool,
    end_tick: int,
    controls: Iterable[tuple[int, bytes]] = (),
) -> None:
    """Write a one-track SMF with tempo, meter, key, program change and the notes on channel 0.

    At equal ticks note-offs are written before note-ons, so repeated pitches re-strike cleanly.
    ``controls`` are extra channel messages ``(tick, bytes)`` (pitch bends, controllers), written
    before the notes of their tick.
    """
    num, den = time_signature
    meta = [
        (0, 0, b"\xff\x51\x03" + us_per_quarter.to_bytes(3, "big")),
        (0, 0, bytes([0xFF, 0x58, 0x04, num, den.bit_length() - 1, 24, 8])),
        (0, 0, bytes([0xFF, 0x59, 0x02, key_sharps & 0xFF, 1 if minor else 0])),
        (0, 0, bytes([0xC0, program & 0x7F])),
    ]
    events: list[tuple[int, int, bytes]] = list(meta)
    events.extend((tick, 0, data) for tick, data in controls)
    for n in notes:
        events.append((n.on_tick, 2, bytes([0x90, n.key, max(1, min(127, n.velocity))])))
        events.append((n.off_tick, 1, bytes([0x80, n.key, 64])))
    events.sort(key=lambda e: (e[0], e[1]))
    last = max([e[0] for e in events] + [end_tick])
    events.append((last, 3, b"\xff\x2f\x00"))
    body = bytearray()
    tick = 0
    for t, _, data in events:
        body += _vlq(t - tick) + data
        tick = t
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_QUARTER)
    Path(path).write_bytes(header + b"MTrk" + struct.pack(">I", len(body)) + bytes(body))
