"""Hostile but realistic use (issue 28): odd names, odd files, signals, the Python API.

Each case of the issue is a test here; the batch-naming cases also run as a property test
over random batches (with a fake transcription, so that it is fast).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import transcribe
from tests.synth import ODE_TO_JOY, melody, render
from transcribe import AudioError, TranscribeError, cli, pipeline
from transcribe import audio as audio_io

SR = 22050
ROOT = Path(__file__).resolve().parents[1]
HAS_FFMPEG = shutil.which("ffmpeg") is not None
needs_ffmpeg = pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg is not installed")
PITCHES = [n for _, _, n in melody(ODE_TO_JOY[:4], bpm=120)]


@pytest.fixture(scope="module")
def tune() -> np.ndarray:
    """Four notes of Ode to Joy, 2.5 s at 22.05 kHz."""
    return render(melody(ODE_TO_JOY[:4], bpm=120), sr=SR)


@pytest.fixture()
def song(tmp_path: Path, tune: np.ndarray) -> Path:
    p = tmp_path / "song.wav"
    sf.write(p, tune, SR, subtype="PCM_16")
    return p


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert out == ""
    return rc, err


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("transcribe: error:")]


def every_file(folder: Path) -> list[str]:
    """Every file under ``folder``, hidden ones too, relative and sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir()) if folder.exists() else []


def pitches(result: pipeline.Transcription) -> list[int]:
    return [n.midi for n in result.notes]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def cli_process(*argv: str | Path, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "transcribe", *map(str, argv)], capture_output=True, env=env(), timeout=60, **kwargs)


# --- output names planned for the whole batch ---------------------------------------


class FakeResult:
    """What the CLI needs of a Transcription; every file it writes holds its source's name."""

    pages = 1

    def __init__(self, source: object) -> None:
        self.source = str(source)
        self.title, self.key, self.written, self.notes, self.duration_s = "T", "C major", (), (), 1.0
        self.tempo_bpm, self.time_signature, self.tuning_summary = 120.0, "4/4", "tuning +0 cents"
        self.rhythm = type("R", (), {"pickup_q": 0})()

    def use_rendered(self, *a: object) -> None:  # pragma: no cover - no engraver in these tests
        pass

    def _one(self, path: object, force: bool) -> Path:
        from transcribe.output.files import write_bytes_atomic

        return write_bytes_atomic(path, self.source.encode("utf-8", "surrogateescape"), force=force)

    def _paged(self, path: object, force: bool) -> list[Path]:
        from transcribe.output.render import write_pages

        return write_pages(path, [self.source.encode("utf-8", "surrogateescape")] * self.page_count(), force=force)

    def page_count(self) -> int:
        return FakeResult.pages if FakeResult.pages else 1 + len(self.source) % 3

    def write_musicxml(self, p: object, *, force: bool = False) -> Path:
        return self._one(p, force)

    write_midi = write_pdf = write_csv = write_plot = write_musicxml

    def write_svg(self, p: object, *, force: bool = False) -> list[Path]:
        return self._paged(p, force)

    write_png = write_svg


def _no_import() -> threading.Thread:
    done = threading.Thread(target=lambda: None)
    done.start()
    return done


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch) -> type[FakeResult]:
    from transcribe.output import engraver

    monkeypatch.setattr(pipeline, "transcribe", lambda source, **kw: FakeResult(source))
    monkeypatch.setattr(engraver.Engraver, "available", staticmethod(lambda: False))
    monkeypatch.setattr(engraver, "import_in_background", _no_import)
    monkeypatch.setattr(FakeResult, "pages", 1)
    return FakeResult


