"""Our MusicXML imports into MuseScore 3 with no problem lines (issue 5).

For the bundled sample and the rendered subset (``rendered_subset.py``), the MusicXML written by
``Transcription.write_musicxml`` is converted to PDF by ``mscore3 -o out.pdf in.musicxml``.

MuseScore 3 (checked with 3.2.3) exits 0 and prints "... success!" even when the import went
wrong: a file that fails its MusicXML schema check prints
``importMusicXml() file '...' is not a valid MusicXML file``, import problems print
``Error at line L col C: ...`` (e.g. "illegal duration", "calculated duration (1/4) not equal to
specified duration (...)", "invalid step 'H'", "cannot find part 'P1'"), and some problems print
other lines ("MusicXMLStepAltOct2Pitch: illegal step -1", "empty score") or crash (exit 139).
So the output is checked against a strict allow-list: every non-blank line must match one of
:data:`ALLOWED`, anything else fails the test.  ``test_checker_sees_a_broken_file`` proves on a
deliberately broken file that this MuseScore does print problems where we look for them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests import rendered_subset as rs

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "ode_to_joy.wav"
MSCORE = shutil.which("mscore3")
TIMEOUT_S = 60

# The only lines MuseScore may print for a good import (everything else is a problem):
ALLOWED = [
    # converter progress, printed for every file: "convert <in.musicxml>..."
    re.compile(r"^convert <.+>\.\.\.$"),
    # converter progress: "\tto <out.pdf>"
    re.compile(r"^\s*to <.+>$"),
    # converter progress: the conversion finished (printed even after import errors)
    re.compile(r"^\.\.\. success!$"),
    # Qt's notice when XDG_RUNTIME_DIR is unset (we set it below, so it should not appear; harmless)
    re.compile(r"^QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '.*'$"),
]

pytestmark = pytest.mark.skipif(MSCORE is None, reason="mscore3 (MuseScore 3) is not on PATH (apt-get install musescore3)")


def run_mscore(src: Path, out_pdf: Path, home: Path) -> tuple[int, list[str]]:
    """Convert ``src`` to ``out_pdf``; return the exit status and the output lines.

    MuseScore runs headless (Qt offscreen platform) with its own HOME and XDG folders under
    ``home``, so it neither needs a display nor touches the user's MuseScore settings.
    """
    runtime = home / "runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    assert MSCORE is not None
    proc = subprocess.run(
        [MSCORE, "-o", str(out_pdf), str(src)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT_S,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, (proc.stdout + proc.stderr).splitlines()


def problem_lines(lines: list[str]) -> list[str]:
    """Non-blank output lines that are not on the allow-list."""
    return [ln for ln in lines if ln.strip() and not any(p.match(ln) for p in ALLOWED)]


def _cases() -> list[Any]:
    no_render = rs.missing_tools()
    cases: list[Any] = [pytest.param("ode_to_joy", id="ode_to_joy")]
    for item_id in (rs.SUBSET[i] for i in sorted(rs.SUBSET)):
        marks = [pytest.mark.skip(reason=no_render)] if no_render else []
        cases.append(pytest.param(item_id, id=item_id, marks=marks))
    return cases


def _transcription(name: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    if name == "ode_to_joy":
        import transcribe

        return transcribe.transcribe(SAMPLE)
    item = next(it for it in rs.subset_items(tmp_path_factory) if it.id == name)
    return rs.transcription_of(item)


@pytest.mark.parametrize("name", _cases())
def test_musicxml_imports_into_musescore(name: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    result = _transcription(name, tmp_path_factory)
    assert len(result.notes) > 0
    xml = result.write_musicxml(tmp_path / f"{name}.musicxml")
    pdf = tmp_path / f"{name}.pdf"
    rc, lines = run_mscore(xml, pdf, tmp_path / "home")
    print(f"\nmscore3 output for {name}:\n" + "\n".join(lines))
    assert rc == 0, f"mscore3 exited {rc}: {lines}"
    assert pdf.exists() and pdf.stat().st_size > 1000, "mscore3 wrote no PDF"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    bad = problem_lines(lines)
    assert not bad, f"MuseScore reported problems importing {xml.name}: {bad}"


def test_checker_sees_a_broken_file(tmp_path: Path) -> None:
    """Canary: a file with an invalid pitch step must produce lines that the allow-list rejects."""
    import transcribe

    good = transcribe.transcribe(SAMPLE).to_musicxml().decode("utf-8")
    broken, n = re.subn(r"<step>[A-G]</step>", "<step>H</step>", good, count=1)
    assert n == 1
    src = tmp_path / "broken.musicxml"
    src.write_text(broken, encoding="utf-8")
    _rc, lines = run_mscore(src, tmp_path / "broken.pdf", tmp_path / "home")
    bad = problem_lines(lines)
    assert any("not a valid MusicXML file" in ln for ln in bad), lines
    assert any(ln.startswith("Error at line") for ln in bad), lines
