"""Where notes end (transcribe.notes.offsets, .release): releases, not reverb."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests import synth
from tests.synth import level_track
from transcribe import notes, transcribe
from transcribe.notes import network, release
from transcribe.types import Note


def _released_tone(sr: int, release_s: float, drop_db: float) -> np.ndarray:
    """E4 from 0.3 s, let go at ``release_s`` (the level falls ``drop_db`` in 50 ms, then a
    reverb tail fades 20 dB/s until 1.85 s), then G4 from 1.9 to 2.3 s with the same release."""
    t = np.arange(int(2.6 * sr)) / sr
    out = np.zeros_like(t)
    for start, let_go, midi, stop in [(0.3, release_s, 64, 1.85), (1.9, 2.3, 67, 2.6)]:
        f = 440.0 * 2 ** ((midi - 69) / 12)
        tone = sum(0.6**k * np.sin(2 * np.pi * (k + 1) * f * t) for k in range(5))
        after = t - let_go
        env_db = np.where(after < 0, 0.0, -drop_db * np.minimum(after / 0.05, 1) - 20.0 * np.maximum(after - 0.05, 0))
        on = (t >= start) & (t < stop)
        out += 0.2 * tone * np.where(on, 10 ** (env_db / 20), 0.0) * np.minimum(1, np.maximum(t - start, 0) / 0.01)
    return out.astype(np.float32)


@pytest.mark.parametrize("release_s", [1.0, 1.3])
def test_note_ends_at_its_release_not_its_reverb(release_s: float) -> None:
    # A 10 dB release into a 20 dB/s tail: the tracker follows the tail to 1.85 s.
    found = transcribe(_released_tone(16000, release_s, 10.0), sr=16000, tuning="a440").notes
    assert [n.midi for n in found] == [64, 67]
    assert abs(found[0].offset_s - release_s) < 0.05
    assert abs(found[1].offset_s - 2.3) < 0.05


def test_held_note_keeps_its_end() -> None:
    found = transcribe(_released_tone(16000, 1.85, 10.0), sr=16000, tuning="a440").notes
    assert [n.midi for n in found] == [64, 67]
    assert abs(found[0].offset_s - 1.85) < 0.05


def test_release_change_point_ignores_a_stray_frame() -> None:
    p = np.array([0.1] * 6 + [0.8] + [0.1] * 6 + [0.9] * 5)
    assert release.end_frame(p) == 13
    assert release.end_frame(np.full(8, 0.2)) == 8
    assert release.end_frame(np.full(8, 0.8)) == 0


def test_release_dip_ends_the_note() -> None:
    # A4 let go at 0.92 s: its level falls 20 dB while the reverb still carries the pitch to 1.0 s.
    times = np.arange(0.0, 1.2, 0.016)
    level = np.where(times < 0.92, -20.0, -40.0) + 0.5 * np.sin(2 * np.pi * 5.0 * times)  # with a little tremolo
    out = notes.trim_releases((Note(0.0, 1.0, 69), Note(1.0, 1.2, 72)), level_track(level))
    assert abs(out[0].offset_s - 0.92) < 0.02
    assert out[0].onset_s == 0.0 and out[1] == Note(1.0, 1.2, 72)


@pytest.mark.parametrize(
    ("level_at", "why"),
    [
        (lambda t: -20.0 - 20.0 * t, "a struck note's steady decay is not a release"),
        (lambda t: np.where(np.abs(t - 0.5) < 0.05, -35.0, -20.0), "a dip in the middle is not in the tail"),
        (lambda t: np.where(t < 0.93, -20.0, -26.0), "a 6 dB fall is not a dip"),
    ],
)
def test_no_release_leaves_the_offset(level_at: object, why: str) -> None:
    times = np.arange(0.0, 1.2, 0.016)
    found = (Note(0.0, 1.0, 69),)
    assert notes.trim_releases(found, level_track(level_at(times))) == found, why  # type: ignore[operator]


def test_release_network_reads_the_rooms_reverberation_time() -> None:
    """The pipeline hands the release stage the RT60 it reads from the recording: near 0-1 s for a
    dry take, longer for the same notes under a 2-second room tail, and the network's last input
    column is that value for every candidate frame. The re-attack and onset stages get the same value."""
    rng = np.random.default_rng(0)
    dry = synth.render([(0.3, 0.8, 64), (1.3, 0.8, 67), (2.3, 0.8, 64), (3.3, 0.8, 69)], sr=16000, tail_s=1.5)
    t = np.arange(int(2.4 * 16000)) / 16000
    room = rng.standard_normal(len(t)) * np.exp(-6.91 * t / 2.0) * 0.05
    room[0] = 1.0
    wet = np.convolve(dry, room)[: len(dry)].astype(np.float32)
    seen: dict[str, float] = {}
    reattack_seen: dict[str, set[float]] = {"dry": set(), "wet": set()}

    def watch(name: str) -> Callable[[str, dict[str, object]], None]:
        def hook(stage: str, data: dict[str, object]) -> None:
            if stage == "reattack_run":
                reattack_seen[name].add(float(data["recording"].rt60_s))  # type: ignore[attr-defined]
            if stage == "refine_onsets":
                reattack_seen[name].add(float(data["rt60_s"]))  # type: ignore[arg-type]
            if stage == "refine_offsets":
                seen[name] = float(data["rt60_s"])  # type: ignore[arg-type]
                note_list, frames = data["notes"], data["frames"]
                _, feats = release.note_features(note_list[0], None, frames, min_note_s=0.05, rt60_s=seen[name])  # type: ignore[index]
                assert np.all(feats[:, release.FEATURES.index("room_rt60_s")] == network.rt60_input(seen[name]))

        return hook

    for name, audio in (("dry", dry), ("wet", wet)):
        transcribe(audio / np.max(np.abs(audio)) * 0.5, sr=16000, hook=watch(name))
    assert seen["wet"] > seen["dry"] + 0.5
    # The re-attack search of every note run and the onset stage are told the same RT60.
    assert reattack_seen == {"dry": {seen["dry"]}, "wet": {seen["wet"]}}
