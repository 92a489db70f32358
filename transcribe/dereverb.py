"""Late-reverberation suppression: a room's decay time read from the recording, and its
late reverberation taken out by spectral subtraction.

The room's reverberation time (RT60, the time its sound takes to fall 60 dB) is read
from the recording itself, from its sharpest free decays: where a note stops, its
sound in a frequency band cannot fall faster than the room lets it, so the steepest
stretches of falling level in a few octave bands give the room's decay rate. A dry
recording's notes stop at once (the level falls off a cliff), a hall's fall at the
hall's rate.

The late reverberation is then estimated as Lebart et al. (2001) do: its power in frame
``t`` is the recording's power :data:`LATE_DELAY_S` earlier, decayed by the room over
that delay, ``exp(-2 delta T) |X(t - T)|^2`` with ``delta = 3 ln 10 / RT60``, and
subtracted in the STFT domain with a gain floor (:func:`suppress`).

Numpy only; a few milliseconds per second of 16 kHz audio.
"""

from __future__ import annotations

import numpy as np

#: STFT frame of the suppressor (seconds; rounded up to a power of two of samples, 512 at
#: 16 kHz), its hop a quarter of it (8 ms at 16 kHz).
FRAME_S = 0.032

#: Delay after which the room's sound counts as late reverberation (seconds): past the
#: direct sound, the first reflections and a note's own attack, which carry the note (chosen
#: on the hall check set, seed 7: 0.05 s 0.746, 0.1 s 0.764, 0.15 s 0.773, 0.2 s 0.769 COnP,
#: at 1x the reverberation time read).
LATE_DELAY_S = 0.15

#: STFT frames the suppressor handles at a time (about 8 s at 16 kHz), so memory stays bounded.
SUPPRESS_CHUNK_FRAMES = 1024

#: Lowest power gain of the suppressor (dB): a floor, so the subtraction leaves no holes.
GAIN_FLOOR_DB = -15.0

#: Frame hop of the band levels the decay rate is read from (seconds), and frames per FFT chunk.
LEVEL_HOP_S = 0.016
LEVEL_CHUNK_FRAMES = 256

#: Octave bands the decay rate is read in (Hz).
DECAY_BANDS_HZ = ((250.0, 500.0), (500.0, 1000.0), (1000.0, 2000.0), (2000.0, 4000.0))

#: Length of the stretches of level whose slope is a decay rate (seconds).
DECAY_WINDOW_S = 0.25

#: A stretch counts only if it starts this far above its band's floor (dB): room to fall.
DECAY_HEADROOM_DB = 25.0

#: Longest reverberation time read (seconds): a slower "steepest decay" is a line with no
#: free decay in it (legato, a slow fade), not a room; read as a long hall, not longer.
#: The rendered and real sets read at most 2.0 s.
MAX_RT60_S = 3.0

#: The room's rate is this percentile of the stretches' slopes (the steepest few).
DECAY_PERCENTILE = 5.0


