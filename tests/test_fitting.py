"""The meter, key and re-attack fits (benchmarks/fit_meter.py, fit_key.py, fit_reattack.py): gradient, labels, weights."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from benchmarks import fit_attack as fa
from benchmarks import fit_key as fk
from benchmarks import fit_meter as fm
from benchmarks import fit_reattack as fr
from benchmarks.rendered import corpus
from transcribe import harmony, rhythm
from transcribe.notes import attack, network, reattack
from transcribe.types import FrameArrays, Note


def test_objective_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    n_feat = 5
    data = []
    for _ in range(6):
        feats = rng.normal(size=(9, n_feat))
        right = np.zeros(9, dtype=bool)
        right[rng.choice(9, size=2, replace=False)] = True
        data.append((feats, right))
    w = rng.normal(size=n_feat)
    _, grad = fm._objective(w, data, 0.01)
    eps = 1e-6
    numeric = np.array(
        [(fm._objective(w + eps * e, data, 0.01)[0] - fm._objective(w - eps * e, data, 0.01)[0]) / (2 * eps) for e in np.eye(n_feat)]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def _takes_data(rng: np.random.Generator, n_feat: int, n_takes: int = 6) -> list[tuple[np.ndarray, np.ndarray]]:
    data = []
    for _ in range(n_takes):
        feats = rng.normal(size=(9, n_feat))
        right = np.zeros(9, dtype=bool)
        right[rng.choice(9, size=2, replace=False)] = True
        data.append((feats, right))
    return data


def test_hidden_unit_objective_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(1)
    n_feat, hidden = 4, 3
    feats, right, take, first = fm._stack(_takes_data(rng, n_feat))
    stacked = (feats, 0.5 * feats + 0.1, right, take, first)
    theta = rng.normal(size=n_feat + hidden * n_feat + 2 * hidden)
    _, grad = fm._mlp_objective(theta, stacked, hidden, 0.01, 0.02)
    eps = 1e-6
    numeric = np.array(
        [
            (
                fm._mlp_objective(theta + eps * e, stacked, hidden, 0.01, 0.02)[0]
                - fm._mlp_objective(theta - eps * e, stacked, hidden, 0.01, 0.02)[0]
            )
            / (2 * eps)
            for e in np.eye(len(theta))
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_fitted_units_score_raw_features_and_learn_a_non_linear_rule() -> None:
    # The right reading is the only one whose two features have the same sign: no weighted sum finds it.
    rng = np.random.default_rng(2)
    data = []
    for _ in range(150):
        a, b = rng.uniform(0.2, 2.0, size=(2, 6))
        sign = rng.choice([-1.0, 1.0], size=6)
        flip = np.ones(6)
        flip[1:] = -1.0
        feats = np.column_stack([a * sign, b * sign * flip]) * [1.0, 3.0] + [0.5, -2.0]
        order = rng.permutation(6)
        data.append((feats[order], (np.arange(6) == 0)[order]))
    wts, units = fm.fit_mlp(data, 4, 1e-4, 1e-4, seed=0)
    assert units.shape == (4, 2 + 2)
    hits = np.mean([right[int(np.argmax(rhythm.meter_scores(feats, wts, units)))] for feats, right in data])
    linear = fm.fit(data, 1e-4)
    assert hits > 0.9 > np.mean([right[int(np.argmax(feats @ linear))] for feats, right in data]) + 0.3


def _waltz() -> corpus.Melody:
    # Half-quarter bars in 3/4, a different pitch per bar: a plain waltz rhythm.
    events = []
    for bar in range(8):
        start = Fraction(3 * bar)
        events += [corpus.Event(start, Fraction(2), 60 + bar % 5), corpus.Event(start + 2, Fraction(1), 67)]
    return corpus.Melody("test", "waltz", tuple(events), "3/4", Fraction(3), Fraction(1), Fraction(0), "C", "major", 0, "encoded")


def test_labels_mark_the_written_meter_and_the_fitted_weights_choose_it() -> None:
    rng = np.random.default_rng(3)
    notes, accent, truth = fm.perform(_waltz(), rng)
    cands, feats, right, _ = fm.readings(notes, truth, accent)
    assert right.any()
    assert all(cands[i].time_signature == "3/4" for i in np.flatnonzero(right))
    assert right[int(np.argmax(rhythm.meter_scores(feats)))]


def test_every_feature_has_a_weight() -> None:
    assert rhythm.meter_weights().shape == (len(rhythm.METER_FEATURES),)
    assert np.isfinite(rhythm.meter_weights()).all()
    units = rhythm.meter_hidden()
    assert units.ndim == 2 and units.shape[0] > 0
    assert units.shape[1] == 2 + len(rhythm.METER_FEATURES)


def test_the_transcribed_error_model_splits_long_notes_more_often() -> None:
    # The waltz has no repeated pitches, so only split notes change how many notes come out.
    counts = {}
    for errors in (fm.PLAIN, fm.TRANSCRIBED):
        rng = np.random.default_rng(5)
        counts[errors] = sum(len(fm.perform(_waltz(), rng, errors)[0]) for _ in range(40))
    assert counts[fm.TRANSCRIBED] > 1.03 * counts[fm.PLAIN]


def test_key_rows_follow_music21_tonic_names_and_transposition() -> None:
    assert fk.key_row("C", "major", 0) == 0
    assert fk.key_row("B-", "major", 0) == 10
    assert fk.key_row("F#", "minor", 0) == 12 + 6
    assert fk.key_row("A", "minor", 5) == 12 + 2  # A minor up a fourth is D minor
    assert fk.key_row("E-", "major", -5) == 10  # Eb major down a fourth is Bb major


def test_fitted_key_weights_name_the_key_of_a_scale_melody() -> None:
    # An A natural-minor tune that leans on A, C and E: never A major (no C#), never C major.
    pitches = [69, 72, 76, 74, 72, 71, 69, 64, 69, 72, 71, 69, 67, 69, 64, 69]
    notes = tuple(Note(0.5 * i, 0.5 * i + (0.45 if p == 69 else 0.3), p) for i, p in enumerate(pitches))
    assert harmony.estimate_key(notes) == "A minor"
    assert harmony.key_weights().shape == (len(harmony.KEY_FEATURES),)


def test_accents_decide_between_meters_the_rhythm_leaves_open() -> None:
    # Even quarter notes at 120 BPM: only the louder notes show where the bars are.
    notes = tuple(Note(0.5 + 0.5 * i, 0.95 + 0.5 * i, 60 + (i * 7) % 5) for i in range(48))
    for period, meter in ((3, "3/4"), (4, "4/4")):
        for phase in (0, 1):
            accent = np.array([-20.0 + (3.0 if i % period == phase else 0.0) for i in range(48)])
            rh = rhythm.analyze(notes, accent_db=accent)
            assert rh.time_signature == meter
            # The first accented note is on the first downbeat: the notes before it are a pickup.
            assert rh.pickup_q == phase


def test_meter_features_see_the_opening_return_a_whole_number_of_bars_later() -> None:
    # A 10-note figure in quarters over five bars of 2/4, played twice: the opening comes
    # back 10 beats later, a whole number of 2/4 bars but not of 4/4 bars.
    figure = [67, 64, 69, 67, 71, 69, 67, 64, 62, 60]
    pitch = np.array(figure + figure[:6])
    k = np.arange(len(pitch), dtype=np.float64)
    d = np.ones(len(pitch))
    cands = [rhythm.MeterChoice(1, 2, 0, "2/4"), rhythm.MeterChoice(1, 4, 0, "4/4")]
    feats = rhythm.meter_features(k, d, np.ones(len(pitch)), 0.5, cands, pitch=pitch)
    col = rhythm.METER_FEATURES.index("return_bar")
    assert feats[:, col].tolist() == [1.0, 0.0]
    # Without pitches there is no return to see.
    assert rhythm.meter_features(k, d, np.ones(len(pitch)), 0.5, cands)[:, col].tolist() == [0.0, 0.0]


def test_reattack_objective_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 4))
    y = rng.random(40) < 0.3
    hidden = 3
    theta = rng.normal(size=hidden * 4 + 2 * hidden + 1)
    _, grad = fr._objective(theta, x, y.astype(float), hidden, 0.01)
    eps = 1e-6
    numeric = np.array(
        [
            (
                fr._objective(theta + eps * e, x, y.astype(float), hidden, 0.01)[0]
                - fr._objective(theta - eps * e, x, y.astype(float), hidden, 0.01)[0]
            )
            / (2 * eps)
            for e in np.eye(theta.size)
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-6)


def test_reattack_fit_learns_a_separable_rule() -> None:
    # Candidates are right exactly when depth and onset are both large: the fitted network
    # must rank them, and its weights must use probability()'s layout.
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, size=(400, 3))
    y = (x[:, 0] > 0.5) & (x[:, 1] > 0.5)
    w = fr.fit(x, y, hidden=4, l2=1e-4)
    p = reattack.probability(x, weights=w)
    assert np.mean((p >= 0.5) == y) > 0.95


def _run(loud: np.ndarray, onset: np.ndarray, attack: np.ndarray, midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray) -> FrameArrays:
    """One note's frames for the re-attack search (times unused there)."""
    return FrameArrays(np.arange(len(loud)) * 0.016, midi, conf, loud, onset, attack, voiced)


