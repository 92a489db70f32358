"""What people look at (issue 6): the engraved score (SVG, PNG, PDF), the plot and the note list.

Through the command line on a short synthetic melody, and through the API on a
hand-built long score (no audio needed) for the multi-page cases.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pypdf import PdfReader

from tests.synth import ODE_TO_JOY, melody
from tests.synth import render as synth_render
from transcribe import cli
from transcribe.config import Options
from transcribe.errors import OutputError
from transcribe.notation import write_notes
from transcribe.output import notelist, plot, render
from transcribe.result import Transcription
from transcribe.types import Note, PitchTrack, Rhythm

SR = 44100
TUNE = ODE_TO_JOY[:8]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
A4_PT = (595.3, 841.9)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its IHDR chunk."""
    assert data[:8] == PNG_MAGIC, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def assert_svg(path: Path) -> ET.Element:
    """The file parses as XML with an <svg> root, and has music in it."""
    root = ET.parse(path).getroot()
    assert root.tag.rsplit("}", 1)[-1] == "svg"
    assert root.get("width", "").endswith("mm"), "pages are sized in millimetres"
    text = path.read_text(encoding="utf-8")
    assert 'class="staff"' in text and 'class="note"' in text
    return root


def midi_pitches(path: Path) -> list[int]:
    """MIDI numbers of the notes in a MIDI file, in time order (read back with music21)."""
    from music21 import converter

    score = converter.parse(str(path))
    notes = sorted(score.flatten().notes, key=lambda n: (n.offset, n.pitch.midi))
    return [int(n.pitch.midi) for n in notes]


@pytest.fixture(scope="module")
def tune_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second melody (8 notes at 120 BPM) as a WAV file."""
    path = tmp_path_factory.mktemp("audio") / "little_tune.wav"
    sf.write(path, synth_render(melody(TUNE, bpm=120)), SR, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def all_outputs(tune_wav: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI run once with --all; returns the output folder."""
    out = tmp_path_factory.mktemp("out")
    assert cli.main([str(tune_wav), "--all", "-o", str(out), "--quiet"]) == 0
    return out


def long_transcription(measures: int = 70) -> Transcription:
    """A hand-built 4/4 score of ``measures`` bars of quarters and eighths (two A4 pages), no audio."""
    bpm = 120.0
    q = 60.0 / bpm
    scale = [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62]
    notes, onsets, durations = [], [], []
    pos, i = Fraction(0), 0
    while pos < 4 * measures:
        d = Fraction(1, 2) if i % 3 else Fraction(1)
        notes.append(Note(float(pos) * q, float(pos + d) * q * 0.98, scale[i % len(scale)], 0.0, 0.9))
        onsets.append(pos)
        durations.append(d)
        pos, i = pos + d, i + 1
    rh = Rhythm(bpm, "4/4", 0.0, Fraction(0), tuple(onsets), tuple(durations))
    n = 50
    track = PitchTrack(np.linspace(0, float(pos) * q, n), np.full(n, 440.0), np.ones(n), np.zeros(n), "test")
    found = tuple(notes)
    return Transcription(
        source="<test>",
        title="A Long Tune",
        duration_s=float(pos) * q,
        options=Options(),
        raw_track=track,
        voiced=np.ones(n, dtype=bool),
        tuning_cents=0.0,
        notes=found,
        rhythm=rh,
        key="C major",
        written=write_notes(found, rh, "C major"),
    )


@pytest.fixture(scope="module")
def long_score() -> Transcription:
    return long_transcription()


# --- through the command line -----------------------------------------------------------


def test_all_writes_every_format(all_outputs: Path) -> None:
    names = sorted(p.name for p in all_outputs.iterdir())
    assert names == sorted(f"little_tune{f.suffix}" for f in cli.FORMATS)
    for p in all_outputs.iterdir():
        assert p.stat().st_size > 0, p


