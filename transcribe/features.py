"""Frame features of the audio shared by the stages: loudness and onset strength.

Both are computed at the pitch track's frame times, in chunks so memory stays
bounded on hour-long input. Written with numpy alone: librosa's equivalents
pull numba in at import, which costs more than the whole transcription of a song.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .units import cents_between

#: Frames processed per chunk (about 4 s at a 16 ms hop), so each chunk's FFT
#: buffers are about 1 MB and stay in cache. With 2048-frame chunks (8 MB
#: buffers) both onset strengths of a 3-minute song took ~0.19 s in a fresh
#: process instead of ~0.13 s (medians of 6), with the same values.
CHUNK_FRAMES = 256

#: Half-width of the frequency maximum filter of the onset strength, in bins,
#: and as a share of the bin's frequency (4 %: a vibrato of +-70 cents).
MAX_FILTER_BINS = 3
VIBRATO_SPREAD = 0.04

#: Highest frequency the onset strength looks at (Hz).
FLUX_MAX_HZ = 4000.0


def _frames(samples: np.ndarray, centers: np.ndarray, win: int) -> np.ndarray:
    """Windows of ``win`` samples centred on the sample indices ``centers``,
    zero outside the signal.

    Only the stretch of the signal the windows cover is read (and padded), so
    calling this chunk by chunk stays linear in the length of the signal.

    Returns:
        Array of shape (len(centers), win), a copy.
    """
    half = win // 2
    lo = int(centers.min()) - half
    hi = int(centers.max()) - half + win
    n = len(samples)
    if lo >= n or hi <= 0:
        return np.zeros((len(centers), win), dtype=samples.dtype)
    a, b = max(lo, 0), min(hi, n)
    stretch = np.pad(samples[a:b], (a - lo, hi - b))
    view = np.lib.stride_tricks.sliding_window_view(stretch, win)
    return view[centers - half - lo]


def _window_len(win_s: float, sr: int) -> int:
    """FFT length for a window of ``win_s`` seconds: the next power of two (at least 16 samples)."""
    return 1 << int(np.ceil(np.log2(max(16, win_s * sr))))


def _power_chunks(samples: np.ndarray, sr: int, times_s: np.ndarray, win: int) -> Iterator[tuple[slice, np.ndarray]]:
    """Power spectra of Hann windows of ``win`` samples centred on ``times_s``, chunk by chunk.

    Yields:
        ``(frames, power)``: the slice of frames, and their power spectra, shape (k, win // 2 + 1).
    """
    window = np.hanning(win).astype(np.float32)
    centers = np.round(times_s * sr).astype(np.int64)
    for start in range(0, len(times_s), CHUNK_FRAMES):
        sl = slice(start, start + CHUNK_FRAMES)
        frames = _frames(samples, centers[sl], win).astype(np.float32) * window
        yield sl, np.abs(np.fft.rfft(frames, axis=1)) ** 2


def loudness_db(samples: np.ndarray, sr: int, times_s: np.ndarray, *, win_s: float = 0.032) -> np.ndarray:
    """RMS level in dB re full scale of ``win_s`` of audio centred on each time.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.
        times_s: Frame times in seconds, shape (m,).
        win_s: Window length in seconds.

    Returns:
        Level per frame in dB, shape (m,), floored at -140 dB.
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    out = np.empty(len(times_s))
    if len(samples) == 0:
        out.fill(-140.0)
        return out
    win = max(2, int(round(win_s * sr)))
    centers = np.round(times_s * sr).astype(np.int64)
    for start in range(0, len(times_s), CHUNK_FRAMES):
        frames = _frames(samples, centers[start : start + CHUNK_FRAMES], win).astype(np.float64)
        power = np.einsum("ij,ij->i", frames, frames) / win
        out[start : start + CHUNK_FRAMES] = 10.0 * np.log10(np.maximum(power, 1e-14))
    return out


def below_sides_db(level_db: np.ndarray, side_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """How far each frame's level lies below the loudest of the ``side_frames`` frames before it and
    of the ``side_frames`` frames after it (fewer at the ends): a dip's depth on either side.

    Args:
        level_db: Level per frame in dB, shape (n,).
        side_frames: Frames looked at on each side (>= 1).

    Returns:
        ``(below_before, below_after)`` in dB, each shape (n,); ``-inf`` where no frame lies on
        that side (the first frame's before, the last frame's after).
    """
    level = np.asarray(level_db, dtype=np.float64)
    n = len(level)
    pad = np.full(side_frames, -np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(np.concatenate([pad, level, pad]), side_frames)
    before = windows[:n].max(axis=1)  # frames i - side .. i - 1
    after = windows[side_frames + 1 : side_frames + 1 + n].max(axis=1)  # frames i + 1 .. i + side
    return before - level, after - level


def onset_strength(samples: np.ndarray, sr: int, times_s: np.ndarray, *, win_s: float = 0.064) -> np.ndarray:
    """Spectral flux onset strength at each frame time.

    The positive change of the log-compressed magnitude spectrum between the
    window that ends at a frame and the window that starts there, summed over
    frequency. Comparing windows one length apart (instead of one hop) makes
    slow bowed and sung attacks visible, and the compression keeps a re-attack
    of a quiet note comparable with a loud one.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.
        times_s: Frame times in seconds, shape (m,).
        win_s: Analysis window in seconds.

    Returns:
        Non-negative onset strength per frame, shape (m,), scaled so its 95th
        percentile over the recording is 1 (all zeros for silence).
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    m = len(times_s)
    if m == 0 or len(samples) == 0:
        return np.zeros(m)
    win = _window_len(win_s, sr)
    window = np.hanning(win).astype(np.float32)
    half = win // 2
    centers = np.round(times_s * sr).astype(np.int64)
    lo_bin, hi_bin = 1, min(win // 2, int(FLUX_MAX_HZ * win / sr))  # the harmonics that carry pitch

    # The maximum filter reaches MAX_FILTER_BINS bins, or VIBRATO_SPREAD of the
    # bin's frequency where that is more: a vibrato moves a high harmonic by
    # more bins than a low one.
    reach = np.maximum(MAX_FILTER_BINS, np.round(VIBRATO_SPREAD * np.arange(lo_bin, hi_bin))).astype(np.int64)

    def log_spectra(c: np.ndarray) -> np.ndarray:
        frames = _frames(samples, c, win).astype(np.float32) * window
        return np.log1p(100.0 * np.abs(np.fft.rfft(frames, axis=1)[:, lo_bin:hi_bin]))

    hop = int(centers[1] - centers[0]) if m > 1 else 0
    # On a regular grid whose hop divides half a window, the window before frame
    # i is the window centred on frame i - s: one FFT per frame serves both sides.
    shared = hop > 0 and half % hop == 0 and bool(np.all(np.diff(centers) == hop))
    flux = np.empty(m)
    for start in range(0, m, CHUNK_FRAMES):
        c = centers[start : start + CHUNK_FRAMES]
        if shared:
            s = half // hop
            spec = log_spectra(c[0] + hop * np.arange(-s, len(c) + s))
            before, after = spec[: len(c)], spec[2 * s : 2 * s + len(c)]
        else:
            before, after = log_spectra(c - half), log_spectra(c + half)
        # SuperFlux (Boeck & Widmer 2013): compare with the maximum of the
        # neighbouring bins before, so vibrato moving a partial is not
        # mistaken for a new note.
        spread = before.copy()
        nb = spread.shape[1]
        for shift in range(1, int(reach.max()) + 1):
            first = int(np.searchsorted(reach, shift))  # reach grows with the bin: a suffix reaches this far
            a = max(shift, first)
            if a < nb:
                np.maximum(spread[:, a:], before[:, a - shift : nb - shift], out=spread[:, a:])
            if first < nb - shift:
                np.maximum(spread[:, first : nb - shift], before[:, first + shift :], out=spread[:, first : nb - shift])
        flux[start : start + CHUNK_FRAMES] = np.maximum(after - spread, 0.0).mean(axis=1)
    # The 95th percentile is the height of a typical onset when a recording has
    # many notes; a long held note has few, and its vibrato would pass for onsets.
    scale = max(float(np.percentile(flux, 95)), 0.1 * float(flux.max())) if m > 1 else float(flux[0])
    return flux / scale if scale > 1e-9 else np.zeros(m)


def harmonic_energy_db(
    samples: np.ndarray,
    sr: int,
    times_s: np.ndarray,
    *,
    f0_hz: float,
    exclude_f0_hz: float | None = None,
    n_harmonics: int = 5,
    band_cents: float = 40.0,
    win_s: float = 0.128,
) -> np.ndarray | None:
    """Energy (dB) at the harmonics of one pitch, at each of a few frame times.

    Harmonics within 60 cents of a harmonic of ``exclude_f0_hz`` are left
    out, so the energy of a new note can be followed while an old note (or its
    reverb) still sounds.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.
        times_s: Frame centres in seconds, shape (m,).
        f0_hz: The pitch whose harmonics are measured.
        exclude_f0_hz: A pitch whose harmonics are avoided, or ``None``.
        n_harmonics: Harmonics 1..n are considered.
        band_cents: Half-width of the band around each harmonic.
        win_s: Analysis window (long enough to resolve a semitone at low pitches).

    Returns:
        Shape (m,) in dB, or ``None`` when no harmonic is usable.
    """
    (level,) = harmonic_levels_db(
        samples, sr, times_s, ((f0_hz, exclude_f0_hz),), n_harmonics=n_harmonics, band_cents=band_cents, win_s=win_s
    )
    return level


def harmonic_levels_db(
    samples: np.ndarray,
    sr: int,
    times_s: np.ndarray,
    pitches: Sequence[tuple[float, float | None]],
    *,
    n_harmonics: int = 5,
    band_cents: float = 40.0,
    win_s: float = 0.128,
) -> list[np.ndarray | None]:
    """:func:`harmonic_energy_db` for several ``(f0_hz, exclude_f0_hz)`` pitches at the same
    times, from one set of spectra (one per pitch, ``None`` where no harmonic is usable)."""
    win = _window_len(win_s, sr)
    freqs = np.fft.rfftfreq(win, 1.0 / sr)
    safe = np.maximum(freqs, 1.0)
    half_width = 2.0 ** (band_cents / 1200.0)
    bands = []
    for f0_hz, exclude_f0_hz in pitches:
        band = np.zeros(len(freqs), dtype=bool)
        others = None if exclude_f0_hz is None else exclude_f0_hz * np.arange(1, 3 * n_harmonics + 1)
        for h in range(1, n_harmonics + 1):
            fh = h * f0_hz
            if fh > 0.45 * sr:
                break
            if others is not None and np.min(np.abs(cents_between(fh, others))) < 60.0:
                continue
            # The bins within band_cents of fh (the frequencies are sorted: a slice).
            band[np.searchsorted(safe, fh / half_width, side="right") : np.searchsorted(safe, fh * half_width, side="left")] = True
        bands.append(band)
    if not any(band.any() for band in bands):
        return [None] * len(bands)
    centers = np.round(np.asarray(times_s) * sr).astype(np.int64)
    frames = _frames(samples, centers, win).astype(np.float64) * np.hanning(win)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return [10.0 * np.log10(power[:, band].sum(axis=1) + 1e-12) if band.any() else None for band in bands]


def spectral_peaks(
    samples: np.ndarray, sr: int, times_s: np.ndarray, *, win_s: float = 0.128, fmax_hz: float = 5000.0, range_db: float = 40.0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The spectrum's peaks (partials) at each of a few frame times.

    A peak is a bin above both neighbours, within ``range_db`` of the frame's strongest bin
    below ``fmax_hz``; its frequency is refined by a parabola through the log power of the
    three bins.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.
        times_s: Frame centres in seconds, shape (m,).
        win_s: Analysis window (Hann; rounded up to a power of two of samples).
        fmax_hz: Highest frequency looked at.
        range_db: How far below the strongest bin a peak may lie.

    Returns:
        One ``(freqs_hz, power)`` pair per time, each of shape (k,), strongest first.
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    if len(times_s) == 0 or len(samples) == 0:
        return [(np.zeros(0), np.zeros(0)) for _ in times_s]
    win = _window_len(win_s, sr)
    top = min(win // 2, int(fmax_hz * win / sr))
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for _, power in _power_chunks(samples, sr, times_s, win):
        row = power[:, : top + 1].astype(np.float64)
        db = 10.0 * np.log10(row + 1e-20)
        mid = db[:, 1:-1]
        is_peak = (mid > db[:, :-2]) & (mid >= db[:, 2:]) & (mid >= db.max(axis=1, keepdims=True) - range_db) & (row[:, 1:-1] > 0)
        r, c = np.nonzero(is_peak)
        k = c + 1
        a, b, cc = db[r, k - 1], db[r, k], db[r, k + 1]
        denom = a - 2 * b + cc
        shift = np.where(denom < 0, 0.5 * (a - cc) / np.where(denom < 0, denom, -1.0), 0.0)
        freqs, pw = (k + shift) * sr / win, row[r, k]
        bounds = np.searchsorted(r, np.arange(1, len(row)))
        for f, p in zip(np.split(freqs, bounds), np.split(pw, bounds)):
            order = np.argsort(-p, kind="stable")
            out.append((f[order], p[order]))
    return out


#: Band edges (Hz) of :func:`band_levels_db`: the voice's fundamental and first formant, the
#: upper formants, and the noise of consonants and breaths.
BAND_EDGES_HZ: tuple[float, ...] = (80.0, 500.0, 2000.0, 8000.0)


def band_levels_db(
    samples: np.ndarray, sr: int, times_s: np.ndarray, *, win_s: float = 0.032, edges_hz: Sequence[float] = BAND_EDGES_HZ
) -> np.ndarray:
    """Level (dB) in each band of ``edges_hz`` (increasing band edges, Hz) of ``win_s`` of audio
    centred on each time.

    Returns:
        Shape (len(times_s), len(edges_hz) - 1), floored at -140 dB (a band no frequency of the
        spectrum falls in stays there).
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    n_bands = len(edges_hz) - 1
    out = np.full((len(times_s), n_bands), -140.0)
    if len(times_s) == 0 or len(samples) == 0:
        return out
    win = _window_len(win_s, sr)
    freqs = np.fft.rfftfreq(win, 1.0 / sr)
    band_of = np.searchsorted(np.asarray(edges_hz, dtype=np.float64), freqs, side="right") - 1
    for sl, power in _power_chunks(samples, sr, times_s, win):
        for b in range(n_bands):
            sel = band_of == b
            if sel.any():
                out[sl, b] = 10.0 * np.log10(np.maximum(power[:, sel].sum(axis=1) / win, 1e-14))
    return out


def share_above(samples: np.ndarray, sr: int, times_s: np.ndarray, *, edge_hz: float, win_s: float = 0.032) -> np.ndarray:
    """Share of the power of ``win_s`` of audio centred on each time that lies above ``edge_hz``.

    Returns:
        Shape (len(times_s),), each in [0, 1] (0 for silence).
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    out = np.zeros(len(times_s))
    if len(times_s) == 0 or len(samples) == 0:
        return out
    win = _window_len(win_s, sr)
    above = np.fft.rfftfreq(win, 1.0 / sr) > edge_hz
    for sl, power in _power_chunks(samples, sr, times_s, win):
        total = power.sum(axis=1)
        out[sl] = np.where(total > 0, power[:, above].sum(axis=1) / np.maximum(total, 1e-30), 0.0)
    return out


#: Highest frequency :func:`partials_db` looks at (Hz).
PARTIALS_MAX_HZ = 5000.0
#: A bin within this share of the harmonic spacing of a harmonic is at it; one further than
#: :data:`BETWEEN_SHARE` is between two.
AT_SHARE, BETWEEN_SHARE = 0.2, 0.35


def partials_db(
    samples: np.ndarray, sr: int, times_s: np.ndarray, f0_hz: np.ndarray, *, win_s: float = 0.032
) -> tuple[np.ndarray, np.ndarray]:
    """Level (dB) at the harmonics of each frame's pitch, and between them.

    A held note and the room's reverb of it put their energy at the harmonics; the
    attack of a new note (a bow's scratch, a tongued or struck start) is broadband
    and shows between them, even where the hall fills the dip in level before it.

    Args:
        samples: Mono signal, shape (n,).
        sr: Sample rate in Hz.
        times_s: Frame times in seconds, shape (m,).
        f0_hz: Pitch per frame (Hz), NaN where unvoiced (the nearest voiced frame's is used).
        win_s: Analysis window (short, so an attack is not smeared).

    Returns:
        ``(at_db, between_db)``, each shape (m,), floored at -140 dB (all -140 without a pitch).
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    m = len(times_s)
    at_db, between_db = np.full(m, -140.0), np.full(m, -140.0)
    f0 = np.asarray(f0_hz, dtype=np.float64)
    known = np.flatnonzero(np.isfinite(f0) & (f0 > 0))
    if m == 0 or len(samples) == 0 or not len(known):
        return at_db, between_db
    # Each frame takes the pitch of the nearest voiced frame.
    pos = np.clip(np.searchsorted(known, np.arange(m)), 1, max(1, len(known) - 1))
    if len(known) > 1:
        left, right = known[pos - 1], known[pos]
        nearest = np.where(np.arange(m) - left <= right - np.arange(m), left, right)
    else:
        nearest = np.full(m, known[0])
    f0 = f0[nearest]
    win = _window_len(win_s, sr)
    freqs = np.fft.rfftfreq(win, 1.0 / sr)
    for sl, power in _power_chunks(samples, sr, times_s, win):
        ratio = freqs[None, :] / f0[sl, None]
        dist = np.abs(ratio - np.round(ratio))
        inside = (ratio > 0.5) & (freqs[None, :] < PARTIALS_MAX_HZ)
        at = np.where(inside & (dist < AT_SHARE), power, 0.0).sum(axis=1)
        between = np.where(inside & (dist > BETWEEN_SHARE), power, 0.0).sum(axis=1)
        at_db[sl] = 10.0 * np.log10(np.maximum(at / win, 1e-14))
        between_db[sl] = 10.0 * np.log10(np.maximum(between / win, 1e-14))
    return at_db, between_db
