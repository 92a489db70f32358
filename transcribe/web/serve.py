"""``transcribe serve``: start the web page on a local port and open the browser."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import sys
import threading
import time
import webbrowser
from collections.abc import Sequence

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="transcribe serve",
        description="Start the web page: record from the microphone or drop a file, and see the score.",
    )
    ap.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT})")
    ap.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    return ap


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str]) -> int:
    """Run ``transcribe serve``; the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not 1 <= args.port <= 65535:
        print(f"transcribe: error: port {args.port} is out of range: give a port from 1 to 65535", file=sys.stderr)
        return EXIT_USAGE
    try:
        import uvicorn

        from .app import create_app
    except ImportError as exc:
        print(
            f'transcribe: error: the web page needs the optional [web] packages ({exc.name} is missing): pip install "transcribe[web]"',
            file=sys.stderr,
        )
        return EXIT_FAILED
    if not is_loopback(args.host):
        print(
            f"transcribe: warning: listening on {args.host}: anyone who can reach this machine can use the page "
            "and its CPU; use --host 127.0.0.1 to keep it to this machine",
            file=sys.stderr,
        )
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else shown}:{args.port}/"
    server = uvicorn.Server(uvicorn.Config(create_app(), host=args.host, port=args.port, log_level="warning"))
    print(f"transcribe: the page is at {url} (Ctrl-C stops it)", file=sys.stderr)
    if not args.no_browser:
        threading.Thread(target=_open_when_up, args=(server, url), daemon=True).start()
    with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind; said below in one line
        server.run()
    if not server.started:
        print(f"transcribe: error: could not listen on {args.host}:{args.port} (in use?): try another --port", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _open_when_up(server: object, url: str) -> None:
    for _ in range(100):
        if getattr(server, "started", False):
            webbrowser.open(url)
            return
        time.sleep(0.1)
