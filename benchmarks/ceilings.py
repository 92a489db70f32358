"""How far the labels of the singing sets let any system go: ``python -m benchmarks.ceilings``.

The sung sets' targets (issue 4) are measured against human labels, and this
script measures the labels themselves, with the same metrics as
:mod:`benchmarks.run` (COnP: onset 50 ms and pitch 50 cents; COnPOff adds the
offset), each label pitch rounded to the nearest semitone at A440:

- ``other-annotator`` (vocadito, two annotators): each annotator's notes
  scored against the other's. No system can be expected to agree with one
  annotator better than the other annotator does.
- ``oracle-timing``: every reference's own note boundaries, each note named by
  rounding the median pitch of the default tracker (SwiftF0, frames of
  confidence >= 0.5 in the middle half of the note) at A440. Onsets and offsets
  are perfect, so what it misses is where the sung pitch and the label round to
  different semitones.
- ``oracle-timing+shift``: the same with one constant pitch shift added to
  every note of a set, the one (in 0.01-semitone steps within half a semitone)
  that matches the most labels of that set. It is fitted on the labels, so it
  is a ceiling to read, not a method to use.
- ``oracle-timing/published`` and ``oracle-timing+shift/published``: the same boundaries
  scored the published way (the ``published`` references: the labels' fractional sung pitch
  against the tracker's unrounded median, 50 cents), without and with the constant shift
  (fitted the same way, on the labels) added to every note. What the first misses is where
  the tracker's pitch and the label's pitch differ by more than 50 cents.
- ``oracle-timing[EST]/published``: the same boundaries and protocol, each note's pitch read by
  another estimator of :data:`ESTIMATORS` over the note's confident frames (all of the note, not
  its middle half): the plain median, the median of its steady frames, the confidence-weighted
  median, the mode of its pitch histogram, and the median moved up to the next bin of the
  spectrum grid most of ssvd-dev's label pitches lie on (``bin-above``: the labels' convention,
  a ceiling to read, not a method). Which one reads a labelled note's pitch best.
- The page (ssvd-scores): the ``oracle-timing[median]`` rows of a recording whose printed
  exercise is known also carry the page measures of :func:`benchmarks.metrics.page_scores`
  (intended pitch, key signature, time signature, written durations) of the page the voice
  path's own later stages write from those notes (:func:`oracle_page`: the labels' boundaries,
  the tracker's pitch). What better notes alone would give the page.

Prints a table and writes ``benchmarks/results/ceilings.md`` and ``.csv``.
Needs ``../shared`` (or ``$TRANSCRIBE_SHARED``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks import metrics
from benchmarks.datasets import Item, Reference, find_shared, load_ssvd, load_ssvd_scores, load_vocadito
from benchmarks.run import RESULTS, ref_set, summarize, to_markdown, write_csv
from transcribe.types import Note, PitchTrack
from transcribe.units import hz_to_midi, midi_to_hz

#: Shifts tried by ``oracle-timing+shift`` (semitones).
SHIFTS = np.round(np.arange(-0.5, 0.5001, 0.01), 2)


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2.0)])


def _steady_median(midi: np.ndarray, conf: np.ndarray) -> float:
    """The median of the frames where the pitch moves at most 0.3 semitones a frame (not a
    scoop, a glide or a fall); of all frames where fewer than two are that steady."""
    steady = np.abs(np.gradient(midi)) <= 0.3 if len(midi) > 1 else np.ones(len(midi), dtype=bool)
    return float(np.median(midi[steady] if steady.sum() >= 2 else midi))


def _histogram_mode(midi: np.ndarray, conf: np.ndarray) -> float:
    """The peak of the frames' pitch density (a Gaussian kernel of 0.3 semitones, 2-cent grid)."""
    grid = np.arange(midi.min() - 0.5, midi.max() + 0.5, 0.02)
    return float(grid[np.argmax(np.exp(-0.5 * ((grid[:, None] - midi[None, :]) / 0.3) ** 2).sum(axis=1))])