def test_reattack_weights_rank_a_struck_dip_above_a_shallow_wobble() -> None:
    names = reattack.FEATURES
    loud = np.full(120, -20.0)
    onset = np.full(120, 0.1)
    wobble = loud.copy()
    wobble[58:63] -= [1, 2, 3, 2, 1]
    struck = loud.copy()
    struck[55:61] -= [2, 5, 8, 11, 12, 4]
    hit = onset.copy()
    hit[60:62] = 1.5
    midi, conf, voiced = np.full(120, 64.0), np.full(120, 0.95), np.ones(120, dtype=bool)
    _, f_wobble = reattack.run_candidates(_run(wobble, onset, onset, midi, conf, voiced), reattack.Recording(0.016))
    s_struck, f_struck = reattack.run_candidates(_run(struck, hit, hit, midi, conf, voiced), reattack.Recording(0.016))
    assert f_wobble.shape[1] == f_struck.shape[1] == len(names)
    assert len(s_struck) == 1 and 60 <= s_struck[0] <= 62
    assert f_struck[0, names.index("depth_db")] > 10
    p_struck = reattack.probability(f_struck)
    p_wobble = reattack.probability(f_wobble) if len(f_wobble) else np.zeros(1)
    assert p_struck.min() > 0.5 > p_wobble.max()


