"""The web page of ``transcribe serve`` (issue 26).

HTTP-level tests through Starlette's TestClient (limits, sniffing, path tricks,
results and downloads, the server going on after bad input), and end-to-end
tests in the system's chromium driven by Playwright (no browser download):
recording through Chromium's fake microphone fed with the sample, uploading,
playing and downloading, a text file renamed .wav, two uploads at once.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the [web] extra (starlette) is not installed")
pytest.importorskip("uvicorn", reason="the [web] extra (uvicorn) is not installed")

from starlette.testclient import TestClient

from transcribe import cli
from transcribe.web import serve
from transcribe.web.app import create_app, display_name
from transcribe.web.sniff import audio_kind
from transcribe.web.store import ResultStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "ode_to_joy.wav"
#: The sample's notes as rendered (MIDI numbers), from the CSV it was made from.
with open(ROOT / "samples" / "ode_to_joy.csv", newline="") as _fh:
    SAMPLE_MIDI = [int(row["midi"]) for row in csv.DictReader(_fh)]
HAS_FFMPEG = shutil.which("ffmpeg") is not None
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="module")
def sample_result(client: TestClient) -> dict:
    r = client.post("/api/transcribe?name=ode_to_joy.wav", content=SAMPLE.read_bytes())
    assert r.status_code == 200, r.text
    return r.json()


def _cli_error(tmp_path: Path, name: str, data: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> str:
    """The error line the CLI prints for a file ``name`` holding ``data`` (run from its folder)."""
    (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    assert cli.main([name, "-o", "out", "-q"]) == 1
    return capsys.readouterr().err.strip()


# ---------- HTTP ----------


def test_good_wav_gives_the_sample_notes_and_every_download(client: TestClient, sample_result: dict) -> None:
    j = sample_result
    assert j["report"].startswith("ode_to_joy.wav: 20.0 s, ")
    assert [n["midi"] for n in j["notes"]] == SAMPLE_MIDI
    assert j["title"] == "Ode to Joy"
    assert len(j["pages"]) >= 1 and all(p.lstrip().startswith("<svg") or "<svg" in p[:300] for p in j["pages"])
    assert len(j["track"]["t"]) == len(j["track"]["midi"]) > 100
    heads = {"musicxml": b"<?xml", "midi": b"MThd", "pdf": b"%PDF", "png": b"\x89PNG", "plot": b"\x89PNG", "csv": b"onset_s,"}
    for what, head in heads.items():
        r = client.get(f"/api/result/{j['id']}/{what}")
        assert r.status_code == 200, (what, r.text[:200])
        assert r.content.startswith(head), what
        assert "ode_to_joy." in r.headers["content-disposition"]


def test_rerender_applies_the_overrides(client: TestClient, sample_result: dict) -> None:
    r = client.post(f"/api/result/{sample_result['id']}/rerender?tempo=90&time_signature=3/4&key=G+major&title=Freude")
    assert r.status_code == 200, r.text
    j = r.json()
    assert (j["tempo_bpm"], j["time_signature"], j["key"], j["title"]) == (90, "3/4", "G major", "Freude")
    assert j["id"] != sample_result["id"]
    assert [n["midi"] for n in j["notes"]] == SAMPLE_MIDI
    assert "Freude" in j["pages"][0]


def test_bad_option_gives_the_cli_message(client: TestClient, sample_result: dict) -> None:
    r = client.post(f"/api/result/{sample_result['id']}/rerender?time_signature=7/5")
    assert r.status_code == 422
    assert r.json()["error"] == "transcribe: error: time signature '7/5' is invalid: numerator 1-32, denominator 1, 2, 4, 8, 16 or 32"
    r = client.post("/api/transcribe?name=a.wav&tempo=fast", content=SAMPLE.read_bytes())
    assert r.status_code == 422 and "tempo 'fast' is not a number" in r.json()["error"]


def test_text_renamed_wav_gives_the_cli_line(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    text = b"these are my lyrics\nnot a recording\n"
    r = client.post("/api/transcribe?name=notes.wav", content=text)
    assert r.status_code == 422
    assert r.json()["error"] == _cli_error(tmp_path, "notes.wav", text, monkeypatch, capsys)
    assert "is a text file, not audio" in r.json()["error"]


def test_non_ascii_name_downloads(client: TestClient) -> None:
    r = client.post("/api/transcribe", params={"name": "Götterfunken.wav"}, content=SAMPLE.read_bytes())
    assert r.status_code == 200 and r.json()["report"].startswith("Götterfunken.wav: ")
    assert r.json()["title"] == "Götterfunken"
    d = client.get(f"/api/result/{r.json()['id']}/csv")
    assert d.status_code == 200
    assert d.headers["content-disposition"] == "attachment; filename=\"G_tterfunken.csv\"; filename*=UTF-8''G%C3%B6tterfunken.csv"


def test_warnings_are_the_cli_lines(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import numpy as np
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.zeros(44100, dtype=np.float32), 44100, format="WAV", subtype="PCM_16")
    r = client.post("/api/transcribe?name=silence.wav", content=buf.getvalue())
    assert r.status_code == 200 and r.json()["notes"] == []
    (tmp_path / "silence.wav").write_bytes(buf.getvalue())
    monkeypatch.chdir(tmp_path)
    assert cli.main(["silence.wav", "-o", "out", "--csv"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("transcribe: warning:")]
    assert r.json()["warnings"] == said and len(said) == 1


def test_server_answers_while_it_transcribes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Transcription runs in worker threads: a request made while one runs is answered before it ends.

    The transcription is held until the other request has been answered, so the test does not
    depend on how fast this machine is; if the work ran on the server's event loop, the second
    request could not be answered and the test would time out waiting for it."""
    from transcribe.web import app as web_app

    started, release = threading.Event(), threading.Event()
    real = web_app.transcribe

    def held(*args: object, **kwargs: object) -> object:
        started.set()
        assert release.wait(timeout=60), "the second request was never answered"
        return real(*args, **kwargs)

    monkeypatch.setattr(web_app, "transcribe", held)
    done: list[str] = []
    upload = threading.Thread(target=lambda: done.append(client.post("/api/transcribe?name=a.wav", content=SAMPLE.read_bytes()).text))
    upload.start()
    assert started.wait(timeout=60)  # the upload is being transcribed now
    assert client.get("/api/config").status_code == 200
    answered_first = not done
    release.set()
    upload.join()
    assert answered_first and '"report"' in done[0]


