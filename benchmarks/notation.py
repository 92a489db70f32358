"""Notation check: count the defects a musician would circle in a MusicXML file.

``python -m benchmarks.notation FILE_OR_DIR...`` counts them in MusicXML files, or transcribes
audio files (``.wav``, ``.flac``, ...) first; it prints one line per file with defects and the totals.
:func:`count_defects` is what ``benchmarks/run.py`` uses beside its accuracy table.

Defect kinds (:data:`KINDS`):

- ``bad_bars``: a measure whose notes and rests do not add up to the time signature's length
  (a pickup, marked ``implicit``, may be shorter, never longer).
- ``voices``: a second voice or overlapping notes (``<backup>``, ``<chord/>`` or a voice other than 1).
- ``bad_ties``: a tie that does not join two consecutive notes of the same pitch.
- ``redundant_accidentals``: an accidental the key signature and the bar's earlier notes already give
  (a courtesy accidental on the first such note after a barline, where the last bar changed that
  note, is fine).
- ``missing_accidentals``: a note whose pitch the key signature and earlier notes do not give, with
  no accidental (a note continuing a tie is exempt).
- ``odd_tuplets``: notes in a tuplet other than a 3:2 triplet.
- ``incomplete_tuplets``: a run of triplet notes and rests in a bar that does not fill whole
  triplets (its length is not a plain value: a lone triplet eighth as a pickup, or a triplet
  split by the bar line).
- ``double_dotted_rests``: rests with two or more dots.
- ``music21_metadata``: "Music21" as composer, creator or credit on the page.
- ``final_barlines``: a part whose last measure does not end with a final bar line (thin-thick,
  ``light-heavy``), or a final bar line before its last measure.
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

KINDS = (
    "bad_bars",
    "voices",
    "bad_ties",
    "redundant_accidentals",
    "missing_accidentals",
    "odd_tuplets",
    "incomplete_tuplets",
    "double_dotted_rests",
    "music21_metadata",
    "final_barlines",
)

_STEPS_SHARP = "FCGDAEB"
_ALTER_OF = {"sharp": 1, "flat": -1, "natural": 0, "double-sharp": 2, "sharp-sharp": 2, "flat-flat": -2, "double-flat": -2}


def _key_alters(fifths: int) -> dict[str, int]:
    alters = dict.fromkeys("CDEFGAB", 0)
    if fifths > 0:
        for s in _STEPS_SHARP[:fifths]:
            alters[s] = 1
    for s in reversed(_STEPS_SHARP[7 + fifths :] if fifths < 0 else ""):
        alters[s] = -1
    return alters


def _incomplete(run_q: Fraction) -> int:
    """1 when a run of triplet notes and rests ``run_q`` quarters long leaves a triplet unfilled
    (whole triplets always add up to a plain value, one with no 3 in its denominator), else 0."""
    return int(run_q != 0 and run_q.denominator % 3 == 0)


def count_defects(xml: bytes) -> dict[str, int]:
    """Count each kind of :data:`KINDS` in one MusicXML document (partwise)."""
    from lxml import etree

    root = etree.fromstring(xml)
    out = dict.fromkeys(KINDS, 0)
    for el in root.iter("creator", "credit-words", "composer"):
        if "music21" in (el.text or "").lower():
            out["music21_metadata"] += 1
    for part in root.iter("part"):
        finals = [m.findtext("barline[@location='right']/bar-style") == "light-heavy" for m in part.iter("measure")]
        out["final_barlines"] += int(not finals or not finals[-1]) + sum(finals[:-1])
        divisions = 1
        bar_q = Fraction(4)
        key = _key_alters(0)
        prev_note = None  # (pitch tuple or None for a rest, tie_start)
        last_bar_shown: dict[tuple[str, int], int] = {}
        for measure in part.iter("measure"):
            pos = Fraction(0)
            end = Fraction(0)
            tuplet_run = Fraction(0)  # length of the run of triplet notes and rests going on
            shown: dict[tuple[str, int], int] = {}
            for child in measure:
                tag = child.tag
                if tag == "attributes":
                    d = child.find("divisions")
                    if d is not None:
                        divisions = int(d.text)
                    t = child.find("time")
                    if t is not None:
                        bar_q = Fraction(4 * int(t.findtext("beats")), int(t.findtext("beat-type")))
                    k = child.find("key/fifths")
                    if k is not None:
                        key = _key_alters(int(k.text))
                elif tag == "backup":
                    out["voices"] += 1
                    pos -= Fraction(int(child.findtext("duration")), divisions)
                elif tag == "forward":
                    pos += Fraction(int(child.findtext("duration")), divisions)
                    end = max(end, pos)
                elif tag == "note":
                    if child.find("grace") is not None:
                        continue
                    if child.find("chord") is not None or (child.findtext("voice") or "1") != "1":
                        out["voices"] += 1
                    dur = Fraction(int(child.findtext("duration") or 0), divisions)
                    if child.find("chord") is None:
                        pos += dur
                        end = max(end, pos)
                    tm = child.find("time-modification")
                    if tm is not None and (tm.findtext("actual-notes"), tm.findtext("normal-notes")) != ("3", "2"):
                        out["odd_tuplets"] += 1
                    if child.find("chord") is None:
                        if tm is not None:
                            tuplet_run += dur
                        else:
                            out["incomplete_tuplets"] += _incomplete(tuplet_run)
                            tuplet_run = Fraction(0)
                    ties = {t.get("type") for t in child.findall("tie")}
                    rest = child.find("rest") is not None
                    if rest:
                        if len(child.findall("dot")) >= 2:
                            out["double_dotted_rests"] += 1
                        if ties:
                            out["bad_ties"] += 1
                        if prev_note is not None and prev_note[1]:
                            out["bad_ties"] += 1  # a tie started into a rest
                        prev_note = (None, False)
                        continue
                    step = child.findtext("pitch/step")
                    octave = int(child.findtext("pitch/octave"))
                    alter = int(float(child.findtext("pitch/alter") or 0))
                    pitch = (step, octave, alter)
                    stops = "stop" in ties
                    if prev_note is not None and prev_note[1] and (not stops or prev_note[0] != pitch):
                        out["bad_ties"] += 1  # a tie start not answered by this note
                    if stops and (prev_note is None or not prev_note[1]):
                        out["bad_ties"] += 1  # a tie stop with no start before it
                    prev_note = (pitch, "start" in ties)
                    acc = child.findtext("accidental")
                    implied = shown.get((step, octave), key[step])
                    if acc is not None:
                        courtesy = (step, octave) not in shown and last_bar_shown.get((step, octave), key[step]) != alter
                        if implied == alter and not courtesy:
                            out["redundant_accidentals"] += 1
                        shown[(step, octave)] = alter
                    elif implied != alter and not stops:
                        out["missing_accidentals"] += 1
                        shown[(step, octave)] = alter
            out["incomplete_tuplets"] += _incomplete(tuplet_run)
            implicit = measure.get("implicit") == "yes"
            if end > bar_q or (end != bar_q and not implicit):
                out["bad_bars"] += 1
            last_bar_shown = shown
        if prev_note is not None and prev_note[1]:
            out["bad_ties"] += 1
    return out


def defect_table(scores: list[tuple[str, str, bytes]]) -> str:
    """A markdown table of the defect totals per set and system, from ``(set, system, musicxml)``."""
    totals: dict[tuple[str, str], dict[str, int]] = {}
    counts: dict[tuple[str, str], int] = {}
    for set_name, system, xml in scores:
        got = count_defects(xml)
        t = totals.setdefault((set_name, system), dict.fromkeys(KINDS, 0))
        counts[(set_name, system)] = counts.get((set_name, system), 0) + 1
        for k, v in got.items():
            t[k] += v
    head = "| set | system | scores | " + " | ".join(KINDS) + " |\n|" + "---|" * (3 + len(KINDS)) + "\n"
    return head + "".join(
        f"| {s} | {sy} | {counts[(s, sy)]} | " + " | ".join(str(t[k]) for k in KINDS) + " |\n" for (s, sy), t in sorted(totals.items())
    )


AUDIO = {".wav", ".flac", ".mp3", ".ogg", ".m4a", ".aif", ".aiff"}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.notation", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path, help="MusicXML or audio files, or folders of them")
    ap.add_argument("--dump", type=Path, default=None, help="write each transcription's MusicXML here")
    a = ap.parse_args(argv)
    files: list[Path] = []
    for p in a.paths:
        files.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in AUDIO | {".musicxml", ".xml"}) if p.is_dir() else [p])
    totals = dict.fromkeys(KINDS, 0)
    for f in files:
        if f.suffix.lower() in AUDIO:
            import transcribe

            xml = transcribe.transcribe(str(f)).to_musicxml()
            if a.dump is not None:
                a.dump.mkdir(parents=True, exist_ok=True)
                (a.dump / f"{f.stem}.musicxml").write_bytes(xml)
        else:
            xml = f.read_bytes()
        got = count_defects(xml)
        for k, v in got.items():
            totals[k] += v
        bad = {k: v for k, v in got.items() if v}
        if bad:
            print(f"{f.name}: " + ", ".join(f"{k} {v}" for k, v in bad.items()))
    print(f"{len(files)} files: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
