"""The ASGI app behind ``transcribe serve``: the page, one upload endpoint, results and downloads.

Routes (nothing a client sends is used as a path; results live in a
:class:`~transcribe.web.store.ResultStore` under random ids):

- ``GET /``, ``/app.js``, ``/app.css``: the page, read from this package.
- ``GET /api/config``: the limits and choices the page shows.
- ``POST /api/transcribe?name=...&tempo=...``: the body is the audio file; the
  answer is the result as JSON (or ``{"error": "transcribe: error: ..."}``, the
  CLI's line).
- ``POST /api/result/{id}/rerender?tempo=...``: the same audio with other options.
- ``GET /api/result/{id}/{musicxml|midi|pdf|png|csv|plot}``: downloads.

Transcription is CPU-bound, so it runs in a small thread pool while the
server's loop stays free for other tabs.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import tempfile
import threading
import warnings
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import audio as audio_io
from .. import pitch
from ..config import BACKENDS, Options
from ..errors import AudioError, OptionError, TranscribeError
from ..pipeline import title_from, transcribe
from .sniff import ACCEPTED, HEAD_BYTES, SUFFIXES, audio_kind
from .store import Entry, ResultStore

#: Largest upload accepted (bytes): 10 minutes of CD-quality mono WAV.
MAX_UPLOAD_BYTES = 60 * 1024 * 1024
#: Longest recording accepted (seconds).
MAX_DURATION_S = 600.0
#: Transcriptions run at once; more wait their turn.
WORKERS = 2
#: Most pitch-track points sent to the page (the plot is ~1000 px wide).
MAX_TRACK_POINTS = 4000

_STATIC = {"/": ("index.html", "text/html; charset=utf-8"), "/app.js": ("app.js", "text/javascript; charset=utf-8"),
           "/app.css": ("app.css", "text/css; charset=utf-8")}  # fmt: skip
_DOWNLOADS = {
    "musicxml": (".musicxml", "application/vnd.recordare.musicxml+xml"),
    "midi": (".mid", "audio/midi"),
    "pdf": (".pdf", "application/pdf"),
    "png": (".png", "image/png"),
    "csv": (".csv", "text/csv; charset=utf-8"),
    "plot": (".plot.png", "image/png"),
}
_SAFE = re.compile(r"[^\w.,' ()+-]+")  # letters of any script, digits and a little punctuation


class UploadTooLarge(TranscribeError):
    """The request body is over the upload limit."""


def display_name(raw: str | None) -> str:
    """The name an upload is shown under: the last part of what the client sent, letters,
    digits and a little punctuation, at most 80 characters; ``"recording"`` when nothing is
    left. Never a path."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = _SAFE.sub("_", base).strip(" ._")[:80]
    return base or "recording"


def parse_options(query: dict[str, str], *, name: str) -> Options:
    """The CLI's overrides from a query string: ``pitch``, ``tempo``, ``time_signature``,
    ``key``, ``title`` (empty means "estimate"); the title defaults from ``name``.

    Raises:
        OptionError: With the CLI's message for a bad value.
    """

    def get(key: str) -> str | None:
        value = query.get(key, "").strip()
        return value or None

    tempo = get("tempo")
    tempo_bpm: float | None = None
    if tempo is not None:
        try:
            tempo_bpm = float(tempo)
        except ValueError:
            raise OptionError(f"tempo {tempo!r} is not a number: give a BPM from 20 to 400") from None
    title = get("title")
    return Options(
        pitch=get("pitch") or Options().pitch,
        tempo_bpm=tempo_bpm,
        time_signature=get("time_signature"),
        key=get("key"),
        title=title[:200] if title else title_from(Path(name)),
    )


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": f"transcribe: error: {message}"}, status_code=status)