def test_truncated_wav_gives_the_cli_line(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    head = SAMPLE.read_bytes()[:44]  # a header promising 20 s, and no samples
    r = client.post("/api/transcribe?name=cut.wav", content=head)
    assert r.status_code == 422
    assert r.json()["error"] == _cli_error(tmp_path, "cut.wav", head, monkeypatch, capsys)


def test_unknown_binary_and_empty_are_refused(client: TestClient) -> None:
    r = client.post("/api/transcribe?name=x.wav", content=bytes(range(256)) * 4)
    assert r.status_code == 422 and "is not an audio file this page reads" in r.json()["error"]
    r = client.post("/api/transcribe?name=x.wav", content=b"")
    assert r.status_code == 422 and r.json()["error"] == "transcribe: error: x.wav: the file is empty (0 bytes): re-export or re-record it"
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    r = client.post("/api/transcribe?name=song.mp3", content=png)
    assert r.status_code == 422 and r.json()["error"].startswith("transcribe: error: song.mp3: is a PNG image, not audio")


def test_oversize_upload_is_refused_with_or_without_a_length() -> None:
    with TestClient(create_app(max_upload_bytes=10_000)) as c:
        r = c.post("/api/transcribe?name=big.wav", content=SAMPLE.read_bytes())
        assert r.status_code == 413
        assert r.json()["error"].startswith("transcribe: error: big.wav: the file is larger than")

        def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to trust
            data = SAMPLE.read_bytes()
            for i in range(0, len(data), 4096):
                yield data[i : i + 4096]

        r = c.post("/api/transcribe?name=big.wav", content=chunks())
        assert r.status_code == 413
        small = c.post("/api/transcribe?name=tiny.wav", content=b"RIFF")
        assert small.status_code == 422  # under the limit: sniffed and refused as before, server fine


def test_too_long_recording_is_refused() -> None:
    with TestClient(create_app(max_duration_s=10)) as c:
        r = c.post("/api/transcribe?name=long.wav", content=SAMPLE.read_bytes())
    assert r.status_code == 422
    limit = "long.wav: the recording is 20 s long, and this page takes up to 10 s: trim it, or use the command line"
    assert r.json()["error"] == f"transcribe: error: {limit}"


def test_path_tricks_touch_nothing(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    target = tmp_path / "passwd"
    r = client.post(f"/api/transcribe?name={tmp_path}/../{tmp_path.name}/passwd", content=b"root:x:0:0\n")
    assert r.status_code == 422 and r.json()["error"].startswith("transcribe: error: passwd: is a text file")
    assert not target.exists()
    ok = client.post("/api/transcribe?name=..%2F..%2Fevil.wav", content=SAMPLE.read_bytes())
    assert ok.status_code == 200 and ok.json()["name"] == "evil.wav"
    assert list(scratch.iterdir()) == []  # temporary files removed, good or bad
    for url in ("/../pyproject.toml", "/app.js/../../pyproject.toml", "/%2e%2e/pyproject.toml", "/static/app.js", "/transcribe/cli.py"):
        assert client.get(url).status_code == 404, url
    for key in ("..", "..%2F..%2Fpyproject.toml", "nope"):
        assert client.get(f"/api/result/{key}/musicxml").status_code == 404, key
    assert "that result is gone" in client.get("/api/result/nope/musicxml").json()["error"]
    r = client.get(f"/api/result/{ok.json()['id']}/..%2F..%2Fpyproject.toml")
    assert r.status_code == 404


def test_two_requests_at_once_each_get_their_own_result(client: TestClient) -> None:
    data = SAMPLE.read_bytes()
    out: dict[str, dict] = {}

    def post(name: str) -> None:
        out[name] = client.post(f"/api/transcribe?name={name}", content=data).json()

    threads = [threading.Thread(target=post, args=(n,)) for n in ("first.wav", "second.wav")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out["first.wav"]["report"].startswith("first.wav:") and out["second.wav"]["report"].startswith("second.wav:")
    assert out["first.wav"]["id"] != out["second.wav"]["id"]
    assert [n["midi"] for n in out["second.wav"]["notes"]] == SAMPLE_MIDI


@pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg is not installed (WebM needs it)")
def test_webm_opus_as_mediarecorder_writes_it(client: TestClient, tmp_path: Path) -> None:
    import subprocess

    webm = tmp_path / "take.webm"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(SAMPLE), "-c:a", "libopus", str(webm)], check=True)
    r = client.post("/api/transcribe?name=recording.webm", content=webm.read_bytes())
    assert r.status_code == 200, r.text
    assert [n["midi"] for n in r.json()["notes"]] == SAMPLE_MIDI


def test_sniff_by_bytes_not_name() -> None:
    assert audio_kind(SAMPLE.read_bytes()[:16]) == "wav"
    cases = {
        b"fLaC\x00\x00\x00\x22": "flac",
        b"OggS\x00\x02": "ogg",
        b"ID3\x04\x00": "mp3",
        b"\xff\xfb\x90\x64": "mp3",
        b"\x00\x00\x00\x20ftypM4A ": "m4a",
        b"\x1a\x45\xdf\xa3\x9f\x42\x86": "webm",
        b"FORM\x00\x00\x10\x00AIFF": "aiff",
    }
    for head, kind in cases.items():
        assert audio_kind(head) == kind, head
    for head in (b"hello world", b"RIFF\x00\x00\x00\x00AVI ", b"%PDF-1.7", b"", b"\x89PNG\r\n"):
        assert audio_kind(head) is None, head


def test_display_name_is_never_a_path() -> None:
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\me\\take 1.wav") == "take 1.wav"
    assert display_name("..") == "recording"
    assert display_name(None) == "recording"
    assert display_name("a<b>\x00c.wav") == "a_b_c.wav"
    assert display_name("Freude schöner Götterfunken.wav") == "Freude schöner Götterfunken.wav"
    assert display_name('x"; rm -rf.wav') == "x_ rm -rf.wav"
    assert len(display_name("x" * 500 + ".wav")) == 80


def test_store_is_bounded_and_expires() -> None:
    now = [0.0]
    store = ResultStore(max_entries=3, max_age_s=100, clock=lambda: now[0])
    keys = [store.add(object()) for _ in range(5)]  # type: ignore[arg-type]
    assert len(store) == 3 and store.get(keys[0]) is None and store.get(keys[4]) is not None
    assert len(set(keys)) == 5 and all(len(k) >= 20 for k in keys)
    now[0] = 101
    assert store.get(keys[4]) is None and len(store) == 0


def test_serve_usage_and_missing_extra(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["serve", "--help"]) == 0
    assert "--no-browser" in capsys.readouterr().out
    assert cli.main(["serve", "--port", "0"]) == 2
    assert "port 0 is out of range" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the [web] extra were not installed
    assert cli.main(["serve", "--no-browser"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ['transcribe: error: the web page needs the optional [web] packages (uvicorn is missing): pip install "transcribe[web]"']


def test_loopback_hosts() -> None:
    assert serve.is_loopback("127.0.0.1") and serve.is_loopback("::1") and serve.is_loopback("localhost")
    assert not serve.is_loopback("0.0.0.0") and not serve.is_loopback("192.168.1.5") and not serve.is_loopback("example.org")


def test_serve_warns_off_loopback_and_reports_a_busy_port() -> None:
    import subprocess

    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "transcribe", "serve", "--host", "0.0.0.0", "--port", str(port), "--no-browser"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert run.returncode == 1, run.stderr
    assert "transcribe: warning: listening on 0.0.0.0: anyone who can reach this machine" in run.stderr
    assert run.stderr.rstrip().endswith(f"transcribe: error: could not listen on 0.0.0.0:{port} (in use?): try another --port")
    assert "Traceback" not in run.stderr


# ---------- in the browser ----------

BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    f"--use-file-for-fake-audio-capture={SAMPLE}",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    import uvicorn

    port = _free_port()
    # log_config=None: uvicorn leaves logging alone (its handlers would keep pytest's captured stderr)
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no system chromium at {CHROMIUM} (apt install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, server_url: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server_url)
    yield pg
    context.close()
    assert errors == [], errors  # no script error on the page


def _names(pg: object) -> list[str]:
    text = pg.inner_text("#note-list")  # type: ignore[attr-defined]
    return text.split(":", 1)[1].split()


def _sample_names(client: TestClient) -> list[str]:
    r = client.post("/api/transcribe?name=ode_to_joy.wav", content=SAMPLE.read_bytes())
    return [n["name"] for n in r.json()["notes"]]


@pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg is not installed (the microphone's WebM needs it)")
def test_browser_records_the_microphone(page: object, client: TestClient) -> None:
    pg = page
    pg.click("#record")  # type: ignore[attr-defined]
    pg.wait_for_function("document.querySelector('#live-name').textContent.length > 1", timeout=10000)  # a live note name
    time.sleep(5)
    pg.click("#record")  # type: ignore[attr-defined]
    pg.wait_for_selector("#pages svg", timeout=60000)  # type: ignore[attr-defined]
    assert pg.inner_text("#report").startswith("recording.webm: ")  # type: ignore[attr-defined]
    got = _names(pg)
    assert len(got) >= 6, got
    # The fake microphone plays the sample from its start (and loops): the notes heard are a run of the sample's notes.
    expected = _sample_names(client) * 2
    runs = [expected[i : i + 6] for i in range(len(expected) - 5)]
    assert got[:6] in runs, (got, expected)


@pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg is not installed (the microphone's WebM needs it)")
def test_browser_count_in_then_records_with_the_metronome(page: object) -> None:
    pg = page
    pg.check("#count-in")  # type: ignore[attr-defined]
    pg.check("#metronome")  # type: ignore[attr-defined]
    pg.fill("#click-bpm", "120")  # type: ignore[attr-defined]
    pg.select_option("#click-beats", "3")  # type: ignore[attr-defined]
    pg.click("#record")  # type: ignore[attr-defined]
    pg.wait_for_function("document.querySelector('#status').textContent === 'Count-in…'", timeout=5000)  # type: ignore[attr-defined]
    pg.wait_for_function("document.querySelector('#status').textContent.startsWith('Recording')", timeout=5000)  # type: ignore[attr-defined]
    time.sleep(3)
    pg.click("#record")  # type: ignore[attr-defined]
    pg.wait_for_selector("#pages svg", timeout=60000)  # type: ignore[attr-defined]
    assert pg.inner_text("#report").startswith("recording.webm: ")  # type: ignore[attr-defined]
    assert len(_names(pg)) >= 3


def test_browser_uploads_plays_and_downloads(page: object) -> None:
    pg = page
    pg.set_input_files("#file", str(SAMPLE))  # type: ignore[attr-defined]
    pg.wait_for_selector("#pages svg", timeout=60000)  # type: ignore[attr-defined]
    assert pg.inner_text("#report").startswith("ode_to_joy.wav: 20.0 s, ")  # type: ignore[attr-defined]
    assert len(_names(pg)) == len(SAMPLE_MIDI)
    pg.click("#play")  # type: ignore[attr-defined]
    pg.wait_for_function("document.querySelector('#now-note').textContent.includes('bar')", timeout=10000)  # type: ignore[attr-defined]
    assert pg.locator("#pages g.now").count() == 1  # type: ignore[attr-defined]  # the note sounding, lit in the score
    pg.click("#play")  # type: ignore[attr-defined]  # pause
    for what, head in (("musicxml", b"<?xml"), ("midi", b"MThd"), ("pdf", b"%PDF"), ("csv", b"onset_s,")):
        with pg.expect_download() as info:  # type: ignore[attr-defined]
            pg.click(f"#downloads a[data-what={what}]")  # type: ignore[attr-defined]
        assert Path(info.value.path()).read_bytes().startswith(head), what
        assert info.value.suggested_filename.startswith("ode_to_joy."), info.value.suggested_filename


def test_browser_shows_the_cli_error_for_a_text_file_and_goes_on(
    page: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    pg = page
    bad = tmp_path / "upload" / "lyrics.wav"
    bad.parent.mkdir()
    bad.write_text("Freude, schöner Götterfunken\n")
    pg.set_input_files("#file", str(bad))  # type: ignore[attr-defined]
    pg.wait_for_selector("#error:not([hidden])", timeout=30000)  # type: ignore[attr-defined]
    line = pg.inner_text("#error")  # type: ignore[attr-defined]
    assert line == _cli_error(tmp_path, "lyrics.wav", bad.read_bytes(), monkeypatch, capsys)
    pg.set_input_files("#file", str(SAMPLE))  # type: ignore[attr-defined]  # the server is still there
    pg.wait_for_selector("#pages svg", timeout=60000)  # type: ignore[attr-defined]
    assert pg.is_hidden("#error")  # type: ignore[attr-defined]


def test_browser_two_tabs_upload_at_once(browser: object, server_url: str, tmp_path: Path) -> None:
    other = tmp_path / "second take.flac"
    import soundfile as sf

    data, sr = sf.read(str(SAMPLE))
    sf.write(str(other), data, sr, format="FLAC")
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        tabs = [context.new_page(), context.new_page()]
        for tab in tabs:
            tab.goto(server_url)
        tabs[0].set_input_files("#file", str(SAMPLE))
        tabs[1].set_input_files("#file", str(other))
        for tab, name in zip(tabs, ("ode_to_joy.wav", "second take.flac")):
            tab.wait_for_selector("#pages svg", timeout=90000)
            assert tab.inner_text("#report").startswith(f"{name}: 20.0 s, ")
            assert len(_names(tab)) == len(SAMPLE_MIDI)
    finally:
        context.close()


def test_page_is_offline(page: object, server_url: str) -> None:
    """Everything the page loads comes from this server (no CDN)."""
    html = page.content()  # type: ignore[attr-defined]
    assert "http://" not in html.replace(server_url, "") and "https://" not in html
    for name in ("app.js", "app.css", "index.html"):
        text = (ROOT / "transcribe" / "web" / "static" / name).read_text()
        assert "https://" not in text and "http://" not in text, name
