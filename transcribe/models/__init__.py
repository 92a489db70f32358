"""Fitted parameters, shipped as package data: one ``.npz`` file per model, one loader.

Each file holds float arrays (a model's weights), string arrays (the feature names they
go with, in column order) and 0-d strings ``provenance.*`` (the fit script, its seeds and
data, the commit, the held-out score). :func:`load` reads a file with
``allow_pickle=False``; it is cached with :func:`functools.cache` (an unbounded ``lru_cache``), a pure function of
a file inside the package, and the arrays it returns are read-only. ``README.md`` here is
the model card of each file. The fit scripts (``benchmarks/fit_*.py``) write the files
with :func:`save` at full precision.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ..errors import ModelError

HERE = Path(__file__).resolve().parent
#: The models shipped, by file stem.
NAMES: tuple[str, ...] = (
    "attack",
    "release",
    "reattack",
    "meter",
    "duple",
    "key",
    "intonation",
    "sung_rhythm",
    "sung_meter",
    "sung_onsets",
)
_PROVENANCE = "provenance."


@dataclass(frozen=True)
class Model:
    """One model file.

    Attributes:
        name: The file stem, e.g. ``"attack"``.
        arrays: Float arrays by name (read-only), e.g. ``"net.hidden"``.
        names: Feature names by name, e.g. ``"features"``: the columns the arrays go with.
        provenance: How it was fitted: ``script``, ``seeds``, ``data``, ``commit``, ``held_out``.
    """

    name: str
    arrays: Mapping[str, np.ndarray]
    names: Mapping[str, tuple[str, ...]]
    provenance: Mapping[str, str]

    def group(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays named ``prefix.<key>``, by ``<key>`` (e.g. a network's ``mean``, ``hidden``...)."""
        start = prefix + "."
        return {k[len(start) :]: v for k, v in self.arrays.items() if k.startswith(start)}

    def features(self, key: str, expected: tuple[str, ...]) -> tuple[str, ...]:
        """The feature names stored under ``key``, checked against the code's ``expected`` list."""
        got = self.names.get(key)
        if got != tuple(expected):
            raise ModelError(
                f"model file {self.name}.npz was fitted on other features than this code computes ({key}): "
                f"refit it (see transcribe/models/README.md) or reinstall the package"
            )
        return got


def path(name: str) -> Path:
    """Where the model ``name`` is stored."""
    return HERE / f"{name}.npz"


@functools.cache
def load(name: str) -> Model:
    """Read the model ``name`` (one of :data:`NAMES`) from the package; cached, read-only arrays."""
    file = path(name)
    if name not in NAMES or not file.exists():
        raise ModelError(f"no model file {file}: reinstall the package (its .npz files are package data)")
    return read(file)


def checked(name: str, expected: tuple[str, ...], *, key: str = "features") -> Model:
    """:func:`load` the model ``name`` and check that its feature names under ``key`` are ``expected``
    (the columns the calling code computes); :class:`~transcribe.errors.ModelError` when not."""
    model = load(name)
    model.features(key, expected)
    return model


def read(file: str | os.PathLike[str]) -> Model:
    """Read any model file (not cached): what :func:`load` does for the package's own."""
    file = Path(file)
    arrays: dict[str, np.ndarray] = {}
    names: dict[str, tuple[str, ...]] = {}
    provenance: dict[str, str] = {}
    with np.load(file, allow_pickle=False) as data:
        for key in data.files:
            value = data[key]
            if key.startswith(_PROVENANCE):
                provenance[key[len(_PROVENANCE) :]] = str(value)
            elif value.dtype.kind == "U":
                names[key] = tuple(str(v) for v in value)
            else:
                value.setflags(write=False)
                arrays[key] = value
    return Model(file.stem, MappingProxyType(arrays), MappingProxyType(names), MappingProxyType(provenance))


def save(
    file: str | os.PathLike[str],
    *,
    arrays: Mapping[str, np.ndarray | float],
    names: Mapping[str, tuple[str, ...]],
    provenance: Mapping[str, str],
) -> Path:
    """Write a model file at full precision (float64), for the fit scripts.

    Args:
        file: The ``.npz`` path (``path(name)`` to replace the shipped one).
        arrays: Float arrays by name (``"net.hidden"``...).
        names: Feature-name lists by name.
        provenance: ``script``, ``seeds``, ``data``, ``commit``, ``held_out`` (free text).
    """
    out: dict[str, np.ndarray] = {k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()}
    out.update({k: np.array(list(v), dtype=np.str_) for k, v in names.items()})
    out.update({_PROVENANCE + k: np.array(str(v), dtype=np.str_) for k, v in provenance.items()})
    file = Path(file)
    with open(file, "wb") as fh:  # np.savez would add ".npz" to a name without it
        np.savez(fh, **out)
    return file