class Transcriber:
    """The work behind the routes, run in worker threads; one per app."""

    def __init__(self, store: ResultStore, *, max_duration_s: float) -> None:
        self.store, self.max_duration_s = store, max_duration_s
        self._render_lock = threading.Lock()  # music21 and verovio, one score at a time

    def from_upload(self, data: bytes, name: str, options: Options) -> dict[str, Any]:
        """Sniff, decode and transcribe an upload; the page's JSON.

        The bytes go to a fresh private temporary folder under a fixed name (the
        decoders want a file) that is removed before this returns.
        """
        if not data:
            raise AudioError(f"{name}: the file is empty (0 bytes): re-export or re-record it")
        kind = audio_kind(data[:HEAD_BYTES])
        with tempfile.TemporaryDirectory(prefix="transcribe-web-") as folder:
            path = Path(folder) / f"upload{SUFFIXES.get(kind or '', '.bin')}"
            path.write_bytes(data)
            with _named(str(path), name):
                if kind is None:
                    what = audio_io.sniff_not_audio(path, name)
                    if what is not None:
                        raise AudioError(f"{name}: is {what}, not audio: give a recording (WAV, FLAC, MP3, M4A...)")
                    raise AudioError(f"{name}: is not an audio file this page reads ({ACCEPTED}): convert it to WAV")
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    decoded = audio_io.load(path, sr=pitch.sample_rate(options.pitch))
                heard = tuple(_rename(str(w.message), str(path), name) for w in caught)
        if decoded.duration_s > self.max_duration_s:
            raise AudioError(
                f"{name}: the recording is {_length(decoded.duration_s)} long, and this page takes up to "
                f"{_length(self.max_duration_s)}: trim it, or use the command line"
            )
        return self._transcribe(name, decoded, options, heard)

    def rerender(self, key: str, options: Options) -> dict[str, Any] | None:
        """The stored audio under ``key`` transcribed again with ``options``; ``None`` if gone."""
        entry = self.store.get(key)
        if entry is None:
            return None
        return self._transcribe(entry.name, entry.audio, options, ())

    def _transcribe(self, name: str, decoded: Any, options: Options, heard: tuple[str, ...]) -> dict[str, Any]:
        from ..result import report_line

        with _named("<array>", name), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = transcribe(decoded.samples, sr=decoded.sr, **_fields(options))
            with self._render_lock:
                pages = result.to_svg()
        lines = heard + tuple(_rename(str(w.message), "<array>", name) for w in caught)
        report = _rename(report_line(result), "<array>", name)
        entry = Entry(name=name, audio=decoded, options=options, result=result, report=report,
                      warnings=tuple(f"transcribe: warning: {w}" for w in lines))  # fmt: skip
        key = self.store.add(entry)
        return result_json(key, entry, pages)

    def download(self, entry: Entry, what: str, page: int) -> bytes:
        """A download's bytes, made on first request and kept with the entry."""
        cache_key = f"{what}-{page}"
        if cache_key not in entry.outputs:
            t = entry.result
            with self._render_lock:
                if what == "musicxml":
                    data = t.to_musicxml()
                elif what == "midi":
                    data = t.to_midi()
                elif what == "pdf":
                    data = t.to_pdf()
                elif what == "csv":
                    data = t.to_csv()
                elif what == "plot":
                    data = t.plot()
                else:
                    from ..output.render import png_pages

                    svgs = t.to_svg()
                    data = png_pages([svgs[min(max(page, 1), len(svgs)) - 1]])[0]
            entry.outputs[cache_key] = data
        return bytes(entry.outputs[cache_key])


def _length(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} minutes"


def _fields(options: Options) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(options)


def _rename(text: str, old: str, new: str) -> str:
    return text.replace(old, new)


@contextlib.contextmanager
def _named(old: str, new: str) -> Any:
    """Errors raised inside name the upload as the user knows it, not the temporary file."""
    try:
        yield
    except TranscribeError as exc:
        raise type(exc)(_rename(str(exc), old, new)) from None


def result_json(key: str, entry: Entry, pages: list[str]) -> dict[str, Any]:
    """What the page shows of a result."""
    t = entry.result
    track = t.raw_track
    step = max(1, math.ceil(len(track) / MAX_TRACK_POINTS))
    midi = np.where(t.voiced, track.midi, np.nan)[::step]
    times = track.times_s[::step]
    return {
        "id": key,
        "name": entry.name,
        "title": t.title,
        "report": entry.report,
        "warnings": list(entry.warnings),
        "duration_s": round(t.duration_s, 3),
        "tempo_bpm": round(t.tempo_bpm, 2),
        "time_signature": t.time_signature,
        "key": t.key,
        "tuning": t.tuning_summary,
        "tuning_cents": round(float(t.tuning_cents), 1),
        "pickup_q": float(t.rhythm.pickup_q),
        "options": {
            "pitch": entry.options.pitch,
            "tempo": entry.options.tempo_bpm,
            "time_signature": entry.options.time_signature,
            "key": entry.options.key,
            "title": t.title,
        },
        "notes": [
            {
                "on": round(n.onset_s, 3),
                "off": round(n.offset_s, 3),
                "midi": n.midi,
                "name": n.name,
                "measure": n.measure,
                "beat": round(n.beat, 3),
                "cents": round(n.cents, 1),
            }
            for n in t.written
        ],
        "track": {
            "t": [round(float(x), 3) for x in times],
            "midi": [None if not math.isfinite(m) else round(float(m), 2) for m in midi],
        },
        "pages": pages,
    }


