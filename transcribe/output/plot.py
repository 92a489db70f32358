"""A picture of one transcription: why each note came out as it did.

Top panel: the spectrogram on a log-frequency axis (grey), the pitch track
(dots coloured by the model's confidence; faint dots are frames the voicing
gate dropped), the final notes as bars one semitone high at their tuned pitch,
labelled with their written names, and the barlines with measure numbers.
Bottom panel: confidence over time, the voicing threshold, and the frames kept
as voiced (shaded).

The image is always :data:`WIDTH_PX` x :data:`HEIGHT_PX` pixels, whatever the
length of the recording. matplotlib is imported inside :func:`plot_png`.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..result import count_words
from ..units import hz_to_midi, midi_to_hz
from ..values import TimeSignature
from .files import write_bytes_atomic

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Transcription
    from ..types import Audio

#: Size of the plot in pixels (16 x 8 inches at 100 dpi).
WIDTH_PX, HEIGHT_PX = 1600, 800
_DPI = 100
#: Spectrogram window; 128 ms at 16 kHz resolves semitones down to about 100 Hz.
_N_FFT = 2048
#: At most this many spectrogram columns, whatever the length (the plot is 1600 px wide).
_MAX_COLUMNS = 3000
_NOTE_FILL, _NOTE_EDGE = "#6baed6", "#08519c"
_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def spectrogram(samples: np.ndarray, sr: int, *, max_columns: int = _MAX_COLUMNS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Magnitude spectrogram in dB re its maximum.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.
        max_columns: Upper bound on the number of frames (the hop grows with
            the length, so memory stays bounded for hour-long recordings).

    Returns:
        ``(times_s, freqs_hz, db)`` with ``db`` of shape (len(freqs_hz), len(times_s)),
        in dB re the loudest bin, clipped at -80 dB.
    """
    x = np.asarray(samples, dtype=np.float32)
    n_fft = _N_FFT if sr >= 16000 else 1024
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    hop = max(sr // 100, math.ceil((len(x) - n_fft + 1) / max_columns))
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    mag = np.abs(np.fft.rfft(frames * np.hanning(n_fft).astype(np.float32), axis=1)).T
    # 0 dB is the loudest bin, but never more than 60 dB below a full-scale sine
    # (whose peak bin is n_fft / 4), so silence and hiss stay white.
    ref = max(float(mag.max()), n_fft / 4 * 1e-3)
    db = np.maximum(20.0 * np.log10(np.maximum(mag, 1e-10) / ref), -80.0)
    times = (np.arange(frames.shape[0]) * hop + n_fft / 2) / sr
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    return times, freqs, db


def _pitch_ticks(lo_hz: float, hi_hz: float) -> tuple[list[float], list[str]]:
    """Ticks at note names: every natural note over a small range, else every C."""
    lo_m, hi_m = math.ceil(69 + 12 * math.log2(lo_hz / 440)), math.floor(69 + 12 * math.log2(hi_hz / 440))
    naturals = (0, 2, 4, 5, 7, 9, 11) if hi_m - lo_m <= 40 else (0,)
    ticks, labels = [], []
    for m in range(lo_m, hi_m + 1):
        if m % 12 in naturals:
            name = f"{_NAMES[m % 12]}{m // 12 - 1}"
            ticks.append(midi_to_hz(m))
            labels.append(f"{name}  {midi_to_hz(m):.0f} Hz" if m % 12 == 0 else name)
    return ticks, labels


def plot_png(t: Transcription, audio: Audio | None = None) -> bytes:
    """Draw the transcription as a PNG of :data:`WIDTH_PX` x :data:`HEIGHT_PX` pixels.

    Args:
        t: The transcription.
        audio: Its mono audio for the spectrogram; ``None`` uses ``t.audio``,
            and without audio the plot has no spectrogram.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    audio = audio if audio is not None else t.audio
    track, voiced = t.raw_track, np.asarray(t.voiced, dtype=bool)
    tuning = t.tuning_cents / 100.0
    duration = max(t.duration_s, float(track.times_s[-1]) if len(track) else 0.0, 0.1)

    # Frequency range: the notes (or the voiced track) with a bit more than an octave either
    # side, so octave errors (a harmonic or a sub-harmonic taken for the note) show.
    if t.written:
        lo_m, hi_m = min(w.midi for w in t.written), max(w.midi for w in t.written)
    else:
        f = track.f0_hz[voiced & np.isfinite(track.f0_hz)] if len(track) else np.array([])
        lo_m, hi_m = (round(hz_to_midi(np.min(f))), round(hz_to_midi(np.max(f)))) if len(f) else (57, 81)
    lo_hz = max(t.options.pitch_range_hz[0] * 0.9, midi_to_hz(lo_m - 14))
    hi_hz = min(midi_to_hz(hi_m + 14), (audio.sr / 2) if audio is not None else 8000.0)

    fig = Figure(figsize=(WIDTH_PX / _DPI, HEIGHT_PX / _DPI), dpi=_DPI)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=(4, 1), hspace=0.06, left=0.07, right=0.93, top=0.92, bottom=0.07)
    ax = fig.add_subplot(grid[0])
    axc = fig.add_subplot(grid[1], sharex=ax)

    if audio is not None and len(audio.samples):
        times, freqs, db = spectrogram(audio.samples, audio.sr)
        keep = (freqs >= lo_hz / 1.2) & (freqs <= hi_hz * 1.2) & (freqs > 0)
        ax.pcolormesh(times, freqs[keep], db[keep], cmap="Greys", vmin=-80, vmax=25, shading="nearest", rasterized=True)

    # Barlines and measure numbers.
    rh = t.rhythm
    if t.written and rh.bpm > 0:
        bar_s = float(rh.measure_q) * 60.0 / rh.bpm
        k = 0
        while rh.origin_s + k * bar_s <= duration and k < 2000:
            x = rh.origin_s + k * bar_s
            ax.axvline(x, color="#4a6fa5", lw=0.8, ls=(0, (4, 3)), alpha=0.6, zorder=1)
            axc.axvline(x, color="#4a6fa5", lw=0.8, ls=(0, (4, 3)), alpha=0.6, zorder=1)
            ax.text(x, 1.005, str(k + 1), transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8, color="#4a6fa5")
            k += 1

    # Notes: a bar one semitone high at the tuned pitch, with the written name.
    for w in t.written:
        mid = w.midi + tuning
        ax.add_patch(
            Rectangle(
                (w.onset_s, midi_to_hz(mid - 0.5)),
                w.offset_s - w.onset_s,
                midi_to_hz(mid + 0.5) - midi_to_hz(mid - 0.5),
                facecolor=_NOTE_FILL,
                alpha=0.3,
                edgecolor=_NOTE_EDGE,
                lw=1.2,
                zorder=2,
            )
        )
        ax.text(
            (w.onset_s + w.offset_s) / 2,
            midi_to_hz(mid + 0.7),
            w.name,
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
            color=_NOTE_EDGE,
            zorder=4,
            clip_on=True,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
        )

    # Pitch track coloured by confidence; frames the gate dropped are faint.
    f0 = track.f0_hz
    has = np.isfinite(f0) & (f0 > 0)
    sc = None
    for mask, alpha, size in ((has & ~voiced, 0.25, 3), (has & voiced, 1.0, 6)):
        if mask.any():
            sc = ax.scatter(
                track.times_s[mask],
                f0[mask],
                c=track.confidence[mask],
                cmap="viridis",
                vmin=0,
                vmax=1,
                s=size,
                alpha=alpha,
                linewidths=0,
                zorder=3,
            )
    if sc is not None:
        cb = fig.colorbar(sc, ax=[ax, axc], pad=0.01, fraction=0.02)
        cb.set_label("pitch confidence")
        cb.solids.set_alpha(1)

    if not t.written:
        ax.text(0.5, 0.5, "no notes found", transform=ax.transAxes, ha="center", va="center", fontsize=16, color="0.4")
    ax.set_yscale("log")
    ax.set_ylim(lo_hz, hi_hz)
    ticks, labels = _pitch_ticks(lo_hz, hi_hz)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.yaxis.set_minor_locator(_null_locator())
    ax.set_ylabel("pitch")
    ax.set_xlim(0, duration)
    ax.tick_params(labelbottom=False)
    ax.legend(
        handles=[
            Patch(facecolor=_NOTE_FILL, alpha=0.4, edgecolor=_NOTE_EDGE, label="note as written (±50 cents at the tuned pitch)"),
            Patch(facecolor="#3b528b", label="pitch track (faint: gated out)"),
            Patch(facecolor="0.5", label="spectrogram"),
        ],
        loc="upper right",
        fontsize=8,
        framealpha=0.85,
    )
    tempo = f"♩. = {rh.bpm / 1.5:.0f}" if _compound(rh.time_signature) else f"♩ = {rh.bpm:.0f}"
    fig.suptitle(
        f"{t.title}  —  {count_words(len(t.written), 'note')}, {t.key}, {rh.time_signature}, {tempo}, {t.tuning_summary}",
        fontsize=13,
        x=0.07,
        ha="left",
    )

    # Confidence panel.
    threshold = t.options.voicing_threshold
    if len(track):
        axc.fill_between(track.times_s, 0, 1, where=voiced, color="#a6d96a", alpha=0.5, step="mid", lw=0, label="voiced")
        axc.plot(track.times_s, track.confidence, color="black", lw=0.8, label="confidence")
    axc.axhline(threshold, color="#d7191c", lw=1, ls="--", label=f"threshold {threshold:g}")
    axc.set_ylim(0, 1.02)
    axc.set_yticks([0, 0.5, 1])
    axc.set_ylabel("confidence")
    axc.set_xlabel("time (s)")
    axc.legend(loc="lower right", fontsize=8, ncol=3, framealpha=0.85)

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    return buf.getvalue()


def _null_locator() -> object:
    from matplotlib.ticker import NullLocator

    return NullLocator()


def _compound(ts: str) -> bool:
    return TimeSignature(ts).is_compound


def write_plot(path: str | os.PathLike[str], t: Transcription, *, force: bool = False) -> Path:
    """Write the plot PNG atomically; refuses to overwrite unless ``force``."""
    return write_bytes_atomic(path, plot_png(t), force=force)
