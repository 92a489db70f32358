"""The sung-note model (transcribe.notes.sung): its features, its shipped weights and how notes are read off it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from transcribe import features, models
from transcribe.errors import ModelError
from transcribe.notes import sung
from transcribe.notes.sung.steps import STEP_FRAMES
from transcribe.types import FrameArrays


def _frames(midi: np.ndarray, voiced: np.ndarray, hop_s: float = 0.016) -> FrameArrays:
    n = len(midi)
    return FrameArrays(
        np.arange(n) * hop_s,
        np.where(voiced, midi, np.nan),
        np.where(voiced, 0.9, 0.1),
        np.where(voiced, -20.0, -70.0),
        np.zeros(n),
        np.zeros(n),
        voiced,
    )


def test_features_have_one_finite_column_per_name() -> None:
    n = 200
    voiced = np.zeros(n, dtype=bool)
    voiced[20:180] = True
    frames = _frames(np.where(np.arange(n) < 100, 60.0, 62.0), voiced)  # a legato step at frame 100
    bands = features.band_levels_db(np.zeros(16000 * 4, dtype=np.float32), 16000, frames.times_s)
    x = sung.frame_features(frames, bands)
    assert x.shape == (n, len(sung.FEATURES))
    assert np.isfinite(x).all()
    step = x[:, sung.FEATURES.index("pitch_step4_st")]
    assert step[100] == pytest.approx(2.0)
    assert step[50] == 0.0 and step[150] == 0.0


def test_band_levels_find_the_band_of_a_tone() -> None:
    sr = 16000
    t = np.arange(sr) / sr
    high = (0.3 * np.sin(2 * np.pi * 3000.0 * t)).astype(np.float32)
    levels = features.band_levels_db(high, sr, np.array([0.5]))
    assert int(np.argmax(levels[0])) == 2
    assert levels[0, 2] - levels[0, 0] > 30.0


def _model(onset_min: float = 0.5, offset_min: float = 0.5) -> sung.SungModel:
    weights = sung.load_model()
    return sung.SungModel(weights.onset, weights.offset, onset_min, offset_min, 4, 0.0)


def test_notes_start_at_onset_peaks_and_end_at_offset_peaks_or_the_next_onset() -> None:
    n = 200
    voiced = np.zeros(n, dtype=bool)
    voiced[10:150] = True
    midi = np.where(np.arange(n) < 60, 60.2, 62.1)
    frames = _frames(midi, voiced)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[[10, 60, 100]] = 0.9
    p_on[61] = 0.8  # beside a stronger peak: not a second onset
    p_off[90] = 0.7  # the second note ends before the third starts
    found = sung.read_notes(frames, p_on, p_off, _model(), min_note_s=0.07)
    assert [round(nt.onset_s / 0.016) for nt in found] == [10, 60, 100]
    assert [round(nt.offset_s / 0.016) for nt in found] == [60, 90, 150]  # legato, a release, the voicing's end
    assert [nt.midi for nt in found] == [60, 62, 62]
    assert found[0].cents == pytest.approx(20.0)


def test_weak_peaks_and_unvoiced_stretches_make_no_notes() -> None:
    n = 120
    voiced = np.zeros(n, dtype=bool)
    voiced[50:100] = True
    frames = _frames(np.full(n, 57.0), voiced)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[10] = 0.9  # in silence, up to the next onset: no voiced frames
    p_on[30] = 0.2  # too weak
    p_on[50] = 0.9
    found = sung.read_notes(frames, p_on, p_off, _model(), min_note_s=0.07)
    assert [round(nt.onset_s / 0.016) for nt in found] == [50]


def test_shipped_model_matches_the_features_and_says_where_it_came_from() -> None:
    shipped = models.load("sung_onsets")
    assert shipped.names["features"] == sung.FEATURES
    assert "benchmarks.fit_sung_onsets" in shipped.provenance["script"]
    model = sung.load_model()
    assert model.onset["hidden"].shape[1] == len(sung.FEATURES)
    assert 0.0 < model.onset_min < 1.0


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    shipped = models.load("sung_onsets")
    file = models.save(tmp_path / "sung_onsets.npz", arrays=dict(shipped.arrays), names={"features": ("something", "else")}, provenance={})
    with pytest.raises(ModelError, match="refit"):
        sung.SungModel.from_model(models.read(file))


def test_a_saved_model_reads_back_the_same(tmp_path: Path) -> None:
    model = sung.load_model()
    model.save(tmp_path / "m.npz", provenance={"script": "test"})
    back = sung.SungModel.from_model(models.read(tmp_path / "m.npz"))
    assert back.onset_min == model.onset_min and back.min_gap_frames == model.min_gap_frames
    assert back.length_weight == model.length_weight and back.step_min_st == model.step_min_st
    assert all(np.array_equal(back.onset[k], model.onset[k]) for k in model.onset)


def test_the_sung_pitch_is_reported_as_sung_whatever_the_labels_offset() -> None:
    n = 60
    voiced = np.ones(n, dtype=bool)
    frames = _frames(np.full(n, 60.3), voiced)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[5] = 0.9
    weights = sung.load_model()
    model = sung.SungModel(weights.onset, weights.offset, 0.5, 0.5, 4, 0.4)
    (note,) = sung.read_notes(frames, p_on, p_off, model, min_note_s=0.07)
    assert note.midi == 60
    assert note.cents == pytest.approx(30.0)  # the frames' pitch, not shifted by the stored 0.4


def test_features_of_fewer_frames_than_the_context() -> None:
    frames = _frames(np.full(4, 60.0), np.ones(4, dtype=bool))
    x = sung.frame_features(frames, np.full((4, 3), -30.0))
    assert x.shape == (4, len(sung.FEATURES)) and np.isfinite(x).all()


def _step_model(step_min_st: float) -> sung.SungModel:
    weights = sung.load_model()
    return sung.SungModel(weights.onset, weights.offset, 0.5, 0.5, 4, 0.0, step_min_st)


def test_a_clear_legato_step_starts_a_note_the_onset_network_missed() -> None:
    n = 200
    voiced = np.zeros(n, dtype=bool)
    voiced[10:190] = True
    midi = np.where(np.arange(n) < 100, 60.0, 62.0)  # one breath, a whole-tone step at frame 100
    frames = _frames(midi, voiced)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[10] = 0.9
    found = sung.read_notes(frames, p_on, p_off, _step_model(1.4), min_note_s=0.07)
    assert len(found) == 2 and round(found[0].onset_s / 0.016) == 10
    # The first frame whose following STEP_FRAMES are mostly at the new pitch.
    assert abs(round(found[1].onset_s / 0.016) - 100) <= STEP_FRAMES // 2
    assert [nt.midi for nt in found] == [60, 62]
    # Without the rule (infinite step) the legato steps under vibrato find it too (a take
    # whose every step lacks an onset reads as hummed), but they need 14 steady frames after
    # it: where the breath ends 10 frames after the step, only the rule starts the note.
    assert len(sung.read_notes(frames, p_on, p_off, _step_model(np.inf), min_note_s=0.07)) == 2
    voiced[110:] = False
    short = _frames(midi, voiced)
    assert [nt.midi for nt in sung.read_notes(short, p_on, p_off, _step_model(1.4), min_note_s=0.07)] == [60, 62]
    (one,) = sung.read_notes(short, p_on, p_off, _step_model(np.inf), min_note_s=0.07)
    assert one.onset_s == pytest.approx(10 * 0.016)


def test_small_steps_vibrato_octave_errors_and_steps_beside_an_onset_start_nothing() -> None:
    n = 300
    voiced = np.zeros(n, dtype=bool)
    voiced[10:290] = True
    i = np.arange(n)
    midi = 60.0 + 0.6 * np.sin(2 * np.pi * 5.5 * i * 0.016)  # vibrato of +-0.6 semitones
    midi[150:] += 0.6  # a drift of 60 cents: under the step the model asks for, and under LEGATO_MIN_ST
    midi[200:240] += 12.0  # the tracker an octave off for a while
    frames = _frames(midi, voiced)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[[10, 250]] = 0.9
    midi2 = np.where(i < 253, 60.0, 63.0)  # a step three frames after an onset belongs to it
    model = _step_model(1.4)
    assert [round(nt.onset_s / 0.016) for nt in sung.read_notes(frames, p_on, p_off, model, min_note_s=0.07)] == [10, 250]
    found = sung.read_notes(_frames(midi2, voiced), p_on, p_off, model, min_note_s=0.07)
    assert [round(nt.onset_s / 0.016) for nt in found] == [10, 250]


def test_the_shipped_model_reads_legato_steps() -> None:
    assert np.isfinite(sung.load_model().step_min_st)


def test_a_length_prior_reads_a_repeated_note_in_one_breath() -> None:
    n = 460
    voiced = np.zeros(n, dtype=bool)
    voiced[10:450] = True  # one breath: four notes of 50 frames, then 200 frames of one pitch
    midi = np.full(n, 62.0)
    frames = _frames(midi, voiced)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[[10, 60, 110, 160, 210]] = 0.9
    p_on[310] = 0.3  # the re-sung note: a weak peak halfway through the long stretch
    weights = sung.load_model()
    plain = sung.SungModel(weights.onset, weights.offset, 0.4, 0.5, 4, 0.0, np.inf, 0.0)
    prior = sung.SungModel(weights.onset, weights.offset, 0.4, 0.5, 4, 0.0, np.inf, 1.0)
    starts = [[round(nt.onset_s / 0.016) for nt in sung.read_notes(frames, p_on, p_off, m, min_note_s=0.07)] for m in (plain, prior)]
    assert starts == [[10, 60, 110, 160, 210], [10, 60, 110, 160, 210, 310]]


def test_the_shipped_model_decodes_with_a_length_prior() -> None:
    assert sung.load_model().length_weight > 0.0


def test_a_note_before_a_long_silence_ends_with_its_sound() -> None:
    # A note sung for 40 frames, then 4 s of silence whose noise the offset network likes best
    # 3 s in, then the next note: the first ends where its sound does, not in the silence.
    n = 400
    voiced = np.zeros(n, dtype=bool)
    voiced[10:50] = True
    voiced[300:360] = True
    frames = _frames(np.full(n, 64.0), voiced)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[[10, 300]] = 0.9
    p_off[240] = 0.8  # a "release" in the silence
    found = sung.read_notes(frames, p_on, p_off, _model(), min_note_s=0.07)
    assert [round(nt.offset_s / 0.016) for nt in found] == [50, 360]
    p_off[52] = 0.6  # an offset peak just after the sound ends is still taken
    found = sung.read_notes(frames, p_on, p_off, _model(), min_note_s=0.07)
    assert round(found[0].offset_s / 0.016) == 52


def test_background_noise_in_a_long_silence_does_not_hold_the_note_into_it() -> None:
    # As above, but the silence holds voiced frames of background noise 25 dB under the singing,
    # some just before the next note, and the offset network likes the end of the noise best:
    # the note still ends with its own sound. Sound held on only 10 dB under the note up to the
    # next one is heard as the note held on.
    n = 400
    voiced = np.zeros(n, dtype=bool)
    voiced[10:50] = voiced[150:160] = voiced[295:360] = True
    loud = np.where(voiced, -20.0, -70.0)
    loud[150:160] = loud[295:300] = -45.0
    frames = dataclasses.replace(_frames(np.full(n, 64.0), voiced), loudness_db=loud)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[[10, 300]] = 0.9
    p_off[[51, 160]] = 0.5, 0.8
    found = sung.read_notes(frames, p_on, p_off, _model(), min_note_s=0.07)
    assert [round(nt.offset_s / 0.016) for nt in found] == [51, 360]
    voiced[50:300] = True
    loud[50:300] = -30.0
    frames = dataclasses.replace(_frames(np.full(n, 64.0), voiced), loudness_db=loud)
    assert round(sung.read_notes(frames, p_on, p_off, _model(), min_note_s=0.07)[0].offset_s / 0.016) == 160


def _hummed(steps: list[tuple[int, float]], n: int, *, vibrato_st: float) -> np.ndarray:
    """A pitch track (MIDI per 16 ms frame) that steps to each (frame, pitch) with a 64 ms glide,
    under a 5.2 Hz vibrato of +-``vibrato_st``."""
    i = np.arange(n)
    midi = np.full(n, steps[0][1])
    for (at, p), (_, prev) in zip(steps[1:], steps[:-1], strict=True):
        midi[at - 2 :] = p
        midi[at - 2 : at + 2] = np.linspace(prev, p, 4)
    return midi + vibrato_st * np.sin(2 * np.pi * 5.2 * i * 0.016)


def test_legato_steps_under_vibrato_start_notes() -> None:
    # A tune hummed in one breath, F#-G-A-G as 40-frame notes (640 ms), a vibrato of +-40 cents:
    # the onset network saw nothing, and the steps are under the model's step_min_st.
    n = 200
    voiced = np.zeros(n, dtype=bool)
    voiced[10:190] = True
    midi = _hummed([(10, 66.0), (60, 67.0), (100, 69.0), (140, 67.0)], n, vibrato_st=0.4)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[10] = 0.9
    found = sung.read_notes(_frames(midi, voiced), p_on, p_off, _step_model(1.8), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 67, 69, 67]
    for nt, at in zip(found[1:], (60, 100, 140), strict=True):
        assert abs(nt.onset_s / 0.016 - at) <= 3  # within 50 ms of the step
    # A semitone's wobble for 12 frames (190 ms, shorter than both stretches) is no step.
    wobble = _hummed([(10, 66.0), (90, 65.0), (102, 66.0)], n, vibrato_st=0.4)
    assert [nt.midi for nt in sung.read_notes(_frames(wobble, voiced), p_on, p_off, _step_model(1.8), min_note_s=0.07)] == [66]


def test_an_offset_peak_at_a_hummed_notes_start_does_not_drop_it() -> None:
    # A hummed take (a legato step at frame 50 with no onset), then a leap with an onset at 80
    # where the offset network fires on the glide two frames later: the note goes on to the
    # next likeliest end instead of being shorter than the shortest note.
    n = 200
    voiced = np.zeros(n, dtype=bool)
    voiced[10:190] = True
    midi = np.select([np.arange(n) < 50, np.arange(n) < 80], [66.0, 68.0], 73.0)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[[10, 80]] = 0.9
    p_off[82] = 0.6
    p_off[150] = 0.55
    found = sung.read_notes(_frames(midi, voiced), p_on, p_off, _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 68, 73]
    assert abs(found[1].onset_s / 0.016 - 50) <= 3  # the legato step, within 50 ms
    assert (round(found[2].onset_s / 0.016), round(found[2].offset_s / 0.016)) == (80, 150)
    # A take sung on syllables (an onset at the step too): where a held pitch follows the early
    # peak, the note goes on too (it was dropped, and the held 73 left unwritten) ...
    p_on[50] = 0.9
    found = sung.read_notes(_frames(midi, voiced), p_on, p_off, _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 68, 73]
    assert (round(found[2].onset_s / 0.016), round(found[2].offset_s / 0.016)) == (80, 150)
    # ... but where the pitch slides on (no held note: a learner's scoop, a glide), the early
    # peak still ends the note, and the note, shorter than the shortest, is dropped.
    slide = np.where(np.arange(n) < 80, midi, 73.0 + 0.08 * (np.arange(n) - 80))
    found = sung.read_notes(_frames(slide, voiced), p_on, p_off, _step_model(np.inf), min_note_s=0.07)
    assert [round(nt.onset_s / 0.016) for nt in found] == [10, 50]


def test_a_take_sung_on_syllables_takes_only_large_legato_steps() -> None:
    # Eight notes each with its onset at its step (a take sung on syllables), then a held note
    # that steps without one: 2 semitones is a note, a semitone (a learner's correction inside a
    # syllable, as SSVD's labels read it) is not.
    n = 460
    voiced = np.zeros(n, dtype=bool)
    voiced[10:450] = True
    pitches = [60.0, 62.0, 64.0, 65.0, 67.0, 65.0, 64.0, 62.0]
    starts = [10 + 40 * k for k in range(8)]
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[starts] = 0.9
    p_on[330] = 0.9
    for step_st, expected in ((2.0, [*starts, 330, 390]), (1.0, [*starts, 330])):
        midi = _hummed([*zip(starts, pitches, strict=True), (330, 60.0), (390, 60.0 + step_st)], n, vibrato_st=0.4)
        found = sung.read_notes(_frames(midi, voiced), p_on, p_off, _step_model(np.inf), min_note_s=0.07)
        assert [round(nt.onset_s / 0.016) for nt in found][:9] == expected[:9], step_st
        assert len(found) == len(expected) and abs(found[-1].onset_s / 0.016 - expected[-1]) <= 3, step_st


def _rehummed(*, onset_at_steps: bool) -> tuple[FrameArrays, np.ndarray]:
    """F#4 then G4 by a legato step at frame 60, G4 re-hummed at frame 100 (the level dips 12 dB
    over frames 97-103, the pitch held), then A4 by a legato step at 140; and the onset
    probability: a peak at the take's first frame, a weak one (0.2) at 103 where the repeat's
    level has come back, and with ``onset_at_steps`` peaks at the steps too (a take on syllables)."""
    n = 200
    voiced = np.zeros(n, dtype=bool)
    voiced[10:190] = True
    midi = _hummed([(10, 66.0), (60, 67.0), (140, 69.0)], n, vibrato_st=0.0)
    loud = np.full(n, -20.0)
    loud[97:104] -= 12.0 * np.sin(np.pi * np.arange(1, 8) / 8)
    plain = _frames(midi, voiced)
    frames = FrameArrays(plain.times_s, plain.midi, plain.confidence, loud, plain.onset, plain.attack, voiced)
    p_on = np.zeros(n)
    p_on[10] = 0.9
    p_on[103] = 0.2
    if onset_at_steps:
        p_on[[60, 140]] = 0.9
    return frames, p_on


def test_a_repeat_rehummed_is_a_note_where_the_onset_network_missed_it() -> None:
    frames, p_on = _rehummed(onset_at_steps=False)
    # The offset network ends the G at the dip: the G held on after it is a note, not a rest.
    p_off = np.zeros(len(p_on))
    p_off[99] = 0.6
    found = sung.read_notes(frames, p_on, p_off, _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 67, 67, 69]
    # The repeat starts where the G ends, at its dip (the hum swells again from there), not where
    # the level is back (103), the voice sounding through the dip.
    assert round(found[1].offset_s / 0.016) == 99 and round(found[2].onset_s / 0.016) == 99
    assert abs(found[3].onset_s / 0.016 - 140) <= 3
    # No offset there: the G held through the dip ends at its bottom and the repeat starts there.
    found = sung.read_notes(frames, p_on, np.zeros(len(p_on)), _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 67, 67, 69]
    assert round(found[1].offset_s / 0.016) == 100 and round(found[2].onset_s / 0.016) == 100


def test_a_repeat_rehummed_starts_at_the_bottom_of_its_dip() -> None:
    # The onset network fires where the repeat's level has come back (frame 103, as on syllables,
    # where SSVD's annotators mark a note after its consonant); in a hummed take the voice sounds
    # through the dip and the new note swells from its bottom (frame 100).
    frames, p_on = _rehummed(onset_at_steps=False)
    p_on[103] = 0.9
    found = sung.read_notes(frames, p_on, np.zeros(len(p_on)), _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 67, 67, 69]
    assert round(found[2].onset_s / 0.016) == 100
    # The tracker unsure through the dip: a break in the voice (a consonant), the onset stays.
    conf = np.array(frames.confidence)
    conf[97:104] = 0.2
    broken = dataclasses.replace(frames, confidence=conf)
    found = sung.read_notes(broken, p_on, np.zeros(len(p_on)), _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 67, 67, 69]
    assert round(found[2].onset_s / 0.016) == 103
    # A new pitch after the dip is no repeat: its onset stays where the network put it.
    midi = np.array(frames.midi)
    midi[100:140] += 2.0
    stepped = dataclasses.replace(frames, midi=midi)
    found = sung.read_notes(stepped, p_on, np.zeros(len(p_on)), _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found][:3] == [66, 67, 69]
    assert round(found[2].onset_s / 0.016) == 103


def test_a_dip_in_a_note_sung_on_syllables_is_no_repeat() -> None:
    # The same take with an onset at every step reads as sung on syllables: there a dip inside a
    # note and the sound after an offset are the singer's (SSVD's labels end the note there).
    frames, p_on = _rehummed(onset_at_steps=True)
    p_off = np.zeros(len(p_on))
    assert [nt.midi for nt in sung.read_notes(frames, p_on, p_off, _step_model(np.inf), min_note_s=0.07)] == [66, 67, 69]
    p_off[99] = 0.6
    found = sung.read_notes(frames, p_on, p_off, _step_model(np.inf), min_note_s=0.07)
    assert [nt.midi for nt in found] == [66, 67, 69] and round(found[1].offset_s / 0.016) == 99


def test_an_offset_the_note_sounds_on_through_is_not_its_end() -> None:
    # A note from frame 10 whose offset network fires 6 frames in (it saw the step into it),
    # its pitch and level held to the next onset at 60: the note runs to 60 (before, it ended
    # at 16 and the 44 frames it went on sounding were left unwritten, a rest on the page).
    n = 120
    voiced = np.zeros(n, dtype=bool)
    voiced[10:110] = True
    midi = np.where(np.arange(n) < 60, 60.0, 62.0) + 0.3 * np.sin(2 * np.pi * 5.2 * np.arange(n) * 0.016)
    p_on, p_off = np.zeros(n), np.zeros(n)
    p_on[[10, 60]] = 0.9
    p_off[16] = 0.8
    frames = _frames(midi, voiced)
    found = sung.read_notes(frames, p_on, p_off, _model(), min_note_s=0.07)
    assert [(round(nt.onset_s / 0.016), round(nt.offset_s / 0.016), nt.midi) for nt in found] == [(10, 60, 60), (60, 110, 62)]
    # Where the level dips after the offset (a note sung again, a breath), or the pitch moves
    # on (a slide), the offset stands.
    loud = np.where(voiced, -20.0, -70.0)
    loud[30:34] = -32.0
    dipped = sung.read_notes(dataclasses.replace(frames, loudness_db=loud), p_on, p_off, _model(), min_note_s=0.07)
    assert round(dipped[0].offset_s / 0.016) == 16
    slide = np.where(np.arange(n) < 16, 60.0, 60.0 + 0.05 * (np.arange(n) - 16))
    slid = sung.read_notes(_frames(np.where(np.arange(n) < 60, slide, 62.0), voiced), p_on, p_off, _model(), min_note_s=0.07)
    assert round(slid[0].offset_s / 0.016) == 16


def test_a_man_singing_a_scale_legato_with_vibrato_keeps_every_note() -> None:
    """A scale from C3 sung on one vowel, 40 cents of vibrato, each note up to 35 cents off: the
    offset network ended three notes 70-80 ms after their onsets, leaving their held pitch
    unwritten and the key read as F major; every note is written now, in C major."""
    import transcribe
    from tests.synth import legato_line

    scale = [48 + s for s in (0, 2, 4, 5, 7, 9, 7, 5, 4, 2, 0)]
    cents = [1.0, -35.0, -3.0, -19.0, -11.0, -8.0, -5.0, 6.0, 16.0, -2.0, 20.0]
    got = transcribe.transcribe(legato_line(scale, note_s=0.5, cents=cents, vibrato_cents=40.0), sr=44100)
    assert [n.midi for n in got.notes] == scale
    assert got.key.tonic == "C" and got.key.mode == "major"
