"""How a rendered item is played: its written events as MIDI notes with the item's articulation and
velocities (:func:`midi_notes`), for a variation with expression, timing, dynamics, slurs,
slides and vibrato (:func:`expressive`), and for one with dynamics, the loudness moving inside
each held note (:func:`note_dynamics`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.rendered.corpus import Event, Melody
from benchmarks.smf import TICKS_PER_QUARTER, MidiNote

#: Sustained instruments: the ones that get vibrato, slides and legato slurs under ``--expression``.
SUSTAINED = {"flute", "violin", "clarinet", "trumpet", "alto_sax", "oboe", "cello", "choir_aahs", "voice_oohs", "french_horn"}
#: Pitch-bend units per semitone (FluidSynth's default bend range is 2 semitones).
BEND_PER_SEMITONE = 8192 / 2


def lead_ticks(plan: dict[str, Any]) -> int:
    return round(plan["lead_s"] * 1e6 / plan["us_per_quarter"] * TICKS_PER_QUARTER)


def midi_notes(plan: dict[str, Any], events: list[Event]) -> list[MidiNote]:
    """Turn written events into MIDI ticks with the item's articulation and velocities."""
    mel: Melody = plan["melody"]
    rng = np.random.default_rng(plan["item_seed"])
    us = plan["us_per_quarter"]
    lead = lead_ticks(plan)
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


def bend(tick: int, semitones: float) -> tuple[int, bytes]:
    """A pitch-bend message on channel 0 at ``tick``."""
    value = int(np.clip(round(8192 + semitones * BEND_PER_SEMITONE), 0, 16383))
    return tick, bytes([0xE0, value & 0x7F, value >> 7])


def bend_semitones(data: bytes) -> float:
    """The deviation (semitones) a pitch-bend message of :func:`bend` carries."""
    return ((data[1] | data[2] << 7) - 8192) / BEND_PER_SEMITONE


def expressive(plan: dict[str, Any], notes: list[MidiNote]) -> tuple[list[MidiNote], list[tuple[int, bytes]]]:
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
                controls.append(bend(tick, dev))
    return out, controls


#: The level a held note's expression curve starts from (MIDI controller 11; 127 is full level).
#: FluidSynth and the three training soundfonts attenuate by about 40 log10(value / 127) dB.
EXPRESSION_TOP = 127


def expression_value(db: float) -> int:
    """Controller-11 value for a level ``db`` (<= 0) under the top: 127 x 10^(db / 40)."""
    return int(np.clip(round(EXPRESSION_TOP * 10 ** (min(db, 0.0) / 40.0)), 1, 127))


#: Largest bend (semitones) :func:`expressive` gives a vibrato; a larger one is a slide.
VIBRATO_MAX_ST = 0.4


def note_dynamics(
    plan: dict[str, Any], notes: list[MidiNote], controls: list[tuple[int, bytes]], *, vibrato_level: bool = False
) -> list[tuple[int, bytes]]:
    """``controls`` (what :func:`expressive` gave ``notes``) with the loudness moving inside each
    held note of a sustained instrument (seeded by the item): controller-11 messages every 15 ms.
    A real player's held note is not one level: it swells and fades (messa di voce), tapers at its
    end before the release, and pulses with the vibrato (tremolo); none of these is a new note.
    Per item, each shape's chance and depth are drawn (a plain player to a very expressive one);
    notes of other instruments keep full level and ``controls`` as they were.

    - *swell*: up to ``swell_db`` under the note's peak at its start and end, a note of 0.4 s or more;
    - *taper*: the last 25-60 % of a note of 0.3 s or more falls by up to ``taper_db``;
    - *tremolo*: a level vibrato of up to ``tremolo_db`` (peak to peak) at 4-7 Hz after 0.15 s;
      with ``vibrato_level``, instead, the vibrato's own bends (those of at most
      :data:`VIBRATO_MAX_ST`) are made up to twice as wide (a jazz saxophone's or a singer's
      40-80 cents) and the level follows them, up to 2-8 dB lower at the flat end of each cycle
      (a wind player's vibrato moves the breath, and with it both).
    """
    if plan["instrument"] not in SUSTAINED or not notes:
        return list(controls)
    widen, follow_db = 1.0, 0.0
    if vibrato_level:
        vib_rng = np.random.default_rng([plan["item_seed"], 7])
        widen, follow_db = vib_rng.uniform(1.0, 2.0), 0.0 if vib_rng.random() < 0.2 else vib_rng.uniform(1.0, 4.0)
    vibrato: dict[int, float] = {}  # tick -> the vibrato's bend there (semitones, before widening)
    out: list[tuple[int, bytes]] = []
    for tick, data in controls:
        dev = bend_semitones(data) if data[0] == 0xE0 else None
        if vibrato_level and dev is not None and 0 < abs(dev) <= VIBRATO_MAX_ST + 1e-9:
            vibrato[tick] = dev
            out.append(bend(tick, dev * widen))
        else:
            out.append((tick, data))
    # The same draws with or without ``vibrato_level`` (its tremolo's too, unused then): a -vib
    # set's swells and tapers are its -dyn set's.
    rng = np.random.default_rng([plan["item_seed"], 6])
    tps = 1e6 / plan["us_per_quarter"] * TICKS_PER_QUARTER  # ticks per second
    p_swell, swell_db = rng.uniform(0.0, 0.6), rng.uniform(2.0, 8.0)
    p_taper, taper_db = rng.uniform(0.1, 0.8), rng.uniform(3.0, 12.0)
    tremolo_db = 0.0 if rng.random() < 0.4 else rng.uniform(0.5, 3.0)
    tremolo_hz = rng.uniform(4.0, 7.0)
    step = round(0.015 * tps)
    for i, n in enumerate(notes):
        end = min(n.off_tick, notes[i + 1].on_tick) if i + 1 < len(notes) else n.off_tick
        length_s = (end - n.on_tick) / tps
        swell = rng.uniform(0.3, 1.0) * swell_db if length_s >= 0.4 and rng.random() < p_swell else 0.0
        taper = rng.uniform(0.3, 1.0) * taper_db if length_s >= 0.3 and rng.random() < p_taper else 0.0
        taper_from = rng.uniform(0.4, 0.75)
        phase = rng.uniform(0, 2 * np.pi)
        last = None
        for tick in range(n.on_tick, max(end, n.on_tick + 1), step):
            x = (tick - n.on_tick) / max(end - n.on_tick, 1)  # 0 -> 1 through the note
            t = (tick - n.on_tick) / tps
            db = -swell * (2.0 * x - 1.0) ** 2
            if x > taper_from:
                db -= taper * (x - taper_from) / (1.0 - taper_from)
            if vibrato_level:
                db += follow_db * (vibrato.get(tick, 0.0) / VIBRATO_MAX_ST - 1.0)
            elif tremolo_db and t > 0.15:
                db += tremolo_db / 2 * (np.sin(2 * np.pi * tremolo_hz * t + phase) - 1.0)
            value = expression_value(db)
            if value != last:
                out.append((tick, bytes([0xB0, 11, value])))
                last = value
    return sorted(out, key=lambda c: c[0])