def test_svg_png_pdf_are_real(all_outputs: Path) -> None:
    assert_svg(all_outputs / "little_tune.svg")
    png = (all_outputs / "little_tune.png").read_bytes()
    width, height = png_size(png)
    assert width == round(210 / 25.4 * render.PNG_DPI)  # A4 width at 150 dpi = 1240 px
    assert 100 < height <= round(297 / 25.4 * render.PNG_DPI) + 1
    pdf = PdfReader(all_outputs / "little_tune.pdf")
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_PT, abs=1)


def test_page_has_title_tempo_key_time_and_clef(all_outputs: Path) -> None:
    svg = (all_outputs / "little_tune.svg").read_text(encoding="utf-8")
    assert "Little Tune" in svg  # title from the file name
    for cls in ("clef", "keySig", "meterSig", "tempo"):
        assert f'class="{cls}' in svg, cls


def test_the_piece_ends_with_a_final_bar_line_and_only_there(all_outputs: Path) -> None:
    root = ET.parse(all_outputs / "little_tune.musicxml").getroot()
    measures = root.findall("./part/measure")
    styles = [[b.findtext("bar-style") for b in m.findall("barline")] for m in measures]
    assert styles[-1] == ["light-heavy"]
    assert len(measures) > 1 and not any(styles[:-1])


