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
