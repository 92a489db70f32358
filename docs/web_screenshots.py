"""Take the README's screenshots of the web page: docs/web-record.png (recording) and docs/web.png (a result).

Runs ``transcribe serve``'s app on a free local port and drives the system chromium with
Playwright (no browser download), its fake microphone fed with samples/ode_to_joy.wav.

    python docs/web_screenshots.py
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from transcribe.web.app import create_app  # noqa: E402

SAMPLE = ROOT / "samples" / "ode_to_joy.wav"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={SAMPLE}", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 760}, device_scale_factor=1)
            page.goto(f"http://127.0.0.1:{port}/")
            page.click("#record")
            time.sleep(7.5)  # the live trace of the sample's first phrase
            page.screenshot(path=str(ROOT / "docs" / "web-record.png"), clip={"x": 0, "y": 0, "width": 1200, "height": 470})
            page.click("#record")
            page.wait_for_selector("#pages svg", timeout=60000)
            page.set_input_files("#file", str(SAMPLE))  # the whole sample, as a file
            page.wait_for_function("document.querySelector('#report').textContent.startsWith('ode_to_joy.wav')", timeout=60000)
            page.click("#play")
            time.sleep(5.2)  # playing, a note lit in the plot and the score
            page.click("#play")
            top, box = page.locator("#overrides").bounding_box(), page.locator("#result").bounding_box()
            height = box["y"] + box["height"] - top["y"] - 40
            clip = {"x": 0, "y": top["y"] - 8, "width": 1200, "height": height}
            page.screenshot(path=str(ROOT / "docs" / "web.png"), full_page=True, clip=clip)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
