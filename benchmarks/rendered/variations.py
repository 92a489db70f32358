"""What a rendered set is played with: soundfonts, rooms, microphone and expression (:class:`Variation`).

The benchmark's default set is FluidR3 in FluidSynth's own reverb; a *variation* draws, per item, a
soundfont from :data:`SOUNDFONTS` and a room type from :data:`ROOMS`, and may colour the microphone
and play expressively. :data:`VARIATIONS` names the sets the benchmark and the fit scripts use; the
``held-out`` variation's soundfont and room are never used by a fit script.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

SOUNDFONT = Path(os.environ.get("TRANSCRIBE_SF2", "/usr/share/sounds/sf2/FluidR3_GM.sf2"))
#: Sample rate of every rendered file (Hz).
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
    # A large shoebox room by image sources (:func:`benchmarks.rendered.rooms.shoebox_response`): RT60 range (s), distance from
    # the source to the microphone (m), and the room's volume (m^3) in place of the pre-delay.
    "auditorium": ((1.2, 3.2), (1.5, 7.0), (2000.0, 9000.0)),
}
#: Room types built by :func:`benchmarks.rendered.rooms.shoebox_response` instead of the noise-tail model.
SHOEBOX_ROOMS = frozenset({"auditorium"})


@dataclass(frozen=True)
class Variation:
    """How a set is rendered beyond its plan: soundfonts and rooms drawn per item, microphone
    colouring and expressive playing. The default is the benchmark's FluidR3 set."""

    soundfonts: tuple[str, ...] = ("fluidr3",)
    rooms: tuple[str, ...] = ("none",)
    mic: bool = False
    expression: bool = False
    #: The loudness moves inside held notes (swells, tapers, tremolo:
    #: :func:`benchmarks.rendered.performance.note_dynamics`).
    dynamics: bool = False
    #: With :attr:`dynamics`: the vibrato up to twice as wide and the level following it, in place
    #: of a tremolo of its own (``vibrato_level`` of :func:`benchmarks.rendered.performance.note_dynamics`).
    vibrato_level: bool = False
    #: Every item played this many times faster than its plan's tempo (1: as planned).
    tempo_scale: float = 1.0

    @property
    def is_default(self) -> bool:
        return self == Variation()

    @property
    def tag(self) -> str:
        """A folder-name suffix naming the variation ('' for the default)."""
        if self.is_default:
            return ""
        parts = ["+".join(self.soundfonts), "+".join(self.rooms)] + (["mic"] if self.mic else []) + (["expr"] if self.expression else [])
        if self.dynamics:
            parts.append("dynvib" if self.vibrato_level else "dyn")
        if self.tempo_scale != 1.0:
            parts.append(f"x{self.tempo_scale:g}")
        return "-" + "-".join(parts)

    def played(self, plan: dict[str, Any]) -> dict[str, Any]:
        """``plan`` at this variation's tempo: the quarter note :attr:`tempo_scale` times shorter."""
        if self.tempo_scale == 1.0:
            return plan
        us_per_q = round(plan["us_per_quarter"] / self.tempo_scale)
        return {**plan, "us_per_quarter": us_per_q, "tempo_bpm": 60_000_000 / us_per_q}


#: The training material of the fit scripts: three soundfonts, four rooms, a microphone, expressive playing.
_VARIED = Variation(soundfonts=("fluidr3", "musescore", "timgm6mb"), rooms=("dry", "booth", "room", "chamber"), mic=True, expression=True)
#: Large reverberant rooms of another kind than the hall (image sources, per-band walls): training
#: material for the long reverberation no ``varied`` room reaches.
_AUDITORIUM = replace(_VARIED, rooms=("auditorium",))

#: Named variations: ``varied`` is the training material of the fit scripts (three soundfonts,
#: four rooms); ``held-out`` is a soundfont and a room type that no fit ever sees.
VARIATIONS: dict[str, Variation] = {
    "fluidr3": Variation(),
    "varied": _VARIED,
    "held-out": Variation(soundfonts=("gmbank",), rooms=("hall",), mic=True, expression=True),
    # The held-out set's room with the fitted soundfonts: a check set to choose on for the hall
    # (seed 7), never fitted on (the fit scripts refuse the hall).
    "hall-check": replace(_VARIED, rooms=("hall",)),
    "auditorium": _AUDITORIUM,
    # The varied and auditorium sets with the loudness moving inside held notes (swells, tapers,
    # tremolo), and with the vibrato wider and the level following it: check sets of what a held
    # note's own movement costs (refitting on them was tried, not kept: benchmarks/RESULTS.md).
    "varied-dyn": replace(_VARIED, dynamics=True),
    "auditorium-dyn": replace(_AUDITORIUM, dynamics=True),
    "varied-vib": replace(_VARIED, dynamics=True, vibrato_level=True),
    "auditorium-vib": replace(_AUDITORIUM, dynamics=True, vibrato_level=True),
    # The varied set played 1.7 times faster (100-240 BPM, a fast movement's runs of 60-150 ms
    # notes): a check set for fast passages, reported only, never fitted on.
    "fast": replace(_VARIED, tempo_scale=1.7),
    # The varied set played 2.5 times faster (a lick's runs of 40-100 ms notes, the shortest a
    # player articulates): a set to choose on for the shortest note kept (seed 5).
    "faster": replace(_VARIED, tempo_scale=2.5),
}
#: The benchmark's held-out rendered set: seed, items, variation.
HELD_OUT_SEED, HELD_OUT_ITEMS = 20, 48


def item_variation(plan: dict[str, Any], variation: Variation) -> dict[str, str]:
    """The soundfont, room and noise colour one item gets under ``variation`` (seeded by the item)."""
    rng = np.random.default_rng([plan["item_seed"], 2])
    return {
        "soundfont": variation.soundfonts[int(rng.integers(len(variation.soundfonts)))],
        "room": variation.rooms[int(rng.integers(len(variation.rooms)))],
        "noise_colour": str(rng.choice(["white", "pink", "brown"])) if variation.mic else "white",
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