def test_csv_round_trips_to_the_midi(all_outputs: Path) -> None:
    with open(all_outputs / "little_tune.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert tuple(table[0]) == notelist.COLUMNS
    assert [int(r["midi"]) for r in table] == [m for m, _ in TUNE]
    assert [int(r["midi"]) for r in table] == midi_pitches(all_outputs / "little_tune.mid")
    onsets = [float(r["onset_s"]) for r in table]
    assert onsets == sorted(onsets)
    assert all(float(r["offset_s"]) > float(r["onset_s"]) for r in table)
    assert all(float(r["duration_q"]) > 0 and 0 <= float(r["confidence"]) <= 1 and abs(float(r["cents"])) <= 50 for r in table)
    assert [r["name"] for r in table][:4] == ["F#4", "F#4", "G4", "A4"]


def test_plot_is_a_png_of_the_documented_size(all_outputs: Path) -> None:
    assert png_size((all_outputs / "little_tune.plot.png").read_bytes()) == (plot.WIDTH_PX, plot.HEIGHT_PX) == (1600, 800)


def test_existing_outputs_are_kept_without_force(tune_wav: Path, all_outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (all_outputs / "little_tune.png").read_bytes()
    assert cli.main([str(tune_wav), "--png", "-o", str(all_outputs)]) == 1
    err = capsys.readouterr().err
    assert "little_tune.png: already exists" in err and "Traceback" not in err
    assert (all_outputs / "little_tune.png").read_bytes() == before


# --- through the API ----------------------------------------------------------------------


def test_long_score_writes_every_page(long_score: Transcription, tmp_path: Path) -> None:
    svgs = long_score.write_svg(tmp_path / "long.svg")
    assert len(svgs) >= 2
    assert [p.name for p in svgs] == ["long.svg"] + [f"long-{i}.svg" for i in range(2, len(svgs) + 1)]
    for p in svgs:
        assert_svg(p)
    pngs = long_score.write_png(tmp_path / "long.png")
    assert [p.name for p in pngs] == ["long.png"] + [f"long-{i}.png" for i in range(2, len(pngs) + 1)]
    assert len(pngs) == len(svgs)
    for p in pngs:
        assert png_size(p.read_bytes())[0] == 1240
    pdf = long_score.write_pdf(tmp_path / "long.pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(long_score.to_svg(fit_height=False)) >= 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT, abs=1)
    # Every measure is engraved once, across the pages.
    measures = sum(p.read_text(encoding="utf-8").count('class="measure"') for p in svgs)
    assert measures == 70


def test_pages_are_checked_before_any_is_written(long_score: Transcription, tmp_path: Path) -> None:
    (tmp_path / "long-2.svg").write_text("keep me")
    with pytest.raises(OutputError, match=r"long-2\.svg: already exists"):
        long_score.write_svg(tmp_path / "long.svg")
    assert not (tmp_path / "long.svg").exists()
    assert (tmp_path / "long-2.svg").read_text() == "keep me"
    assert len(long_score.write_svg(tmp_path / "long.svg", force=True)) >= 2


def test_tempo_glyph_is_drawable_by_cairo(long_score: Transcription) -> None:
    svg = long_score.to_svg()[0]
    assert "\ueca5" in svg  # verovio's music-font quarter note in "♩ = 120"
    fixed = render.for_cairo(svg)
    assert "\ueca5" not in fixed and "\u2669" in fixed and "@font-face" not in fixed
    ET.fromstring(fixed)


def test_csv_matches_the_written_notes(long_score: Transcription) -> None:
    table = list(csv.DictReader(io.StringIO(long_score.to_csv().decode("utf-8"))))
    assert len(table) == len(long_score.written)
    for row, w in zip(table, long_score.written):
        assert (int(row["midi"]), row["name"], int(row["measure"])) == (w.midi, w.name, w.measure)
        assert float(row["onset_s"]) == pytest.approx(w.onset_s, abs=1e-3)
        assert float(row["beat"]) == pytest.approx(w.beat, abs=1e-4)
        assert Fraction(row["duration_q"]).limit_denominator(12) == w.duration_q


def test_plot_without_audio_or_notes_keeps_its_size(long_score: Transcription) -> None:
    assert png_size(long_score.plot()) == (1600, 800)  # no audio: no spectrogram
    kept = ("source", "title", "duration_s", "options", "raw_track", "voiced", "tuning_cents", "key")
    empty = Transcription(
        **{f: getattr(long_score, f) for f in kept}, notes=(), written=(), rhythm=Rhythm(100.0, "4/4", 0.0, Fraction(0), (), ())
    )
    assert png_size(empty.plot()) == (1600, 800)
    assert len(empty.to_svg()) == 1
    assert empty.to_csv().decode().strip() == ",".join(notelist.COLUMNS)


def test_musicxml_export_leaves_the_score_as_it_was() -> None:
    # build_score finishes the notation itself and the export skips music21's pass on a
    # copy: writing must not change the cached score, so a second export is identical.
    t = long_transcription(measures=12)
    before = len(list(t.score.recurse().notesAndRests))
    first, second = (re.sub(rb"<encoding-date>.*?</encoding-date>", b"", t.to_musicxml()) for _ in range(2))
    assert first == second
    assert len(list(t.score.recurse().notesAndRests)) == before
    assert first.count(b'<beam number="1">begin</beam>') > 0  # eighths are beamed by build_score


def test_engraving_works_in_any_thread(sample_result: Transcription, capfd: pytest.CaptureFixture) -> None:
    # verovio keeps its resource path per thread; the web page engraves in worker threads.
    import threading

    xml = sample_result.to_musicxml()
    here = render.engrave(xml)
    there: list[list[str]] = []
    worker = threading.Thread(target=lambda: there.append(render.engrave(xml)))
    worker.start()
    worker.join()
    assert there == [here]
    assert "font" not in capfd.readouterr().err  # verovio's "[Error] ... font could not be loaded"


@pytest.mark.parametrize(
    ("midis", "clef"),
    [
        ([95, 95, 96, 98, 93, 91, 91], "treble8va"),  # a whistled tune: no ledger-line tower
        ([84, 86, 88, 67], "treble"),  # centred high, but a G4 would sit two octaves under the staff
        ([64, 67, 72, 76], "treble"),
        ([50, 52, 55, 57], "treble8vb"),
        ([36, 40, 43], "bass"),
        ([36, 40, 43, 55], "bass"),
        ([28, 31, 33, 35, 36, 40, 28], "bass8vb"),  # a bass line down to its low E
        ([28, 31, 33, 35, 36, 40, 60], "bass"),  # a C4 would stand two octaves over the staff
    ],
)
def test_clef_keeps_the_melody_near_the_staff(midis: list[int], clef: str) -> None:
    from transcribe.output.score import choose_clef

    assert choose_clef(midis) == clef