#: The frequency grid (Hz) that most of ssvd-dev's label pitches lie on: the bins of an 8192-point
#: spectrum at 44.1 kHz (docs/models/sung-onsets.md, "The labels' pitch is a spectrum bin").
LABEL_BIN_HZ = 44100.0 / 8192.0


def _bin_above(midi: np.ndarray, conf: np.ndarray) -> float:
    """The median, moved up to the next bin of :data:`LABEL_BIN_HZ` (a reading of the labels'
    convention, to measure how much of the gap it explains; not a method)."""
    hz = midi_to_hz(float(np.median(midi)))
    return float(hz_to_midi(np.ceil(hz / LABEL_BIN_HZ - 1e-6) * LABEL_BIN_HZ))


#: Per-note pitch estimators over a note's confident frames (fractional MIDI, confidence) for the
#: ``oracle-timing[EST]/published`` rows.
ESTIMATORS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "median": lambda midi, conf: float(np.median(midi)),
    "steady": _steady_median,
    "confidence-weighted": lambda midi, conf: _weighted_median(midi, np.maximum(conf, 1e-6)),
    "mode": _histogram_mode,
    "bin-above": _bin_above,
}


def sung_track(item: Item) -> PitchTrack:
    """The default tracker's (SwiftF0's) pitch track of an item's audio."""
    from transcribe import audio, pitch

    return pitch.estimate(audio.load(item.audio, sr=pitch.sample_rate("swift")), backend="swift")


def note_pitches(track: PitchTrack, ref: Reference, estimator: str | None = None) -> np.ndarray:
    """Median pitch (fractional MIDI) of ``track`` in the middle half of each reference note, or
    with an ``estimator`` of :data:`ESTIMATORS`, its reading of all of the note; NaN where fewer
    than two frames there are confident (0.5)."""
    ok = track.confidence >= 0.5
    midi = 69.0 + 12.0 * np.log2(np.where(ok, track.f0_hz, 440.0) / 440.0)
    out = np.full(len(ref.notes), np.nan)
    trim = 0.25 if estimator is None else 0.0
    read = ESTIMATORS["median" if estimator is None else estimator]
    for i, (on, off, _) in enumerate(ref.notes):
        a, b = np.searchsorted(track.times_s, [on + trim * (off - on), off - trim * (off - on)])
        sel = ok[a:b]
        if sel.sum() >= 2:
            out[i] = read(midi[a:b][sel], track.confidence[a:b][sel])
    return out


def oracle_page(track: PitchTrack, item: Item, ref: Reference) -> dict[str, float]:
    """The page measures (:func:`benchmarks.metrics.page_scores` against ``item.page``) of the page
    the voice path writes from ``ref``'s own note boundaries, each note at the median of
    ``track``'s confident frames over the whole note (``note_pitches``' ``median``): named in the
    key and the followed tuning (:func:`transcribe.intonation.name_sung_notes`) and written by the
    voice's rhythm (:func:`transcribe.rhythm.analyze` with the shipped ``SungRhythm``, each note's
    accent from the track's level as the pipeline reads it), as :func:`transcribe.transcribe` does
    with its own notes."""
    from transcribe import intonation, rhythm
    from transcribe.pipeline import note_peaks_db

    pitches = note_pitches(track, ref, "median")
    found = tuple(
        Note(on, off, int(np.floor(p + 0.5)), float((p - np.floor(p + 0.5)) * 100.0))
        for (on, off, _), p in zip(ref.notes, pitches)
        if np.isfinite(p)
    )
    meant = intonation.name_sung_notes(found)
    rh = rhythm.analyze(meant.notes, accent_db=note_peaks_db(meant.notes, track), written_as=rhythm.SungRhythm.load())
    written = [(n.onset_s, q, n.midi) for n, q in zip(meant.notes, rh.durations_q)]
    return metrics.page_scores(written, meant.key, rh.time_signature, item.page)


