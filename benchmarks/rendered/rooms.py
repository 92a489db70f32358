"""The rooms and microphones of the rendered sets: synthetic impulse responses (a noise tail, or a
shoebox room of image sources) and a microphone's colouring and noise."""

from __future__ import annotations

import itertools
import math

import numpy as np

from benchmarks.rendered.variations import ROOMS, SHOEBOX_ROOMS, SR


def impulse_response(room: str, rng: np.random.Generator) -> np.ndarray:
    """A synthetic room impulse response: the direct sound, then after a pre-delay exponentially
    decaying noise whose treble dies sooner (RT60 x1.15 below 500 Hz, x0.55 above 4 kHz), at a
    drawn direct-to-reverberant ratio. ``dry``: the direct sound alone. Room types in
    :data:`SHOEBOX_ROOMS` are built by :func:`shoebox_response`."""
    if room in SHOEBOX_ROOMS:
        return shoebox_response(room, rng)
    (rt_lo, rt_hi), (drr_lo, drr_hi), (pd_lo, pd_hi) = ROOMS[room]
    if rt_hi <= 0:
        return np.ones(1)
    rt60, drr_db, pre_s = rng.uniform(rt_lo, rt_hi), rng.uniform(drr_lo, drr_hi), rng.uniform(pd_lo, pd_hi)
    n = int((pre_s + 1.2 * rt60) * SR)
    t = np.arange(n) / SR
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    tail = np.zeros(n)
    for lo, hi, mult in ((0.0, 500.0, 1.15), (500.0, 4000.0, 1.0), (4000.0, SR, 0.55)):
        band = np.fft.irfft(np.where((f >= lo) & (f < hi), spec, 0), n)
        tail += band * np.exp(-6.91 * np.maximum(t - pre_s, 0) / (rt60 * mult))
    tail[t < pre_s] = 0.0
    tail *= math.sqrt(10 ** (-drr_db / 10) / max(float(np.sum(tail**2)), 1e-12))
    tail[0] += 1.0
    return tail


#: Octave bands (Hz) of :func:`shoebox_response` and the walls' absorption in each, relative to 1 kHz.
_BANDS_HZ = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)
_ABSORPTION_SHAPE = (0.7, 0.8, 0.95, 1.0, 1.1, 1.3, 1.6)
#: Air absorption (1/m, intensity) per band at 20 C and 50 % humidity.
_AIR_PER_M = (0.0001, 0.0003, 0.0006, 0.001, 0.0024, 0.0072, 0.024)