def check_batch(inputs: list[Path], out: Path, flags: list[str], before: dict[Path, bytes]) -> None:
    """Every input has all its outputs, each holding that input's name; no input changed."""
    owners: dict[str, list[Path]] = {}
    for p in out.iterdir():
        if p.is_file() and p.resolve() not in {i.resolve() for i in inputs}:
            owners.setdefault(p.read_bytes().decode("utf-8", "surrogateescape"), []).append(p)
    for p, data in before.items():
        assert p.read_bytes() == data, f"input {p} was changed"
    non_paged = sum(f in flags for f in ("--midi", "--csv", "--pdf", "--plot", "--musicxml"))
    paged = sum(f in flags for f in ("--svg", "--png"))
    for i in inputs:
        mine = owners.get(str(i), [])
        pages = FakeResult(i).page_count()
        assert len(mine) == non_paged + paged * pages, (i, sorted(q.name for q in mine))
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "a staging folder was left"


def test_same_stems_in_three_folders_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str], fake: type[FakeResult]) -> None:
    inputs = []
    for folder, stem in (("x", "song"), ("y", "song"), ("z", "song_2")):
        (tmp_path / folder).mkdir()
        inputs.append(tmp_path / folder / f"{stem}.wav")
        inputs[-1].write_bytes(b"audio " + folder.encode())
    out = tmp_path / "out"
    rc, err = run(capsys, *inputs, "-o", out, "--midi", "--force")
    assert rc == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["song.mid", "song_2.mid", "song_3.mid"]
    assert (out / "song_2.mid").read_text() == str(inputs[2])  # z/song_2 keeps its own name
    check_batch(inputs, out, ["--midi"], {})


def test_page_names_never_meet_another_inputs_name(tmp_path: Path, capsys: pytest.CaptureFixture[str], fake: type[FakeResult]) -> None:
    fake.pages = 3
    inputs = [tmp_path / "song-2.wav", tmp_path / "song.wav"]
    for p in inputs:
        p.write_bytes(b"x")
    out = tmp_path / "out"
    rc, err = run(capsys, *inputs, "-o", out, "--svg", "--force")
    assert rc == 0, err
    assert (out / "song-2.svg").read_text() == str(tmp_path / "song.wav")  # page 2 of song
    check_batch(inputs, out, ["--svg"], {})


def test_an_output_never_replaces_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path) -> None:
    take = tmp_path / "take.mid"
    shutil.copy(song, take)
    before = take.read_bytes()
    for flags in ([], ["--force"]):
        rc, err = run(capsys, take, "-o", tmp_path, "--midi", *flags)
        assert take.read_bytes() == before
        assert "--force" not in err  # no advice that would replace the recording
        assert rc == 0, err
        (tmp_path / "take_2.mid").unlink()


def test_force_replaces_only_this_runs_targets_and_a_failure_leaves_no_mix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "song.musicxml").write_text("old score")
    (out / "song.mid").write_text("old midi")
    (out / "other.mid").write_text("not ours")
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd: int) -> None:  # the second file written fails: disk full
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    rc, err = run(capsys, song, "-o", out, "--force")
    assert rc == 1 and len(errors(err)) == 1 and "disk space" in err
    assert (out / "song.musicxml").read_text() == "old score"  # not the new score beside the old MIDI
    assert (out / "song.mid").read_text() == "old midi"
    assert every_file(out) == ["other.mid", "song.mid", "song.musicxml"]


def test_stale_pages_of_an_earlier_run_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], fake: type[FakeResult]) -> None:
    src = tmp_path / "song.wav"
    src.write_bytes(b"x")
    out = tmp_path / "out"
    fake.pages = 3
    assert run(capsys, src, "-o", out, "--svg", "--png")[0] == 0
    assert len(list(out.iterdir())) == 6
    fake.pages = 2
    rc, err = run(capsys, src, "-o", out, "--svg", "--png", "--force")
    assert rc == 0
    warned = [line for line in err.splitlines() if "a page left from an earlier run" in line]
    assert [Path(line.split(": ")[2]).name for line in warned] == ["song-3.svg", "song-3.png"]
    assert (out / "song-3.svg").exists()  # not this run's target: reported, not deleted
    fake.pages = 3
    rc, err = run(capsys, src, "-o", out, "--svg", "--force")
    assert rc == 0 and "earlier run" not in err


