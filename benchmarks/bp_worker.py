"""Run basic-pitch (ONNX model) on a list of files; executed with ``benchmarks/.venv-bp``'s python.

Usage: ``.venv-bp/bin/python benchmarks/bp_worker.py tasks.json`` where tasks.json is a list of
``{"audio": path, "out": json_path}``.  Each output JSON holds ``notes`` as
``[onset_s, offset_s, midi]`` rows (basic-pitch defaults), ``seconds`` and ``error``.
This file must not import the project (it runs in another environment).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    """Process every task; keep going after a failing file."""
    import logging

    logging.disable(logging.WARNING)
    from basic_pitch import ICASSP_2022_MODEL_PATH
    from basic_pitch.inference import Model, predict

    model = Model(ICASSP_2022_MODEL_PATH)
    tasks = json.loads(Path(argv[0]).read_text())
    for task in tasks:
        t0 = time.perf_counter()
        try:
            _, _, events = predict(task["audio"], model)
            notes = sorted([float(e[0]), float(e[1]), int(e[2])] for e in events)
            out = {"notes": notes, "error": None}
        except Exception as exc:  # report, do not stop the batch
            out = {"notes": [], "error": f"{type(exc).__name__}: {exc}"}
        out["seconds"] = time.perf_counter() - t0
        out["audio"] = task["audio"]
        Path(task["out"]).parent.mkdir(parents=True, exist_ok=True)
        Path(task["out"]).write_text(json.dumps(out))
        print(f"basic-pitch {Path(task['audio']).name}: {len(out['notes'])} notes, {out['seconds']:.1f}s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
