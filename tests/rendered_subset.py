"""A small, deterministic subset of the benchmark's rendered set, for tests.

Four items of ``python -m benchmarks.build_rendered --seed 0 --items 48`` (byte-identical to the
same items of the full set), rendered by FluidSynth with the FluidR3 GM soundfont.  Chosen to be
representative but not pathological: guitar, oboe, alto sax, trumpet (no choir aahs or cello,
which are known-hard), covering all three noise conditions (clean, 30 dB and 20 dB SNR).
Shared by ``test_accuracy_floor.py`` and ``test_musescore.py``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

SEED = 0
N_ITEMS = 48
# index in the seed-0 set -> id (checked after building)
SUBSET = {
    2: "r002_nylon_guitar_snr20",
    3: "r003_oboe_snr20",
    5: "r005_alto_sax_snr30",
    9: "r009_trumpet_clean",
}


@dataclass(frozen=True)
class RenderedItem:
    """One rendered item: its audio file and ground truth (the builder's JSON)."""

    id: str
    wav: Path
    truth: dict[str, Any]

    @property
    def ref_notes(self) -> list[tuple[float, float, int]]:
        """Truth notes as (onset_s, offset_s, midi), like ``benchmarks.datasets.load_rendered``."""
        return [(n["onset_s"], n["offset_s"], int(n["midi"])) for n in self.truth["notes"]]


def missing_tools() -> str | None:
    """Why the subset cannot be rendered here, or ``None`` if it can."""
    from benchmarks.rendered.variations import SOUNDFONT

    if shutil.which("fluidsynth") is None:
        return "fluidsynth is not on PATH (apt-get install fluidsynth)"
    if not SOUNDFONT.exists():
        return f"soundfont {SOUNDFONT} is missing (apt-get install fluid-soundfont-gm, or set TRANSCRIBE_SF2)"
    return None


def build_subset(out_dir: Path) -> list[RenderedItem]:
    """Render the subset into ``out_dir`` and return its items in a fixed order."""
    from benchmarks.build_rendered import build_items

    ids = build_items(sorted(SUBSET), out_dir, seed=SEED, n_items=N_ITEMS)
    expected = [SUBSET[i] for i in sorted(SUBSET)]
    if ids != expected:
        raise AssertionError(f"the rendered set's plan changed: got {ids}, expected {expected}")
    return [RenderedItem(i, out_dir / f"{i}.wav", json.loads((out_dir / f"{i}.json").read_text())) for i in ids]


_CACHE: dict[str, Any] = {}


def subset_items(tmp_path_factory: Any) -> list[RenderedItem]:
    """The subset, rendered once per test session (into a pytest temporary folder)."""
    if "items" not in _CACHE:
        _CACHE["items"] = build_subset(tmp_path_factory.mktemp("rendered_subset"))
    return _CACHE["items"]


def transcription_of(item: RenderedItem) -> Any:
    """``transcribe.transcribe(item.wav)`` with default options, computed once per session."""
    key = f"tr:{item.id}"
    if key not in _CACHE:
        import transcribe

        _CACHE[key] = transcribe.transcribe(item.wav)
    return _CACHE[key]