def shoebox_response(room: str, rng: np.random.Generator) -> np.ndarray:
    """The impulse response of a drawn shoebox room, a different kind of room from the noise-tail
    model of :func:`impulse_response`: its walls' absorption per octave band set by Sabine's formula
    for a drawn RT60 at 1 kHz (more absorbed in the treble, plus the air's absorption), the direct
    sound and every image source up to the sixth reflection order at its own delay and distance
    (discrete early reflections, frequency-independent walls there), then a diffuse tail from the
    end of those reflections, each octave band decaying at its own Sabine rate and reaching the
    level the diffuse field has at the drawn source-microphone distance. Normalised so the direct
    sound is 1 at sample 0."""
    (rt_lo, rt_hi), (d_lo, d_hi), (v_lo, v_hi) = ROOMS[room]
    rt60 = rng.uniform(rt_lo, rt_hi)
    volume = rng.uniform(v_lo, v_hi)
    ratio = rng.uniform(1.2, 2.0, size=2)  # length / width, width / height
    height = (volume / (ratio[0] * ratio[1] ** 2)) ** (1 / 3)
    dims = np.array([height * ratio[1] * ratio[0], height * ratio[1], height])
    surface = 2 * (dims[0] * dims[1] + dims[0] * dims[2] + dims[1] * dims[2])
    c = 343.0
    alpha_1k = min(0.9, 0.161 * volume / (surface * rt60))
    alpha = np.clip(alpha_1k * np.array(_ABSORPTION_SHAPE) * rng.uniform(0.85, 1.15, size=len(_BANDS_HZ)), 0.01, 0.95)
    rt_band = 0.161 * volume / (surface * alpha + 4 * np.array(_AIR_PER_M) * volume)
    # Source and microphone: inside the room, 1 m from the walls, at the drawn distance if it fits.
    src = rng.uniform(1.0, dims - 1.0)
    dist = min(rng.uniform(d_lo, d_hi), float(np.min(dims)) - 2.0)
    for _ in range(100):
        v = rng.standard_normal(3)
        mic = src + dist * v / np.linalg.norm(v)
        if np.all(mic > 1.0) and np.all(mic < dims - 1.0):
            break
    else:
        mic = np.clip(src + dist / np.sqrt(3), 1.0, dims - 1.0)
    direct_m = float(np.linalg.norm(mic - src))
    # Image sources up to order 6: position per axis n * 2L +- src, reflections |2n| or |2n - 1|.
    order = 6
    beta = math.sqrt(1.0 - alpha_1k)
    n = np.arange(-order, order + 1)
    pos, refl = [], []
    for axis in range(3):
        p = np.concatenate([2 * n * dims[axis] + src[axis], 2 * n * dims[axis] - src[axis]])
        r = np.concatenate([np.abs(2 * n), np.abs(2 * n - 1)])
        pos.append(p - mic[axis])
        refl.append(r)
    dx, dy, dz = np.meshgrid(*pos, indexing="ij")
    rx, ry, rz = np.meshgrid(*refl, indexing="ij")
    total = (rx + ry + rz).ravel()
    dist_m = np.sqrt(dx**2 + dy**2 + dz**2).ravel()
    keep = total <= order
    dist_m, total = dist_m[keep], total[keep]
    t_end = max(0.02, (float(dist_m[total == order].min()) - direct_m) / c)
    n_len = int((1.2 * float(rt_band.max()) + t_end + 0.05) * SR)
    ir = np.zeros(n_len)
    delay = np.round((dist_m - direct_m) / c * SR).astype(int)
    ok = delay < n_len
    np.add.at(ir, delay[ok], (direct_m / dist_m[ok]) * beta ** total[ok])
    # The diffuse tail: rising over the last 30 % of the early part, then each band decaying at its
    # own rate from the diffuse field's level at this distance (energy over the direct sound's in
    # the band: 16 pi r^2 / R, R = S a / (1 - a)).
    t = np.arange(n_len) / SR
    f = np.fft.rfftfreq(n_len, 1 / SR)
    spec = np.fft.rfft(rng.standard_normal(n_len))
    edges = [0.0, *(math.sqrt(a * b) for a, b in itertools.pairwise(_BANDS_HZ)), SR / 2 + 1]
    rise = np.clip((t - 0.7 * t_end) / (0.3 * t_end), 0.0, 1.0)
    tail = np.zeros(n_len)
    for k in range(len(_BANDS_HZ)):
        band = np.fft.irfft(np.where((f >= edges[k]) & (f < edges[k + 1]), spec, 0), n_len)
        share = (min(edges[k + 1], SR / 2) - edges[k]) / (SR / 2)
        target = 16 * math.pi * direct_m**2 * (1.0 - alpha[k]) / (surface * alpha[k]) * share
        shaped = band * rise * np.exp(-6.91 * np.maximum(t - t_end, 0) / rt_band[k])
        tail += shaped * math.sqrt(target / max(float(np.sum(shaped**2)), 1e-12))
    ir += tail
    ir /= ir[0]
    return ir


def mic_colouring(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A microphone and preamp's colouring: a smooth random EQ (three cosines on log frequency,
    up to +-3 dB each), a 12 dB/octave high-pass at 40-150 Hz and a 24 dB/octave low-pass at 7-16 kHz."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / SR)
    octave = np.log2(np.maximum(f, 20.0) / 20.0)
    gain_db = sum(rng.uniform(0, 3) * np.cos(2 * np.pi * octave / rng.uniform(2, 8) + rng.uniform(0, 2 * np.pi)) for _ in range(3))
    hp, lp = rng.uniform(40, 150), rng.uniform(7000, 16000)
    mag = 10 ** (gain_db / 20) * np.sqrt(f**4 / (f**4 + hp**4)) / np.sqrt(1 + (f / lp) ** 8)
    return np.fft.irfft(spec * mag, len(x))


def coloured_noise(n: int, colour: str, rng: np.random.Generator) -> np.ndarray:
    """Unit-power noise: white, pink (1/f) or brown (1/f^2)."""
    w = rng.standard_normal(n)
    if colour == "white":
        return w
    f = np.fft.rfftfreq(n, 1 / SR)
    power = {"pink": 1.0, "brown": 2.0}[colour]
    shaped = np.fft.irfft(np.fft.rfft(w) / np.maximum(f, 20.0) ** (power / 2), n)
    return shaped / max(float(np.std(shaped)), 1e-12)