def test_reattack_reads_a_burst_between_the_harmonics_at_the_split() -> None:
    # A hall fills the level dip of a repeated note; the new attack's broadband burst still
    # rises between the harmonics, relative to the held note before it.
    names = reattack.FEATURES
    loud = np.full(120, -20.0)
    loud[55:61] -= [0.5, 1, 2, 3, 2.5, 1]
    onset = np.full(120, 0.1)
    onset[60] = 0.5
    midi, conf, voiced = np.full(120, 64.0), np.full(120, 0.95), np.ones(120, dtype=bool)
    at, between = np.full(120, -20.0), np.full(120, -50.0)
    burst = between.copy()
    burst[59:62] = -35.0
    run = _run(loud, onset, onset, midi, conf, voiced)
    s_plain, f_plain = reattack.run_candidates(run, reattack.Recording(0.016, partials=(at, between)))
    s_burst, f_burst = reattack.run_candidates(run, reattack.Recording(0.016, partials=(at, burst)))
    _, f_none = reattack.run_candidates(run, reattack.Recording(0.016))
    assert len(s_burst) and list(s_plain) == list(s_burst)
    k = list(s_burst).index(next(s for s in s_burst if 58 <= s <= 62))
    assert abs(f_burst[k, names.index("between_rise_db")] - 15.0) < 1e-9
    assert abs(f_burst[k, names.index("ratio_rise_db")] - 15.0) < 1e-9
    assert f_plain[k, names.index("between_rise_db")] == 0.0
    assert np.all(f_none[:, [names.index("between_rise_db"), names.index("ratio_rise_db")]] == 0.0)
    # Every other feature ignores the partials.
    other = [i for i, n in enumerate(names) if n not in ("between_rise_db", "ratio_rise_db")]
    assert np.array_equal(f_burst[:, other], f_none[:, other])


