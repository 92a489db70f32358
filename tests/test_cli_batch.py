"""Batch runs, progress, reports and the shell-facing behaviour of the command line (issue 6)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from tests.synth import ODE_TO_JOY, melody, render
from transcribe import __version__, cli, pipeline

SR = 44100


def write_tune(path: Path, first: int = 0) -> Path:
    """A 3-second melody (6 notes of Ode to Joy from ``first``) as a 16-bit WAV."""
    sf.write(path, render(melody(ODE_TO_JOY[first : first + 6], bpm=120)), SR, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two good recordings, one broken file, and a text file to skip."""
    folder = tmp_path_factory.mktemp("recordings")
    write_tune(folder / "alpha.wav")
    write_tune(folder / "beta.wav", first=8)
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    (folder / "notes.txt").write_text("not an input")
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the CLI; return (exit status, stdout, stderr), checking no traceback leaked."""
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return rc, out, err


def test_folder_with_a_bad_file(batch_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, batch_dir, "-o", tmp_path, "--csv")
    assert rc == cli.EXIT_FAILED
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alpha.csv", "beta.csv"]
    errors = [line for line in err.splitlines() if line.startswith("transcribe: error:")]
    assert len(errors) == 1 and "broken.wav" in errors[0]
    # One report per good file, and a summary naming the failure.
    assert sum("alpha.wav: " in line and "notes" in line for line in err.splitlines()) == 1
    assert sum("beta.wav: " in line and "notes" in line for line in err.splitlines()) == 1
    summary = err.splitlines()[-1]
    assert summary.startswith("transcribe: 2 of 3 done in ") and "1 failed: " in summary and "broken.wav" in summary
    assert "\r" not in err  # stderr is not a terminal: no progress bar


def test_report_names_duration_tempo_key_meter_notes_tuning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = write_tune(tmp_path / "tune.wav")
    rc, _, err = run(capsys, wav, "-o", tmp_path / "out", "--csv")
    assert rc == 0
    report = err.splitlines()[0]
    assert report.startswith(f"{wav}: ")
    for part in (" s, ", "6 notes", "BPM", "/4", "tuning", "cents"):
        assert part in report, part
    assert " major, " in report or " minor, " in report
    assert err.splitlines()[1] == f"  wrote {tmp_path / 'out' / 'tune.csv'}"
    assert "transcribe: " not in err  # a single input has no summary line


@pytest.mark.parametrize(
    ("flag", "said"), [([], False), (["--tuning", "a440"], True), (["--tuning", "performance"], False), (["--tuning", "auto"], False)]
)
def test_report_says_when_notes_are_at_a440(tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: list[str], said: bool) -> None:
    wav = write_tune(tmp_path / "tune.wav")
    rc, _, err = run(capsys, wav, "-o", tmp_path / "out", *flag)
    assert rc == 0
    assert ("(notes at A440)" in err.splitlines()[0]) is said


def test_quiet_prints_nothing_on_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = write_tune(tmp_path / "a.wav"), write_tune(tmp_path / "b.wav", first=4)
    rc, out, err = run(capsys, a, b, "-o", tmp_path / "out", "--quiet", "--csv", "--svg")
    assert (rc, out, err) == (0, "", "")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.csv", "a.svg", "b.csv", "b.svg"]


def test_quiet_still_prints_errors(batch_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, batch_dir, "-o", tmp_path, "--quiet", "--csv")
    assert rc == 1 and out == ""
    assert err.splitlines() == [line for line in err.splitlines() if line.startswith("transcribe: error:")]
    assert len(err.splitlines()) == 1 and "broken.wav" in err


def test_progress_bar_on_a_terminal(
    batch_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.batch, "_stderr_is_terminal", lambda: True)
    rc, out, err = run(capsys, batch_dir, "-o", tmp_path, "--csv")
    assert rc == 1 and out == ""
    assert "3/3" in err and "file" in err  # the bar reached the end
    assert "broken.wav" in err and "alpha.wav" in err  # per-file status and the error line
    assert "transcribe: 2 of 3 done" in err


def test_unexpected_failure_is_one_line_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = write_tune(tmp_path / "a.wav"), write_tune(tmp_path / "b.wav", first=4)
    real = pipeline.Transcription.write_csv

    def flaky(self: pipeline.Transcription, path: object, *, force: bool = False) -> Path:
        if str(self.source).endswith("a.wav"):
            raise RuntimeError("boom")
        return real(self, path, force=force)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.Transcription, "write_csv", flaky)
    rc, _, err = run(capsys, a, b, "-o", tmp_path / "out", "--csv")
    assert rc == 1
    errors = [line for line in err.splitlines() if line.startswith("transcribe: error:")]
    assert errors == [f"transcribe: error: {a}: internal error (RuntimeError: boom): please report it with the input file"]
    assert (tmp_path / "out" / "b.csv").exists()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"transcribe {__version__}"


def test_help_shows_examples_and_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "transcribe recordings/ -o scores/" in text
    for f in cli.FORMATS:
        assert f"--{f.flag}" in text
    assert "--all" in text and "--quiet" in text


def test_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["x.wav", "--confidence", "2"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["transcribe: error: confidence 2.0 is out of range: give a number from 0 to 1"]


def test_bad_onsets_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["x.wav", "--onsets", "vowel"]) == cli.EXIT_USAGE
    assert "--onsets" in capsys.readouterr().err


def test_onsets_and_tuning_flags_reach_the_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    assert cli.parser._options(parser.parse_args(["x.wav"])).onsets == "auto"
    opts = cli.parser._options(parser.parse_args(["x.wav", "--onsets", "pitch", "--tuning", "performance"]))
    assert (opts.onsets, opts.tuning) == ("pitch", "performance")
    wav = write_tune(tmp_path / "tune.wav")
    rc, _, _ = run(capsys, wav, "-o", tmp_path / "p", "--csv", "--onsets", "pitch")
    assert rc == 0 and (tmp_path / "p" / "tune.csv").exists()


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    heavy = ("music21", "matplotlib", "verovio", "librosa", "onnxruntime", "cairosvg", "pypdf", "tqdm", "numpy")
    code = f"import sys, transcribe, transcribe.cli; print([m for m in {heavy!r} if m in sys.modules])"
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "transcribe", "--help"], capture_output=True, check=True)
    assert time.perf_counter() - start < 1.0  # < 0.5 s on a quiet machine; slack for a busy test runner


def test_inputs_with_one_name_get_distinct_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    write_tune(tmp_path / "x" / "song.wav")
    write_tune(tmp_path / "y" / "song.wav", first=4)
    rc, _, _ = run(capsys, tmp_path / "x", tmp_path / "y", "-o", tmp_path / "out", "--csv", "-q")
    assert rc == 0
    # "_2", not "-2": "song-2.svg" is page 2 of song's score.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["song.csv", "song_2.csv"]


def test_score_outputs_are_made_by_a_helper_process_only_when_needed(tmp_path: Path) -> None:
    """On Linux, MusicXML and MIDI are made in a forked helper process (music21 is never
    loaded in the CLI's own process), which has exited when ``main`` returns; a note list
    alone starts no helper, and neither does a batch whose inputs are all missing."""
    from transcribe.output.engraver import Engraver

    assert Engraver.available()  # this suite runs on Linux
    wav = write_tune(tmp_path / "tune.wav")
    code = (
        "import sys, multiprocessing; from transcribe.cli import main; from transcribe.output import engraver as score; started = []; "
        "init = score.Engraver.__init__; "
        "score.Engraver.__init__ = lambda self: (started.append(1), init(self))[1]; "
        "rc = main(sys.argv[1:]); "
        "print(rc, 'music21' in sys.modules, len(started), len(multiprocessing.active_children()))"
    )

    def probe(*args: object) -> str:
        done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True)
        return done.stdout.strip()

    assert probe(wav, "--csv", "-q", "-o", tmp_path / "a") == "0 False 0 0"
    assert probe(wav, "--midi", "--musicxml", "-q", "-o", tmp_path / "b") == "0 False 1 0"
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["tune.mid", "tune.musicxml"]
    assert probe(tmp_path / "missing.wav", "--musicxml", "-q", "-o", tmp_path / "c") == "1 False 0 0"


def test_the_helper_makes_the_same_bytes_and_a_dead_helper_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper's MusicXML and MIDI equal the ones made in this process; when the helper
    has died, render says so (None) and the CLI's files are still written, made here."""
    from transcribe import transcribe
    from transcribe.output.engraver import Engraver

    wav = write_tune(tmp_path / "tune.wav")
    t = transcribe(wav)
    engraver = Engraver()
    try:
        assert engraver.render(t.written, t.rhythm, key=t.key, title=t.title) == (t.to_musicxml(), t.to_midi())
        engraver._proc.kill()
        engraver._proc.join()
        assert engraver.render(t.written, t.rhythm, key=t.key, title=t.title) is None
    finally:
        engraver.close()

    def dead_on_arrival(self: Engraver) -> None:
        init(self)
        self._proc.kill()
        self._proc.join()

    init = Engraver.__init__
    monkeypatch.setattr(Engraver, "__init__", dead_on_arrival)
    assert cli.main([str(wav), "--musicxml", "--midi", "-q", "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "tune.musicxml").read_bytes() == t.to_musicxml()
    assert (tmp_path / "out" / "tune.mid").read_bytes() == t.to_midi()


def test_without_fork_music21_is_imported_in_a_thread(tmp_path: Path) -> None:
    """Where the helper cannot be forked (not Linux), score outputs import music21 in a
    thread while the pitch model runs, joined before ``main`` returns."""
    wav = write_tune(tmp_path / "tune.wav")
    code = (
        "import sys, threading; from transcribe import cli; from transcribe.output import engraver as score; "
        "score.Engraver.available = staticmethod(lambda: False); "
        "rc = cli.main(sys.argv[1:]); "
        "print(rc, 'music21' in sys.modules, [t.name for t in threading.enumerate() if t.name == 'music21-import'])"
    )
    argv = [sys.executable, "-c", code, str(wav), "--midi", "-q", "-o", str(tmp_path / "a")]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0 True []"
    assert (tmp_path / "a" / "tune.mid").exists()


def test_no_process_to_spare_falls_back_to_the_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the helper process cannot be started (a process limit), the CLI still writes
    the score, importing music21 itself."""
    from transcribe.output.engraver import Engraver

    def refuse(self: Engraver) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(Engraver, "__init__", refuse)
    wav = write_tune(tmp_path / "tune.wav")
    assert cli.main([str(wav), "--midi", "-q", "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "tune.mid").stat().st_size > 0