def _row(system: str, item: Item, ref: Reference, est: list[tuple[float, float, float]]) -> dict[str, Any]:
    row: dict[str, Any] = {"system": system, "set": ref_set(item, ref), "item": item.id, "seconds": "", "error": ""}
    row.update(metrics.note_scores(ref.notes, est))
    return row


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ceilings", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="ssvd,vocadito", help="comma list of ssvd, vocadito, ssvd-scores")
    ap.add_argument("--limit", type=int, default=None, help="at most N items per set")
    a = ap.parse_args(argv)
    shared = find_shared()
    if shared is None:
        print("no shared data: set TRANSCRIBE_SHARED or provide ../shared", file=sys.stderr)
        return 1
    rows: list[dict[str, Any]] = []
    for name in [s.strip() for s in a.sets.split(",") if s.strip()]:
        loaders = {"ssvd": load_ssvd, "vocadito": load_vocadito, "ssvd-scores": load_ssvd_scores}
        if name not in loaders:
            ap.error(f"unknown set {name!r} (choose from {', '.join(loaders)})")
        items = loaders[name](shared)[: a.limit]
        # The A440 references only: the "tuned" ones re-round the same labels.
        pairs = [(it, ref) for it in items for ref in it.refs if not ref.name.endswith("tuned") and not ref.sung]
        tracks = {it.id: sung_track(it) for it in items}  # once per recording, shared by its annotators
        sung = [note_pitches(tracks[it.id], ref) for it, ref in pairs]
        labels = np.concatenate([[m for _, _, m in ref.notes] for _, ref in pairs])
        heard = np.concatenate(sung)
        best = max(SHIFTS, key=lambda s: int(np.sum(np.round(heard + s) == labels)))
        for shift, system in ((0.0, "oracle-timing"), (float(best), "oracle-timing+shift")):
            for (it, ref), pitches in zip(pairs, sung):
                est = [(on, off, float(np.round(p + shift))) for (on, off, _), p in zip(ref.notes, pitches) if np.isfinite(p)]
                rows.append(_row(system, it, ref, est))
        print(f"{name}: best constant shift {best:+.2f} semitones", file=sys.stderr)
        # The published protocol: fractional labels against the unrounded median pitch.
        spairs = [(it, ref) for it in items for ref in it.refs if ref.sung]
        ssung = [note_pitches(tracks[it.id], ref) for it, ref in spairs]
        slabels = np.concatenate([[m for _, _, m in ref.notes] for _, ref in spairs])
        sheard = np.concatenate(ssung)
        sbest = max(SHIFTS, key=lambda s: int(np.sum(np.abs(sheard + s - slabels) < 0.5)))
        for shift, system in ((0.0, "oracle-timing"), (float(sbest), "oracle-timing+shift")):
            for (it, ref), pitches in zip(spairs, ssung):
                est = [(on, off, float(p + shift)) for (on, off, _), p in zip(ref.notes, pitches) if np.isfinite(p)]
                rows.append(_row(system, it, ref, est))
        print(f"{name}, published: best constant shift {sbest:+.2f} semitones", file=sys.stderr)
        for est in ESTIMATORS:
            for it, ref in spairs:
                pitches = note_pitches(tracks[it.id], ref, est)
                est_notes = [(on, off, float(p)) for (on, off, _), p in zip(ref.notes, pitches) if np.isfinite(p)]
                rows.append(_row(f"oracle-timing[{est}]", it, ref, est_notes))
                if est == "median" and it.page is not None:
                    rows[-1].update(oracle_page(tracks[it.id], it, ref))
        for it in items:
            for sung in (False, True):
                refs = [r for r in it.refs if not r.name.endswith("tuned") and r.sung == sung]
                for ref in refs:
                    for other in refs:
                        if other is not ref:
                            rows.append(_row("other-annotator", it, ref, [(on, off, float(m)) for on, off, m in other.notes]))
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_csv(rows, RESULTS / "ceilings.csv")
    table = to_markdown(summarize(rows))
    cmd = " ".join(argv if argv is not None else sys.argv[1:])
    (RESULTS / "ceilings.md").write_text(f"# Label ceilings\n\n`python -m benchmarks.ceilings {cmd}`\n\n{table}")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