def _dipped_run() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A 100-frame run of one pitch with a 10 dB dip at frame 50 and an onset at 51:
    ``(loudness_db, onset, midi, confidence, voiced)``."""
    loud = np.full(100, -20.0)
    loud[48:53] -= [2, 6, 10, 6, 2]
    onset = np.full(100, 0.1)
    onset[51] = 1.0
    return loud, onset, np.full(100, 64.0), np.full(100, 0.95), np.ones(100, dtype=bool)


def test_reattack_measures_positions_in_the_recordings_note_spacing() -> None:
    # The same dip in a run four notes long: at one note's spacing in, and the run's length, in
    # units of the recording's spacing; without a spacing the default one.
    names = reattack.FEATURES
    loud, onset, midi, conf, voiced = _dipped_run()
    s, f = reattack.run_candidates(_run(loud, onset, onset, midi, conf, voiced), reattack.Recording(0.016, note_spacing_s=0.4))
    _, f_default = reattack.run_candidates(_run(loud, onset, onset, midi, conf, voiced), reattack.Recording(0.016))
    k = int(np.argmin(np.abs(s - 51)))
    assert abs(f[k, names.index("since_start_notes")] - s[k] * 0.016 / 0.4) < 1e-9
    assert abs(f[k, names.index("to_end_notes")] - (100 - s[k]) * 0.016 / 0.4) < 1e-9
    assert abs(f[k, names.index("run_notes")] - 4.0) < 1e-9
    assert abs(f_default[k, names.index("run_notes")] - 1.6 / reattack.DEFAULT_NOTE_SPACING_S) < 1e-9
    other = [i for i, n in enumerate(names) if not n.endswith("_notes")]
    assert np.array_equal(f[:, other], f_default[:, other])


def test_reattack_reads_the_rooms_reverberation_time() -> None:
    # The room's RT60 is the last input of every candidate, clipped at network.MAX_RT60_INPUT_S; no other
    # feature depends on it.
    names = reattack.FEATURES
    loud, onset, midi, conf, voiced = _dipped_run()
    _, dry = reattack.run_candidates(_run(loud, onset, onset, midi, conf, voiced), reattack.Recording(0.016))
    _, hall = reattack.run_candidates(_run(loud, onset, onset, midi, conf, voiced), reattack.Recording(0.016, rt60_s=1.8))
    _, huge = reattack.run_candidates(_run(loud, onset, onset, midi, conf, voiced), reattack.Recording(0.016, rt60_s=9.0))
    room = names.index("room_rt60_s")
    assert len(dry) and np.all(dry[:, room] == 0.0) and np.all(hall[:, room] == 1.8)
    assert np.all(huge[:, room] == network.MAX_RT60_INPUT_S)
    other = [i for i in range(len(names)) if i != room]
    assert np.array_equal(dry[:, other], hall[:, other])


def test_typical_spacing_is_the_median_step_between_run_starts() -> None:
    assert reattack.typical_spacing_s(np.array([0, 10, 20, 50]), hop_s=0.016) == 10 * 0.016
    assert reattack.typical_spacing_s(np.array([0, 10]), hop_s=0.016) is None


def test_onset_shift_fit_learns_a_steady_lateness() -> None:
    # A network that likes every frame equally chooses the first; the truth is always
    # 40 ms (+- 5 ms) before it: the fitted shift moves onsets about 40 ms earlier.
    rng = np.random.default_rng(2)
    f = len(attack.FEATURES)
    flat = {
        "mean": np.zeros(f),
        "scale": np.ones(f),
        "hidden": np.zeros((1, f)),
        "hidden_bias": np.zeros(1),
        "out": np.zeros(1),
        "out_bias": np.array(3.0),
    }
    rows = []
    for _ in range(200):
        t = 1.0 + 0.016 * np.arange(8)
        feats = rng.normal(size=(8, f))
        rows.append((t, feats, np.zeros(8, dtype=bool), float(t[0]), float(t[0]) - 0.04 + rng.uniform(-0.005, 0.005)))
    shift = fa.fit_shift(rows, flat, 0.3)
    p = attack.probability(rows[0][1], weights=flat)
    assert abs(float(attack.onset_shift_s(attack.shift_features(rows[0][1], p, 0), shift)) + 0.04) < 0.005
    late = [(t, x, lab, on, truth - 0.02) for t, x, lab, on, truth in rows]  # 60 ms early: outside 50 ms
    assert fa.onsets_right(late, flat, 0.3) == 0.0
    assert fa.onsets_right(late, flat, 0.3, fa.fit_shift(late, flat, 0.3)) > 0.9


def test_relative_levels_weigh_each_note_against_its_pitch() -> None:
    # Three pitches take turns and the higher ones always sound 3 and 6 dB louder (the
    # instrument's register): no note is accented. On top, every fourth note is played
    # 3 dB louder, on each pitch in turn.
    pitch = np.array([60, 64, 67] * 16)
    register = np.where(pitch == 67, 6.0, np.where(pitch == 64, 3.0, 0.0))
    accent = (np.arange(48) % 4 == 0) * 3.0
    raw = rhythm.relative_levels(-20.0 + register, None, 48)
    flat = rhythm.relative_levels(-20.0 + register, pitch, 48)
    # Against the notes around it only, the register reads as accents; against its pitch, not.
    assert np.abs(raw).max() > 2.0
    assert np.abs(flat).max() < 0.5
    # A real accent survives the pitch step.
    played = rhythm.relative_levels(-20.0 + register + accent, pitch, 48)
    assert played[accent > 0].mean() - played[accent == 0].mean() > 2.0
    assert rhythm.relative_levels(None, pitch, 48).tolist() == [0.0] * 48


def test_every_duple_feature_has_a_weight() -> None:
    weights, intercept = rhythm.duple_weights()
    assert weights.shape == (len(rhythm.DUPLE_FEATURES),)
    assert np.isfinite(weights).all() and np.isfinite(intercept)


def test_a_long_last_note_keeps_four_beats() -> None:
    # Even quarters, one tatum a beat: the check decides between 2/4 and 4/4 from its features.
    k = np.arange(32, dtype=np.float64)
    cands = [rhythm.MeterChoice(1, 2, 0, "2/4"), rhythm.MeterChoice(1, 4, 0, "4/4"), rhythm.MeterChoice(1, 3, 0, "3/4")]
    feats = rhythm.meter_features(k, np.ones(32), np.ones(32), 0.5, cands)
    x, two, four = rhythm.duple_features(cands, feats, 1, k, np.zeros(32))
    assert (two, four) == (0, 1) and x.shape == (len(rhythm.DUPLE_FEATURES),)
    w = np.zeros(len(rhythm.DUPLE_FEATURES))
    for d_last, want in ((1.0, 0), (2.0, 0), (3.0, 1), (4.0, 1)):
        d = np.append(np.ones(31), d_last)
        assert rhythm.two_or_four(cands, feats, 1, k, d, np.zeros(32), weights=w, intercept=1.0) == want
    # A three-beat reading is not the check's to change.
    assert rhythm.duple_features(cands, feats, 2, k, np.zeros(32)) is None


def test_duple_fit_recovers_logistic_weights_beside_a_fixed_offset() -> None:
    from benchmarks import fit_duple as fd

    # Labels drawn from a known logistic model; some items carry the long-last-note offset,
    # which the fit must treat as given rather than fold into the weights or intercept.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4000, 3))
    offset = np.where(rng.random(4000) < 0.3, -rhythm.LONG_END_LOG_ODDS, 0.0)
    z = 2.0 * x[:, 0] - 2.0 * x[:, 2] + 0.5 + offset
    y = (rng.random(4000) < 1.0 / (1.0 + np.exp(-z))).astype(float)
    w, b = fd.fit_logistic(x, y, offset, c=100.0)
    np.testing.assert_allclose(w, [2.0, 0.0, -2.0], atol=0.25)
    assert abs(b - 0.5) < 0.25


@pytest.mark.parametrize("module", ["fit_attack", "fit_release", "fit_reattack"])
@pytest.mark.parametrize("train", ["21:4:held-out", "22:4:hall-check", "2:4,20:4", "0:48"])
def test_fit_scripts_refuse_the_held_out_soundfont_room_and_the_scored_seeds(
    module: str, train: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    main = importlib.import_module(f"benchmarks.{module}").main
    with pytest.raises(SystemExit) as exc:
        main(["--train", train, "--check", "", "--out", "/nonexistent/never-written.npz"])
    assert exc.value.code == 2
    assert "train on others" in capsys.readouterr().err


def test_reattack_reads_a_runs_own_stretch_of_the_recordings_partials() -> None:
    # The partials cover the whole recording; a run starting at frame 30 reads frames 30 on.
    names = reattack.FEATURES
    loud, onset, midi, conf, voiced = _dipped_run()
    at, between = np.full(200, -20.0), np.full(200, -50.0)
    between[30 + 50 : 30 + 53] = -30.0  # a burst at the run's split, 30 frames into the recording
    run = _run(loud, onset, onset, midi, conf, voiced)
    s, whole = reattack.run_candidates(run, reattack.Recording(0.016, partials=(at, between)), start=30)
    _, own = reattack.run_candidates(run, reattack.Recording(0.016, partials=(at[30:130], between[30:130])))
    _, wrong = reattack.run_candidates(run, reattack.Recording(0.016, partials=(at, between)))
    assert np.array_equal(whole, own)
    k = int(np.argmin(np.abs(s - 51)))
    assert whole[k, names.index("between_rise_db")] == 20.0 and wrong[k, names.index("between_rise_db")] == 0.0
