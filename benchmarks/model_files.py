"""Writing the package's model files (``transcribe/models/*.npz``) from the fit scripts."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

from transcribe import models


def provenance(module: str, argv: list[str] | None, *, seeds: str, data: str, held_out: str) -> dict[str, str]:
    """What a model file records of its fit: the command (``module`` with ``argv``, the
    command line's when ``None``), seeds, data, commit and held-out score."""

    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {
        "script": "python -m " + shlex.join([module, *(sys.argv[1:] if argv is None else argv)]),
        "seeds": seeds,
        "data": data,
        "commit": commit,
        "held_out": held_out,
        "precision": "float64 as fitted",
    }


def write_model(
    name: str, out: Path | None, *, arrays: dict[str, np.ndarray], names: dict[str, tuple[str, ...]], prov: dict[str, str]
) -> None:
    """Write the model file ``name`` (to ``out``, else into the package) and say where."""
    path = models.save(out or models.path(name), arrays=arrays, names=names, provenance=prov)
    print(f"wrote {path}")
