"""The ceilings script (``benchmarks.ceilings``): its per-note pitch estimators and the page it writes from perfect notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.ceilings import ESTIMATORS


def test_steady_and_mode_read_the_held_pitch_past_a_long_scoop() -> None:
    """A note scooped up from 4.8 semitones below over 12 frames, then held 10 frames at 60.3 with a
    little seeded jitter: the plain median falls in the scoop, the steady median and the
    histogram's mode read the held pitch."""
    rng = np.random.default_rng(0)
    scoop = np.linspace(55.5, 59.9, 12)
    held = 60.3 + rng.normal(0.0, 0.03, 10)
    midi = np.concatenate([scoop, held])
    conf = np.ones_like(midi)
    assert abs(ESTIMATORS["median"](midi, conf) - 60.3) > 0.3
    assert abs(ESTIMATORS["steady"](midi, conf) - 60.3) < 0.05
    assert abs(ESTIMATORS["mode"](midi, conf) - 60.3) < 0.05


def test_confidence_weighted_median_follows_the_confident_frames() -> None:
    midi = np.array([60.0, 60.0, 60.0, 62.0, 62.0])
    assert ESTIMATORS["median"](midi, np.ones(5)) == 60.0
    assert ESTIMATORS["confidence-weighted"](midi, np.array([0.1, 0.1, 0.1, 0.9, 0.9])) == 62.0


def test_bin_above_moves_the_median_up_to_the_next_spectrum_bin() -> None:
    """``bin-above`` reads the labels' convention: a note sung between two bins of the 44100/8192 Hz
    grid is read at the upper one (at 130 Hz that is up to 0.7 semitone higher); a pitch on a bin
    stays there."""
    from benchmarks.ceilings import LABEL_BIN_HZ

    def midi_of(hz: float) -> float:
        return 69.0 + 12.0 * np.log2(hz / 440.0)

    conf = np.ones(3)
    between = np.full(3, midi_of(24.2 * LABEL_BIN_HZ))
    on_bin = np.full(3, midi_of(29.0 * LABEL_BIN_HZ))
    assert abs(ESTIMATORS["bin-above"](between, conf) - midi_of(25.0 * LABEL_BIN_HZ)) < 1e-9
    assert abs(ESTIMATORS["bin-above"](on_bin, conf) - midi_of(29.0 * LABEL_BIN_HZ)) < 1e-6
    assert ESTIMATORS["bin-above"](between, conf) - ESTIMATORS["median"](between, conf) > 0.4


def test_oracle_page_writes_the_page_from_the_labels_boundaries() -> None:
    """Ode to Joy's first two phrases sung drifting from 0 to 60 cents sharp (quarters at 90 BPM,
    each held 85 % of its beat): the page the voice path writes from the labelled boundaries and the
    tracker's pitch names every note as printed (rounding at A440 would write the later ones a
    semitone up), in the printed key, with the printed lengths."""
    from fractions import Fraction

    from benchmarks.ceilings import oracle_page
    from benchmarks.datasets import Item, PageTruth, Reference
    from transcribe.types import PitchTrack

    tune = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 62, 60, 60]
    lengths = [1] * 12 + [1.5, 0.5, 2] + [1] * 12 + [1.5, 0.5, 2]
    beat_s = 60.0 / 90.0
    onsets = 0.5 + beat_s * np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    drift = np.linspace(0.0, 0.6, len(tune))
    labels = tuple((float(a), float(a + 0.85 * q * beat_s), m + d) for a, q, m, d in zip(onsets, lengths, tune, drift))
    times = np.arange(0.0, labels[-1][1] + 0.5, 0.016)
    f0, level = np.zeros(len(times)), np.full(len(times), -70.0)
    for a, b, m in labels:
        inside = (times >= a) & (times < b)
        f0[inside], level[inside] = 440.0 * 2.0 ** ((m - 69.0) / 12.0), -20.0
    track = PitchTrack(times, f0, np.where(f0 > 0, 0.95, 0.05), level, "test")
    page = PageTruth("ode", "4/4", 0, 0, labels, tuple(tune), tuple(Fraction(q).limit_denominator(8) for q in lengths))
    ref = Reference("published", labels, sung=True)
    got = oracle_page(track, Item("ssvd-scores", "ode", Path("ode.wav"), (ref,), page=page), ref)
    assert got["pitch_right"] == 1.0
    assert got["key_rel"] == 1.0
    assert got["dur_right"] >= 0.9