def band_levels_db(samples: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """Level of each of :data:`DECAY_BANDS_HZ` frame by frame (Hann frames of
    :data:`FRAME_S`, every :data:`LEVEL_HOP_S`).

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.

    Returns:
        ``(levels_db, hop_s)``: levels in dB, shape (bands, frames), and the frame hop in
        seconds. Bands above the Nyquist frequency are left out.
    """
    nperseg = 1 << int(np.ceil(np.log2(FRAME_S * sr)))
    hop = max(1, int(round(LEVEL_HOP_S * sr)))
    x = np.asarray(samples, dtype=np.float32)
    n_frames = len(x) // hop + 1
    padded = np.pad(x, (nperseg // 2, nperseg))
    freqs = np.fft.rfftfreq(nperseg, 1.0 / sr)
    bands = [(freqs >= lo) & (freqs < hi) for lo, hi in DECAY_BANDS_HZ if hi <= sr / 2]
    window = np.hanning(nperseg).astype(np.float32)
    view = np.lib.stride_tricks.sliding_window_view(padded, nperseg)[::hop][:n_frames]
    levels = np.empty((len(bands), n_frames), dtype=np.float64)
    for start in range(0, n_frames, LEVEL_CHUNK_FRAMES):
        sl = slice(start, start + LEVEL_CHUNK_FRAMES)
        power = np.abs(np.fft.rfft(view[sl] * window, axis=1)) ** 2
        for i, band in enumerate(bands):
            levels[i, sl] = power[:, band].sum(axis=1)
    return 10.0 * np.log10(levels + 1e-12), hop / sr


def decay_slopes_db_per_s(levels_db: np.ndarray, hop_s: float) -> np.ndarray:
    """Slopes of the falling stretches of each band's level (dB/s, negative).

    Each stretch is :data:`DECAY_WINDOW_S` long (a least-squares line through its
    frames), starts at least :data:`DECAY_HEADROOM_DB` above its band's floor (the
    band's 10th percentile level) and falls from start to end; the level is clipped at
    the floor, so a note that stops dead falls as steeply as the floor allows.

    Args:
        levels_db: Shape (bands, frames), from :func:`band_levels_db`.
        hop_s: Frame hop in seconds.

    Returns:
        Shape (k,): the slope of every such stretch in every band.
    """
    w = max(3, int(round(DECAY_WINDOW_S / hop_s)))
    if levels_db.shape[1] < w:
        return np.zeros(0)
    x = (np.arange(w) - (w - 1) / 2.0) * hop_s
    out = []
    for row in levels_db:
        floor = float(np.percentile(row, 10))
        level = np.maximum(row, floor)
        windows = np.lib.stride_tricks.sliding_window_view(level, w)
        slopes = windows @ x / float(x @ x)
        keep = (windows[:, 0] >= floor + DECAY_HEADROOM_DB) & (windows[:, -1] < windows[:, 0])
        out.append(slopes[keep])
    return np.concatenate(out) if out else np.zeros(0)


def estimate_rt60_s(samples: np.ndarray, sr: int) -> float:
    """The room's reverberation time read from the recording (seconds).

    The :data:`DECAY_PERCENTILE` th percentile of the decay slopes
    (:func:`decay_slopes_db_per_s`), as the time to fall 60 dB.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.

    Returns:
        RT60 in seconds, at most :data:`MAX_RT60_S`; 0.0 where the recording holds no decay
        to read (silence, one steady tone).
    """
    levels, hop_s = band_levels_db(samples, sr)
    slopes = decay_slopes_db_per_s(levels, hop_s)
    if len(slopes) == 0:
        return 0.0
    rate = -float(np.percentile(slopes, DECAY_PERCENTILE))
    return min(60.0 / rate, MAX_RT60_S) if rate > 0 else 0.0


def suppress(samples: np.ndarray, sr: int, *, rt60_s: float) -> np.ndarray:
    """Take a room's late reverberation out of a recording (Lebart-style spectral subtraction).

    The late reverberation's power in STFT frame ``t`` is estimated as
    ``exp(-2 delta T) P(t - T)`` with ``delta = 3 ln 10 / rt60_s``, ``T`` =
    :data:`LATE_DELAY_S` and ``P`` the recording's power; each bin keeps the share
    ``1 - late / P`` of its power, at least :data:`GAIN_FLOOR_DB`.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.
        rt60_s: The room's reverberation time in seconds (:func:`estimate_rt60_s`); at or
            below 0 the signal comes back unchanged.

    Returns:
        The suppressed signal, shape (n,), the dtype of ``samples``.
    """
    x = np.asarray(samples)
    if rt60_s <= 0 or len(x) == 0:
        return x.copy()
    nperseg = max(16, 1 << int(np.ceil(np.log2(FRAME_S * sr))))
    hop = nperseg // 4
    parts = nperseg // hop
    window = np.hanning(nperseg + 2)[1:-1].astype(np.float32)  # no zero ends
    n_frames = len(x) // hop + 1
    padded = np.pad(x.astype(np.float32), (nperseg // 2, nperseg))
    frames_in = np.lib.stride_tricks.sliding_window_view(padded, nperseg)[::hop][:n_frames]
    lag = max(1, int(round(LATE_DELAY_S * sr / hop)))
    decay = np.float32(np.exp(-2.0 * (3.0 * np.log(10.0) / rt60_s) * lag * hop / sr))
    floor = np.float32(10.0 ** (GAIN_FLOOR_DB / 10.0))
    # Weighted overlap-add, in blocks of one hop: frame i covers blocks i .. i + parts - 1.
    out = np.zeros((n_frames + parts - 1, hop), dtype=np.float32)
    norm = np.zeros_like(out)
    w_parts = window.reshape(parts, hop)
    earlier = np.zeros((lag, nperseg // 2 + 1), dtype=np.float32)  # the power of the frames before the chunk
    for start in range(0, n_frames, SUPPRESS_CHUNK_FRAMES):
        spec = np.fft.rfft(frames_in[start : start + SUPPRESS_CHUNK_FRAMES] * window, axis=1)
        k = len(spec)
        power = (spec.real**2 + spec.imag**2).astype(np.float32)
        history = np.concatenate([earlier, power])
        late = decay * history[:k]
        gain = np.maximum(1.0 - late / np.maximum(power, np.float32(1e-20)), floor)
        frames = (np.fft.irfft(spec * np.sqrt(gain), nperseg, axis=1).astype(np.float32) * window).reshape(k, parts, hop)
        for q in range(parts):
            out[start + q : start + q + k] += frames[:, q]
            norm[start + q : start + q + k] += w_parts[q] ** 2
        earlier = history[-lag:]
    half = nperseg // 2
    y = out.ravel()[half : half + len(x)] / np.maximum(norm.ravel()[half : half + len(x)], np.float32(1e-6))
    return y.astype(x.dtype, copy=False)
