"""Re-attack candidates inside one held pitch (transcribe/notes/reattack.py)."""

from __future__ import annotations

import numpy as np

from transcribe.notes import reattack
from transcribe.types import FrameArrays


def _run(loud: np.ndarray, onset: np.ndarray) -> FrameArrays:
    n = len(loud)
    voiced = np.ones(n, dtype=bool)
    return FrameArrays(np.arange(n) * 0.016, np.full(n, 64.0), np.full(n, 0.95), loud, onset, onset, voiced)


def _repeat_after_a_release(*, swell_db: float) -> tuple[np.ndarray, np.ndarray]:
    """A held note whose onset strength peaks at frame 60 as it lets go (the level falls 15 dB
    over the next four frames into a dip at 66), and a repeat tongued at frame 69. With
    ``swell_db`` the level rose that much over the three frames before frame 60."""
    loud = np.full(120, -15.0)
    loud[57:60] -= [swell_db, 2 * swell_db / 3, swell_db / 3]
    loud[61:69] = [-18.0, -24.0, -30.0, -31.0, -31.5, -32.0, -31.5, -27.0]
    onset = np.full(120, 0.05)
    onset[60], onset[69] = 1.2, 1.5
    return loud, onset


def test_a_release_is_no_repeat_candidate() -> None:
    # A clarinet's release peaks the onset strength as high as a tongued repeat: split there
    # too, the repeat's gap became a note of its own (rendered r032: a dotted eighth + a sixteenth).
    loud, onset = _repeat_after_a_release(swell_db=0.0)
    assert reattack.releases(loud)[60] and not reattack.releases(loud)[69]
    splits, _ = reattack.run_candidates(_run(loud, onset), reattack.Recording(0.016))
    assert not any(55 <= s <= 62 for s in splits)
    assert any(66 <= s <= 70 for s in splits)  # the dip and its attack stay a candidate


def test_a_note_that_swells_and_falls_keeps_its_onset_candidate() -> None:
    # A synthesized "ooh" rises into its onset peak and falls at once: not a held note letting go.
    loud, onset = _repeat_after_a_release(swell_db=6.0)
    assert not reattack.releases(loud)[60]
    splits, _ = reattack.run_candidates(_run(loud, onset), reattack.Recording(0.016))
    assert 60 in splits


def test_releases_reads_the_ends_of_the_track() -> None:
    # The last frames fall to the track's last level; a one-frame track has nowhere to fall.
    assert list(reattack.releases(np.array([-10.0, -10.0, -10.0, -20.0]))) == [True, True, True, False]
    assert not reattack.releases(np.array([-10.0])).any()


def test_candidate_near_finds_the_repeat_and_nothing_on_the_held_level() -> None:
    loud, onset = _repeat_after_a_release(swell_db=0.0)
    frames = _run(loud, onset)
    assert reattack.candidate_near(frames, (0.0, 119 * 0.016), 68 * 0.016)
    assert not reattack.candidate_near(frames, (0.0, 119 * 0.016), 30 * 0.016)


def _bands(n: int, *, burst_at: int, bands: slice, rise_db: float) -> np.ndarray:
    """A held note's 24 band levels (-40 dB, a ring that fills every dip), lifted ``rise_db`` in
    ``bands`` from frame ``burst_at`` on (a new attack)."""
    level = np.full((n, len(reattack.BAND_EDGES_HZ) - 1), -40.0)
    level[burst_at:, bands] += rise_db
    return level


def test_band_rises_read_where_the_spectrum_rises_at_the_split() -> None:
    # An attack that lifts the top third of the bands 12 dB at frame 50: at frame 50 the high
    # third rises 12 dB over the held note and over the frames just before, the low third not
    # at all, and a third of the bands rise 3 dB or more; at frame 30 nothing rises.
    level = _bands(100, burst_at=50, bands=slice(16, 24), rise_db=12.0)
    got = reattack.band_rises(level, np.array([50, 30]))
    names = [f for f in reattack.FEATURES if f.startswith("bands_")]
    row = dict(zip(names, got[0]))
    assert names == [f"bands_{r}_{p}" for r in ("held", "prev") for p in ("low_db", "mid_db", "high_db", "share")]
    for ref in ("held", "prev"):
        assert row[f"bands_{ref}_high_db"] == 12.0
        assert row[f"bands_{ref}_low_db"] == 0.0 and row[f"bands_{ref}_mid_db"] == 0.0
        assert abs(row[f"bands_{ref}_share"] - 1 / 3) < 1e-9
    assert np.all(got[1] == 0.0)


def test_band_rises_are_zero_without_bands_and_read_the_track_s_ends() -> None:
    assert np.all(reattack.band_rises(None, np.array([3, 7])) == 0.0)
    # A split in the first frame reads the first frame for the frames before it; one in the last
    # frame the last frame for those after it: finite values, no index error.
    level = _bands(20, burst_at=0, bands=slice(0, 24), rise_db=6.0)
    assert np.all(np.isfinite(reattack.band_rises(level, np.array([0, 19]))))


def test_run_candidates_give_each_candidate_its_band_rises_at_the_split() -> None:
    # A repeat tongued at frame 69 of a run that starts at track frame 10: its bands_* features
    # are those of track frame 79, where the recording's spectrum rises.
    loud, onset = _repeat_after_a_release(swell_db=0.0)
    level = _bands(140, burst_at=79, bands=slice(0, 24), rise_db=9.0)
    splits, feats = reattack.run_candidates(_run(loud, onset), reattack.Recording(0.016, bands_db=level), start=10)
    k = int(np.flatnonzero(splits == 69)[0])
    col = reattack.FEATURES.index("bands_held_mid_db")
    assert feats[k, col] == 9.0
    assert np.allclose(feats[k, col], reattack.band_rises(level, np.array([79]))[0, 1])
    assert feats.shape[1] == len(reattack.FEATURES)