def test_empty_output_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rc, err = run(capsys, song, "-o", "")
    assert rc == cli.EXIT_USAGE and "-o ''" in errors(err)[0]
    assert every_file(tmp_path) == ["song.wav"]


NAMES = st.sampled_from(["song", "song-2", "song_2", "song-3", "song_3", "song.plot", "x", "x-2", "x_2", "x-2_2"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batch=st.lists(
        st.tuples(st.sampled_from(["a", "b", "out"]), NAMES, st.sampled_from([".wav", ".mid", ".svg", ".csv"])), min_size=1, max_size=7
    ),
    flags=st.lists(st.sampled_from(["--midi", "--svg", "--png", "--csv", "--plot", "--pdf"]), min_size=1, max_size=3, unique=True),
    force=st.booleans(),
)
def test_property_every_input_gets_its_own_outputs(
    batch: list[tuple[str, str, str]], flags: list[str], force: bool, fake: type[FakeResult], capsys: pytest.CaptureFixture[str]
) -> None:
    fake.pages = 0  # 1 to 3 pages, by the length of the input's path
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inputs: list[Path] = []
        for folder, stem, suffix in batch:
            p = root / folder / f"{stem}{suffix}"
            if p in inputs:
                continue
            p.parent.mkdir(exist_ok=True)
            p.write_bytes(b"recording " + str(p).encode())
            inputs.append(p)
        before = {p: p.read_bytes() for p in inputs}
        rc, err = run(capsys, *inputs, "-o", root / "out", *flags, *(["--force"] if force else []))
        assert rc == 0, err
        check_batch(inputs, root / "out", flags, before)


def test_plan_stems_is_stable_for_plain_batches() -> None:
    fmts = [f for f in cli.FORMATS if f.flag in ("musicxml", "midi")]
    paths = [Path("a/one.wav"), Path("a/two.wav"), Path("b/three.flac")]
    assert cli.plan_stems(paths, fmts, Path("out")) == ["one", "two", "three"]


# --- signals ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


linux_only = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")


@linux_only
@pytest.mark.parametrize(
    ("signals", "status"),
    [
        ((signal.SIGINT,), 130),
        ((signal.SIGTERM,), 143),
        ((signal.SIGHUP,), 129),
        ((signal.SIGINT, signal.SIGINT), 130),
        ((signal.SIGKILL,), -9),
    ],
)
def test_signal_stops_cleanly_and_leaves_no_helper(tmp_path: Path, signals: tuple[int, ...], status: int) -> None:
    out = tmp_path / "out"
    # Reading a pipe nobody writes to: the run waits there, its score helper already started.
    proc = subprocess.Popen(
        [sys.executable, "-m", "transcribe", "-", "-o", str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
    )
    try:
        deadline = time.monotonic() + 20
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        helpers = _children(proc.pid)
        assert helpers, "the score helper was not started"
        time.sleep(0.2)
        for s in signals:
            proc.send_signal(s)
            time.sleep(0.01)
        _, err = proc.communicate(timeout=10)  # stdout and stderr reach their end: nobody holds them
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = err.decode()
    assert proc.returncode == status, text
    assert "Traceback" not in text
    if status > 0:
        assert len(text.splitlines()) == 1 and ("interrupted" in text or "stopped by" in text)
    deadline = time.monotonic() + 3
    while any(_alive(h) for h in helpers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(_alive(h) for h in helpers), "the helper outlived the command"
    assert every_file(out) == []


def test_sigterm_while_writing_leaves_no_temp_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fsync

    def fsync(fd: int) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "out"
    rc, err = run(capsys, song, "-o", out)
    assert rc == 143
    assert "stopped by SIGTERM" in errors(err)[0]
    assert every_file(out) == []  # no .part file, no staging folder
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handlers are given back


# --- odd files ----------------------------------------------------------------------


def _header_rate(src: Path, dest: Path, rate: int) -> Path:
    data = bytearray(src.read_bytes())
    i = data.index(b"fmt ")
    channels, bits = int.from_bytes(data[i + 10 : i + 12], "little"), int.from_bytes(data[i + 22 : i + 24], "little")
    data[i + 12 : i + 16] = rate.to_bytes(4, "little")
    data[i + 16 : i + 20] = (rate * channels * bits // 8).to_bytes(4, "little")
    dest.write_bytes(bytes(data))
    return dest


@pytest.mark.parametrize("rate", [1, 999, 400000])
def test_sample_rate_out_of_range_in_the_header(tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path, rate: int) -> None:
    bad = _header_rate(song, tmp_path / "odd.wav", rate)
    t0 = time.monotonic()
    rc, err = run(capsys, bad, "-o", tmp_path / "out")
    assert time.monotonic() - t0 < 10
    assert rc == 1
    (line,) = errors(err)
    assert "odd.wav" in line and f"{rate} Hz" in line and "re-export" in line


def _damaged(tmp_path: Path, tune: np.ndarray, fmt: str, how: str) -> Path:
    long = np.tile(tune, 3)
    whole = tmp_path / f"whole.{fmt}"
    if fmt == "flac":
        sf.write(whole, long, SR)
    else:
        wav = tmp_path / "whole.wav"
        sf.write(wav, long, SR)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), str(whole)], check=True)
    data = bytearray(whole.read_bytes())
    if how == "cut":
        data = data[: len(data) // 2]
    else:
        rng = np.random.default_rng(0)
        start = len(data) // 3
        data[start : start + 3000] = rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()
    bad = tmp_path / f"{how}.{fmt}"
    bad.write_bytes(bytes(data))
    return bad


@needs_ffmpeg
@pytest.mark.parametrize(("fmt", "how"), [("flac", "cut"), ("flac", "middle"), ("mp3", "cut"), ("mp3", "middle")])
def test_damaged_flac_and_mp3_keep_what_can_be_decoded(tmp_path: Path, tune: np.ndarray, fmt: str, how: str) -> None:
    bad = _damaged(tmp_path, tune, fmt, how)
    res = cli_process(bad, "-o", tmp_path / "out", "--csv")
    err = res.stderr.decode()
    assert res.returncode == 0, err
    assert "Illegal" not in err and "Note:" not in err and "mpg123" not in err  # no decoder chatter
    lines = err.splitlines()
    assert lines[0].startswith("transcribe: warning: ") and bad.name in lines[0]
    n_notes = int(lines[1].split(" notes")[0].rsplit(" ", 1)[1])
    assert n_notes >= (2 if how == "cut" else 8), err  # of 12: at least half of what is there


def test_stdin_pipe(tmp_path: Path, song: Path) -> None:
    with open(song, "rb") as fh:
        res = cli_process("-", "-o", tmp_path / "out", "--csv", stdin=fh)
    assert res.returncode == 0, res.stderr
    assert res.stderr.decode().startswith("<stdin>: ")
    assert every_file(tmp_path / "out") == ["stdin.csv"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_process_substitution(tmp_path: Path, song: Path) -> None:
    cmd = f'"{sys.executable}" -m transcribe <(cat "{song}") -o "{tmp_path / "out"}" --csv'
    res = subprocess.run(["bash", "-c", cmd], capture_output=True, env=env(), timeout=60)
    assert res.returncode == 0, res.stderr
    assert len(every_file(tmp_path / "out")) == 1


def test_fifo(tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path) -> None:
    fifo = tmp_path / "live.wav"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as fh:
            fh.write(song.read_bytes())

    writer = threading.Thread(target=feed)
    writer.start()
    rc, err = run(capsys, fifo, "-o", tmp_path / "out", "--csv")
    writer.join(timeout=10)
    assert rc == 0, err
    assert every_file(tmp_path / "out") == ["live.csv"]


def test_dev_zero_is_a_clear_error_not_a_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, err = run(capsys, "/dev/zero", "-o", tmp_path / "out")
    assert rc == 1
    assert "/dev/zero" in errors(err)[0] and "zero bytes" in errors(err)[0]


def test_endless_stream_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_io.streams, "MAX_STREAM_BYTES", 1 << 20)
    with pytest.raises(AudioError, match="without an end"):
        audio_io.load("/dev/urandom", sr=16000)


def test_symlink_loop_and_broken_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.wav").symlink_to(tmp_path / "b.wav")
    (tmp_path / "b.wav").symlink_to(tmp_path / "a.wav")
    (tmp_path / "gone.wav").symlink_to(tmp_path / "nowhere.wav")
    rc, err = run(capsys, tmp_path / "a.wav", tmp_path / "gone.wav", "-o", tmp_path / "out")
    assert rc == 1
    loop, broken = errors(err)
    assert "a.wav" in loop and "symbolic link loop" in loop
    assert "gone.wav" in broken and "broken symbolic link" in broken
    with pytest.raises(AudioError, match="symbolic link loop"):
        transcribe.transcribe(tmp_path / "a.wav")


def test_folder_reports_what_it_cannot_read(tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path) -> None:
    folder = tmp_path / "takes"
    folder.mkdir()
    shutil.copy(song, folder / "good.wav")
    (folder / "dangling.wav").symlink_to(folder / "missing.wav")
    (folder / "loop.wav").symlink_to(folder / "loop.wav")
    os.mkfifo(folder / "pipe.wav")
    rc, err = run(capsys, folder, "-o", tmp_path / "out", "--csv")
    assert rc == 1
    lines = errors(err)
    assert len(lines) == 3
    assert "dangling.wav" in lines[0] and "loop.wav" in lines[1] and "pipe.wav" in lines[2]
    assert "1 of 4 done" in err.splitlines()[-1]
    assert every_file(tmp_path / "out") == ["good.csv"]


def test_opposite_polarity_channels_are_not_silence(tmp_path: Path, tune: np.ndarray) -> None:
    src = tmp_path / "swapped.wav"
    sf.write(src, np.stack([tune, -tune], axis=1), SR, subtype="PCM_16")
    with pytest.warns(transcribe.TranscribeWarning, match="opposite polarity"):
        result = transcribe.transcribe(src)
    assert pitches(result) == PITCHES
    with pytest.warns(transcribe.TranscribeWarning, match="opposite polarity"):
        assert pitches(transcribe.transcribe(np.stack([-tune, tune]), sr=SR)) == PITCHES


def test_plain_stereo_gives_no_polarity_warning(tune: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    other = rng.normal(0, 0.05, len(tune)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", transcribe.TranscribeWarning)
        audio_io.from_array(np.stack([tune, other], axis=1), SR, target_sr=16000)
        audio_io.from_array(np.stack([tune, np.zeros_like(tune)], axis=1), SR, target_sr=16000)


# --- names and locale ---------------------------------------------------------------


def test_non_utf8_and_non_ascii_names_and_titles_under_c_locale(tmp_path: Path, song: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.wav"
    shutil.copy(song, raw)
    shutil.copy(song, tmp_path / "chör.wav")
    out = tmp_path / "out"
    for utf8 in ("1", "0"):
        e = env() | {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": utf8}
        shutil.rmtree(out, ignore_errors=True)
        res = subprocess.run(
            [
                sys.executable.encode(),
                b"-m",
                b"transcribe",
                raw,
                os.fsencode(tmp_path / "chör.wav"),
                b"-o",
                os.fsencode(out),
                b"--musicxml",
                b"--svg",
            ],
            capture_output=True,
            env=e,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        assert b"Traceback" not in res.stderr
        names = sorted(os.listdir(os.fsencode(out)))
        assert names == sorted([b"caf\xe9.musicxml", b"caf\xe9.svg", "chör.musicxml".encode(), "chör.svg".encode()])
    from lxml import etree

    title = etree.parse(str(out / "chör.musicxml")).findtext(".//movement-title")
    assert title == "Chör"


def test_control_characters_in_title_and_name(tmp_path: Path, capsys: pytest.CaptureFixture[str], song: Path) -> None:
    from lxml import etree

    odd = tmp_path / "bell\x07\x1b[1mname.wav"
    shutil.copy(song, odd)
    out = tmp_path / "out"
    rc, err = run(capsys, odd, "-o", out, "--musicxml", "--title", "Esc\x1b[31m red\x00")
    assert rc == 0, err
    (xml,) = out.glob("*.musicxml")
    doc = etree.parse(str(xml))  # well-formed
    assert doc.findtext(".//movement-title") == "Esc [31m red"
    assert "\x1b" not in err and "\x07" not in err


def test_newline_in_a_file_name_keeps_the_error_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "two\nlines.wav"
    bad.write_text("not audio at all")
    rc, err = run(capsys, bad, "-o", tmp_path / "out")
    assert rc == 1
    assert len(err.splitlines()) == 1 and "two\\nlines.wav" in err


# --- the Python API -----------------------------------------------------------------


def test_bytes_and_file_objects(song: Path) -> None:
    data = song.read_bytes()
    assert pitches(transcribe.transcribe(data)) == PITCHES
    assert pitches(transcribe.transcribe(io.BytesIO(data))) == PITCHES
    with open(song, "rb") as fh:
        assert pitches(transcribe.transcribe(fh)) == PITCHES


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ([0.0, 0.1, 0.2], "np.asarray"),
        (io.StringIO("RIFF"), "binary mode"),
        (42, "a path, bytes"),
        (b"", "0 bytes"),
        (b"\x00" * 64, "zero bytes"),
    ],
)
def test_unsupported_sources_raise_the_projects_error(source: object, words: str) -> None:
    with pytest.raises(TranscribeError, match=words):
        transcribe.transcribe(source)  # type: ignore[arg-type]


@pytest.mark.parametrize(("dtype", "bits"), [(np.int64, 16), (np.int32, 16), (np.int32, 24), (np.int16, 16)])
def test_wide_int_arrays_of_pcm_values_are_scaled(tune: np.ndarray, dtype: type, bits: int) -> None:
    pcm = np.round(tune * (2 ** (bits - 1) - 1)).astype(dtype)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = transcribe.transcribe(pcm, sr=SR)
    assert pitches(result) == PITCHES
    said = [str(w.message) for w in caught if "bit values" in str(w.message)]
    assert bool(said) == (np.dtype(dtype).itemsize * 8 > bits)


def test_hard_clipping_is_named_in_a_warning(tune: np.ndarray) -> None:
    # Clipped to a near-square wave, a G4 reads as G3 to the pitch model (no cheap fix found:
    # a low-pass before it helps at 200x gain, not at 1000x); the user is told why.
    with pytest.warns(transcribe.TranscribeWarning, match="clipped"):
        audio_io.from_array(np.clip(tune * 200, -1, 1), SR, target_sr=16000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", transcribe.TranscribeWarning)
        audio_io.from_array(tune, SR, target_sr=16000)
        audio_io.from_array(tune / np.abs(tune).max(), SR, target_sr=16000)  # normalised to full scale: not clipped


def test_a_caught_stop_signal_does_not_end_the_process_by_sigint() -> None:
    # CPython ends a process by SIGINT when a bare KeyboardInterrupt escaped an exec() of source
    # text, even if caught later (a signal during an import defining a dataclass: exit -2).
    code = (
        "import os, signal\n"
        "from transcribe.cli.console import Stop\n"
        "with Stop():\n"
        "    try:\n"
        "        exec('os.kill(os.getpid(), signal.SIGTERM); x = 1')\n"
        "    except KeyboardInterrupt:\n"
        "        pass\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env(), timeout=60)
    assert res.returncode == 0, res.stderr
