"""Golden outputs: what the pipeline writes today for a few fixed inputs.

For each case: the note-list CSV (its bytes, ``<case>.csv``) and the SHA-256 of the MusicXML
(its ``<encoding-date>`` line left out, which is today's date) and of the MIDI file, in
``hashes.json``. ``tests/test_golden.py`` checks the pipeline still writes exactly these.

Cases: the sample ``samples/ode_to_joy.wav``, three synthetic melodies (``tests/synth.py``: clean
4/4, detuned with vibrato in 3/4, 6/8 in noise) and, when the benchmark's rendered set has been
built (``python -m benchmarks.build_rendered``), three of its items.

Regenerate after a change that is meant to change outputs, and say so in the commit::

    python -m tests.golden.make_golden            # all cases (rendered ones only when built)
    python -m tests.golden.make_golden --check    # compare only; exit 1 on a difference
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
HASHES = HERE / "hashes.json"
RENDERED_DIR = REPO / "benchmarks" / "data" / "rendered" / "seed0"
RENDERED_IDS = ("r002_nylon_guitar_snr20", "r005_alto_sax_snr30", "r009_trumpet_clean")


@dataclass(frozen=True)
class Case:
    """One golden input: a name and how to transcribe it."""

    name: str
    run: Callable[[], Any]
    needs: Path | None = None  # a file that must exist (rendered items), else the case is skipped


def _synth(beats: list[tuple[int | None, float]], *, bpm: float, **render: Any) -> Callable[[], Any]:
    def run() -> Any:
        import transcribe
        from tests import synth

        y = synth.render(synth.melody(beats, bpm=bpm), **render)
        return transcribe.transcribe(y, sr=synth.SR)

    return run


def _file(path: Path) -> Callable[[], Any]:
    def run() -> Any:
        import transcribe

        return transcribe.transcribe(path)

    return run


def cases() -> list[Case]:
    """All golden cases, in a fixed order."""
    from tests import synth

    waltz = [(67, 1), (72, 2), (71, 1), (72, 1), (74, 1), (76, 3), (74, 1), (72, 1), (71, 1), (69, 3), (67, 3)]
    waltz = waltz * 2
    jig = [(69, 1.5), (71, 0.5), (72, 1), (74, 1.5), (72, 1.5), (71, 1), (69, 0.5), (67, 1), (69, 2), (None, 1)] * 2
    out = [
        Case("ode_to_joy_sample", _file(REPO / "samples" / "ode_to_joy.wav"), REPO / "samples" / "ode_to_joy.wav"),
        Case("synth_ode_100bpm", _synth(synth.ODE_TO_JOY, bpm=100)),
        Case("synth_waltz_detuned_vibrato", _synth(waltz, bpm=132, cents=-35.0, vibrato_cents=30.0)),
        Case("synth_jig_noise20", _synth(jig, bpm=84, noise_db=20.0, seed=3)),
    ]
    for item in RENDERED_IDS:
        wav = RENDERED_DIR / f"{item}.wav"
        out.append(Case(f"rendered_{item}", _file(wav), wav))
    return out


def outputs(tr: Any) -> tuple[bytes, dict[str, str]]:
    """The CSV bytes and the hashes of one transcription."""
    xml = re.sub(rb"\s*<encoding-date>[^<]*</encoding-date>", b"", tr.to_musicxml())
    csv = tr.to_csv()
    return csv, {
        "csv_sha256": hashlib.sha256(csv).hexdigest(),
        "musicxml_sha256": hashlib.sha256(xml).hexdigest(),
        "midi_sha256": hashlib.sha256(tr.to_midi()).hexdigest(),
        "n_notes": str(len(tr.written)),
        "time_signature": tr.time_signature,
        "key": tr.key,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the stored goldens instead of writing")
    args = ap.parse_args(argv)
    stored = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    new: dict[str, dict[str, str]] = {}
    bad = 0
    for case in cases():
        if case.needs is not None and not case.needs.exists():
            print(f"{case.name}: skipped ({case.needs} missing)")
            if case.name in stored:
                new[case.name] = stored[case.name]  # keep what was recorded where it was present
            continue
        csv, hashes = outputs(case.run())
        new[case.name] = hashes
        if args.check:
            same = stored.get(case.name) == hashes and (HERE / f"{case.name}.csv").read_bytes() == csv
            bad += not same
            print(f"{case.name}: {'same' if same else 'DIFFERENT'}")
        else:
            (HERE / f"{case.name}.csv").write_bytes(csv)
            print(f"{case.name}: {hashes['n_notes']} notes, {hashes['time_signature']}, {hashes['key']}")
    if not args.check:
        HASHES.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
