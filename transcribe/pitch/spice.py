"""SPICE (Google's self-supervised pitch estimator) through TensorFlow Hub.

An optional backend: it needs ``pip install "transcribe[spice]"`` (TensorFlow
and tensorflow-hub), and TensorFlow is imported only inside this module's
functions, so the default path never pays for it. The model is loaded with
``tensorflow_hub.load`` on every call (no hidden global cache); a caller that
runs many files can load it once with :func:`load` and pass the
:class:`SpiceModel` as ``model=``.

Model facts used here (TF Hub model cards for ``google/spice/1`` and ``/2``):
16 kHz mono float32 in, one ``pitch`` and one ``uncertainty`` value in [0, 1]
per 512 samples out; ``semitones = a + b * pitch`` with a version-specific
calibration; ``Hz = 10 * 2 ** (semitones / 12)``; confidence = 1 - uncertainty.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

SAMPLE_RATE = 16000

#: Samples per output frame of the model (32 ms at 16 kHz).
HOP = 512

#: The handle used when neither ``model=`` nor ``$TRANSCRIBE_SPICE_MODEL`` names one.
DEFAULT_HANDLE = "https://tfhub.dev/google/spice/2"

#: Environment variable naming the model handle or SavedModel folder.
ENV_MODEL = "TRANSCRIBE_SPICE_MODEL"

#: ``semitones = offset + slope * pitch`` per model version (TF Hub model cards).
#: The two differ by about 1.45 semitones in the singing range, so a wrong
#: version puts every note a semitone or two off.
CALIBRATION: dict[int, tuple[float, float]] = {1: (24.374, 62.511), 2: (25.58, 63.07)}

#: Audio per model call in seconds, so memory stays bounded on long input.
CHUNK_S = 60.0

#: Extra audio fed on each side of a chunk, in seconds. Measured on the v1
#: model: a one-sample change moves the output of frames up to 15.5 frames
#: (~0.5 s) away and no further, so with >= 16 frames of context the stitched
#: frames equal a single pass to float rounding (~1e-7).
OVERLAP_S = 2.0

#: Confidence factor of the first and last frame. Measured on v1 by cutting a
#: melody into 2.5 s pieces and comparing with one pass: the frame at a cut
#: (centred on the first or last sample, half its window zero padding) reads
#: 0.06-0.07 semitone off in the median and up to 2-5 semitones, the next
#: frames <= 0.05, later ones exact. The first and last frame of a recording
#: are in the same place, so they are trusted less.
EDGE_CONFIDENCE = 0.5

_VERSION_RE = re.compile(r"spice(?:/versions)?[/_-]v?([12])(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class SpiceModel:
    """A loaded SPICE model.

    Attributes:
        handle: What was loaded: a URL or a SavedModel folder.
        version: Calibration version, 1 or 2.
        signature: The ``serving_default`` concrete function: takes
            ``input=`` float32 tensor of shape (n,), returns a dict with
            ``pitch`` and ``uncertainty`` of shape (n // 512 + 1,).
    """

    handle: str
    version: int
    signature: Callable[..., Any]

    def run(self, samples: np.ndarray, *, chunk_s: float = CHUNK_S, overlap_s: float = OVERLAP_S) -> tuple[np.ndarray, np.ndarray]:
        """Raw model output for 16 kHz mono audio, computed chunk by chunk.

        Args:
            samples: float32 mono at 16 kHz in [-1, 1], shape (n,).
            chunk_s: Audio per model call in seconds.
            overlap_s: Context fed on each side of a chunk in seconds
                (>= 0.52 s, 16 frames, keeps the result equal to a single pass).

        Returns:
            ``(pitch, uncertainty)``, each float32 of shape (n // 512 + 1,),
            frame i centred on sample 512 i.
        """
        x = np.ascontiguousarray(samples, dtype=np.float32)
        n_frames = len(x) // HOP + 1
        chunk = max(1, int(round(chunk_s * SAMPLE_RATE / HOP)))
        context = max(0, int(math.ceil(overlap_s * SAMPLE_RATE / HOP)))
        pitch = np.empty(n_frames, dtype=np.float32)
        unc = np.empty(n_frames, dtype=np.float32)
        for first in range(0, n_frames, chunk):
            last = min(n_frames, first + chunk)  # frames [first, last) are kept
            lo = max(0, first - context)  # in frames; chunks start on a frame boundary
            hi = min(len(x), (last + context) * HOP)
            p, u = self._call(x[lo * HOP : hi])
            pitch[first:last] = p[first - lo : last - lo]
            unc[first:last] = u[first - lo : last - lo]
        return pitch, unc

    def _call(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One model call; shape (len(x) // 512 + 1,) out."""
        import tensorflow as tf

        n_frames = len(x) // HOP + 1
        # Zero-pad to a whole number of hops (at least one). Measured on v1: the
        # output of quiet frames anywhere in the input depends on len(x) % 512
        # (up to 0.17 of the pitch range in digital silence, 0.004 in noise),
        # though the frame alignment does not (frame i stays centred on sample
        # 512 i for every remainder); with the remainder fixed at 0 chunks and a
        # single pass agree to float rounding. It also avoids the v1 graph's
        # failure on a one-sample input. Extra frames are dropped below.
        pad = (-len(x)) % HOP if len(x) >= HOP else HOP - len(x)
        if pad:
            x = np.pad(x, (0, pad))
        try:
            with _quiet_native_stderr():  # the first call logs device set-up (cuInit...)
                out = self.signature(input=tf.constant(x))
            p, u = out["pitch"].numpy(), out["uncertainty"].numpy()
        except (tf.errors.OpError, KeyError, TypeError, ValueError) as exc:
            msg = f"SPICE model {self.handle} failed to run ({_one_line(exc)}): pass a SPICE SavedModel with --spice-model"
            raise ModelError(msg) from exc
        p, u = np.ravel(p), np.ravel(u)
        if len(p) < n_frames or len(u) < n_frames:
            raise ModelError(
                f"SPICE model {self.handle} gave {len(p)} frames for {len(x)} samples, expected at least {n_frames}: "
                "it is not a SPICE model, pass one with --spice-model"
            )
        return p[:n_frames], u[:n_frames]


def resolve_handle(model: str | os.PathLike[str] | None = None) -> str:
    """The model handle in force: ``model``, else ``$TRANSCRIBE_SPICE_MODEL``, else :data:`DEFAULT_HANDLE`."""
    if model is not None and str(model).strip():
        return str(model).strip()
    env = os.environ.get(ENV_MODEL, "").strip()
    return env or DEFAULT_HANDLE


def detect_version(handle: str) -> int | None:
    """The SPICE version named by a handle, or ``None`` if it names none.

    Looks at the handle text (``.../google/spice/1``, ``.../spice_2``,
    ``.../spice/versions/2``, the last mention wins) and, for a local folder,
    at the descriptor TF Hub writes beside its cache folders
    (``<folder>.descriptor.txt``, whose ``Module:`` line holds the URL).
    """
    found = _VERSION_RE.findall(handle)
    if found:
        return int(found[-1])
    if not _is_url(handle):
        descriptor = Path(os.path.expanduser(handle.rstrip("/\\")) + ".descriptor.txt")
        try:
            text = descriptor.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        found = _VERSION_RE.findall(text)
        if found:
            return int(found[-1])
    return None


def pitch_to_hz(pitch: np.ndarray, version: int) -> np.ndarray:
    """Convert SPICE's raw pitch in [0, 1] to Hz.

    Args:
        pitch: Raw model output, any shape.
        version: Model version, 1 or 2.

    Returns:
        float64 Hz, same shape: ``10 * 2 ** ((offset + slope * pitch) / 12)``.
    """
    if version not in CALIBRATION:
        raise ModelError(f"SPICE version {version!r} is unknown: give 1 or 2")
    offset, slope = CALIBRATION[version]
    semitones = offset + slope * np.asarray(pitch, dtype=np.float64)
    return 10.0 * 2.0 ** (semitones / 12.0)


def load(model: str | os.PathLike[str] | None = None, version: int | None = None) -> SpiceModel:
    """Load a SPICE model with ``tensorflow_hub.load``.

    Args:
        model: TF Hub URL or local SavedModel folder; ``None`` uses
            ``$TRANSCRIBE_SPICE_MODEL`` or :data:`DEFAULT_HANDLE`. A URL is
            downloaded once into TF Hub's cache (``$TFHUB_CACHE_DIR``, else a
            folder in the system temp dir) and read from there afterwards.
        version: Calibration version 1 or 2; ``None`` detects it from the handle.

    Raises:
        ModelError: TensorFlow is missing, the model cannot be found, fetched
            or parsed, it is not a SPICE model, or its version is unknown.
    """
    handle = resolve_handle(model)
    is_url = _is_url(handle)
    if not is_url:
        handle = os.path.expanduser(handle)
        if not os.path.isdir(handle):
            raise ModelError(f"SPICE model folder {handle} does not exist: pass --spice-model with a SavedModel folder, or a TF Hub URL")
        if not any(os.path.isfile(os.path.join(handle, name)) for name in ("saved_model.pb", "saved_model.pbtxt")):
            raise ModelError(f"{handle} is not a SavedModel folder (no saved_model.pb): pass a SPICE SavedModel with --spice-model PATH")
    if version is None:
        version = detect_version(handle)
        if version is None:
            raise ModelError(
                f"cannot tell whether SPICE model {handle} is version 1 or 2 (their pitch scales differ by 1.45 semitones): "
                "pass --spice-version 1 or 2, or name the folder spice_1 or spice_2"
            )
    elif version not in CALIBRATION:
        raise ModelError(f"SPICE version {version!r} is unknown: give 1 or 2")
    with warnings.catch_warnings(), _quiet_native_stderr():  # TensorFlow's start-up chatter is not the user's problem
        warnings.simplefilter("ignore")
        try:
            import tensorflow as tf
            import tensorflow_hub as hub
        except ImportError as exc:
            raise ModelError(f"the SPICE backend needs TensorFlow ({_one_line(exc)}): pip install 'transcribe[spice]'") from exc
        try:
            loaded = hub.load(handle)
        except (OSError, ValueError, tf.errors.OpError) as exc:
            if is_url:
                hint = (
                    "run once with network access to fill TF Hub's cache ($TFHUB_CACHE_DIR), "
                    "or download the model and pass its folder with --spice-model PATH"
                )
            else:
                hint = "pass a SPICE SavedModel folder (with saved_model.pb and variables/) with --spice-model PATH"
            raise ModelError(f"cannot load SPICE model {handle} ({_one_line(exc)}): {hint}") from exc
    signatures = getattr(loaded, "signatures", None)
    if signatures is None or "serving_default" not in signatures:
        raise ModelError(f"{handle} has no 'serving_default' signature, so it is not a SPICE model: pass one with --spice-model")
    signature = signatures["serving_default"]
    outputs = getattr(signature, "structured_outputs", None)
    if not isinstance(outputs, dict) or not {"pitch", "uncertainty"} <= set(outputs):
        raise ModelError(f"{handle} does not output 'pitch' and 'uncertainty', so it is not a SPICE model: pass one with --spice-model")
    # Keep the loaded object alive with its function (the signature refers to its variables).
    return SpiceModel(handle=handle, version=int(version), signature=_Bound(signature, loaded))


def estimate(
    samples: np.ndarray,
    *,
    fmin_hz: float,
    fmax_hz: float,
    model: str | os.PathLike[str] | SpiceModel | None = None,
    version: int | None = None,
    chunk_s: float = CHUNK_S,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run SPICE on 16 kHz mono audio.

    Args:
        samples: float32 mono at 16 kHz in [-1, 1], shape (n,).
        fmin_hz: Lowest pitch in Hz; frames below it get confidence 0.
        fmax_hz: Highest pitch in Hz; frames above it get confidence 0.
        model: A handle (TF Hub URL or SavedModel folder), a loaded
            :class:`SpiceModel`, or ``None`` for ``$TRANSCRIBE_SPICE_MODEL``
            or :data:`DEFAULT_HANDLE`.
        version: Calibration version 1 or 2, overriding detection from the handle.
        chunk_s: Audio per model call in seconds (memory bound on long input).

    Returns:
        ``(times_s, f0_hz, confidence)``, each shape (n // 512 + 1,): one frame
        per 32 ms, frame i centred on sample 512 i (time 0.032 i s).
        Measured on v1 with pitch steps at 96 sub-frame positions: the step
        shows up halfway at 512 i + 5 samples on average (sd ~85, the
        quantisation of a 512-sample hop), i.e. the model pads so that frame
        i is centred on sample 512 i, and these times need no shift.

    Raises:
        ModelError: If the model cannot be loaded or run.
    """
    if isinstance(model, SpiceModel):
        spice = model if version is None or version == model.version else SpiceModel(model.handle, int(version), model.signature)
    else:
        spice = load(model, version)
    pitch, unc = spice.run(samples, chunk_s=chunk_s)
    f0 = pitch_to_hz(pitch, spice.version)
    conf = np.clip(1.0 - unc.astype(np.float64), 0.0, 1.0)
    conf[(f0 < fmin_hz) | (f0 > fmax_hz) | ~np.isfinite(f0)] = 0.0
    conf[0] *= EDGE_CONFIDENCE
    if len(conf) > 1:
        conf[-1] *= EDGE_CONFIDENCE
    times = np.arange(len(f0)) * (HOP / SAMPLE_RATE)
    return times, f0, conf


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence file descriptor 2 while TensorFlow starts, if TF logging is turned down.

    TensorFlow >= 2.18 logs through absl before absl is initialised, and those
    lines (oneDNN, CUDA probing) ignore ``TF_CPP_MIN_LOG_LEVEL``. When that
    variable asks for quiet (>= 2, as the CLI sets it), the native stderr is
    sent to /dev/null for the duration; Python-level errors are raised, not
    printed, so nothing the user needs is lost. Otherwise this does nothing.
    """
    try:
        quiet = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")) >= 2
    except ValueError:
        quiet = False
    if not quiet:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, AttributeError, ValueError):  # no usable fd 2 (embedded, closed): leave it alone
        yield
        return
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _Bound:
    """A concrete function together with the object that owns its variables."""

    def __init__(self, fn: Callable[..., Any], owner: object) -> None:
        self._fn = fn
        self._owner = owner

    def __call__(self, **kwargs: Any) -> Any:
        return self._fn(**kwargs)


def _is_url(handle: str) -> bool:
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", handle) is not None


def _one_line(exc: BaseException) -> str:
    """The first line of an exception's message, shortened."""
    text = str(exc).strip().splitlines()
    line = text[0].strip() if text else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."