def _static(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def create_app(
    *,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    max_duration_s: float = MAX_DURATION_S,
    workers: int = WORKERS,
    store: ResultStore | None = None,
) -> Starlette:
    """The web app; limits and pool size are keyword options (tests make them small)."""
    store = store if store is not None else ResultStore()
    work = Transcriber(store, max_duration_s=max_duration_s)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="transcribe-web")
    static = {route: (_static(name), media) for route, (name, media) in _STATIC.items()}

    async def run(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    async def page(request: Request) -> Response:
        body, media = static[request.url.path]
        return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})

    async def config(request: Request) -> Response:
        return JSONResponse({"max_upload_bytes": max_upload_bytes, "max_duration_s": max_duration_s,
                             "backends": list(BACKENDS), "default_backend": Options().pitch})  # fmt: skip

    async def upload(request: Request) -> Response:
        name = display_name(request.query_params.get("name"))
        try:
            options = parse_options(dict(request.query_params), name=name)
            data = await _read_body(request, max_upload_bytes, name)
            return JSONResponse(await run(work.from_upload, data, name, options))
        except UploadTooLarge as exc:
            return _error(str(exc), 413)
        except TranscribeError as exc:
            return _error(str(exc), 422)
        except Exception as exc:  # a bug, not the user's fault: one line, as the CLI says it, and the server goes on
            return _error(f"{name}: internal error ({type(exc).__name__}: {exc}): please report it with the input file", 500)

    async def rerender(request: Request) -> Response:
        key = request.path_params["key"]
        entry = store.get(key)
        if entry is None:
            return _error("that result is gone (results are kept for an hour): transcribe the file again", 404)
        try:
            options = parse_options(dict(request.query_params), name=entry.name)
            answer = await run(work.rerender, key, options)
        except TranscribeError as exc:
            return _error(str(exc), 422)
        except Exception as exc:  # as in upload
            return _error(f"{entry.name}: internal error ({type(exc).__name__}: {exc}): please report it with the input file", 500)
        if answer is None:
            return _error("that result is gone (results are kept for an hour): transcribe the file again", 404)
        return JSONResponse(answer)

    async def download(request: Request) -> Response:
        what = request.path_params["what"]
        entry = store.get(request.path_params["key"])
        if what not in _DOWNLOADS:
            return _error(f"unknown download {what!r}: choose one of {', '.join(_DOWNLOADS)}", 404)
        if entry is None:
            return _error("that result is gone (results are kept for an hour): transcribe the file again", 404)
        page_no = request.query_params.get("page", "1")
        page_no_i = int(page_no) if page_no.isdigit() else 1
        try:
            data = await run(work.download, entry, what, page_no_i)
        except TranscribeError as exc:
            return _error(str(exc), 422)
        suffix, media = _DOWNLOADS[what]
        stem = Path(entry.name).stem or "transcription"
        if what == "png" and page_no_i > 1:
            stem = f"{stem}-{page_no_i}"
        inline = request.query_params.get("inline") == "1"
        disposition = "inline" if inline else _attachment(f"{stem}{suffix}")
        return Response(data, media_type=media, headers={"Content-Disposition": disposition})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    routes = [Route(path, page) for path in static]
    routes += [
        Route("/api/config", config),
        Route("/api/transcribe", upload, methods=["POST"]),
        Route("/api/result/{key}/rerender", rerender, methods=["POST"]),
        Route("/api/result/{key}/{what}", download),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.store = store
    return app


def _attachment(filename: str) -> str:
    """A Content-Disposition for a download named ``filename`` (any script: RFC 6266's ``filename*``)."""
    plain = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


async def _read_body(request: Request, limit: int, name: str) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes."""
    too_large = UploadTooLarge(
        f"{name}: the file is larger than {limit / 2**20:.0f} MB, this page's limit: trim it, "
        "or save it compressed (FLAC, MP3), or use the command line"
    )
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)
