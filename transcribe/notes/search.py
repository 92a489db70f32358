"""Notes from a gated pitch track: variable length, re-attacks split, glides kept whole.

The segmentation is a Viterbi search over the states {rest, semitone p for p
in the sung range}: every frame pays for its distance from the state's pitch
(capped, so a short octave slip or a scoop costs little), starting a note pays
a fixed price (lowered where the audio shows an onset), and unvoiced frames
inside a note pay a price too. The cheapest path through the whole take is
the note sequence: a vibrato that swings around a pitch never pays for
itself as extra notes, while a real step pays back its note price within a
few frames. Repeated notes of one pitch, which the pitch track alone cannot
separate, are then split where the onset strength or the loudness shows a
re-attack (:mod:`.split`); :mod:`.cleanup` and :mod:`.onsets` finish the notes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..types import FrameArrays, Note, PitchTrack, StageHook
from . import reattack
from .cleanup import absorb_glides, clean, fold_octave_slips, join_parts
from .onsets import refine_onsets
from .params import SegmentParams
from .split import split_reattacks


def segment(
    track: PitchTrack,
    voiced: np.ndarray,
    onset: np.ndarray,
    *,
    sure: np.ndarray | None = None,
    attack: np.ndarray | None = None,
    tuning_cents: float,
    min_note_s: float,
    params: SegmentParams | None = None,
    partials_db: tuple[np.ndarray, np.ndarray] | None = None,
    bands_db: np.ndarray | None = None,
    rt60_s: float = 0.0,
    hook: StageHook | None = None,
) -> tuple[Note, ...]:
    """Turn a pitch track into notes.

    Args:
        track: The (ungated) pitch track; its ``f0_hz`` is read where ``voiced``.
        voiced: Boolean voicing mask from :func:`transcribe.gating.voiced_mask`, shape (n,).
        onset: Onset strength per frame, shape (n,) (see :mod:`transcribe.features`).
        sure: Voicing before gap bridging, shape (n,); a gap in it with an
            onset after it is a re-attack. Defaults to ``voiced``.
        attack: Short-window onset strength per frame, shape (n,), used to move
            onsets to the start of their attack; ``None`` leaves them as found.
        tuning_cents: Global tuning offset, removed before rounding to semitones.
        min_note_s: Notes shorter than this are merged into a neighbour or dropped.
        params: Search costs; defaults when ``None``.
        partials_db: Level at the pitch's harmonics and between them per frame (dB), each
            shape (n,) (:func:`transcribe.features.partials_db`): an attack's burst between
            the harmonics is evidence of a re-attack that reverb does not hide.
            ``None``: that evidence is not used.
        bands_db: Level per frame in the bands of :data:`transcribe.notes.reattack.BAND_EDGES_HZ`
            (dB), shape (n, bands) (:func:`transcribe.features.band_levels_db`): how the spectrum
            rises at a re-attack candidate. ``None``: that evidence is not used.
        rt60_s: The room's reverberation time read from the recording (seconds; 0 where none
            was read), for the re-attack network.
        hook: Called as ``hook("reattack_run", {...})`` with the arguments of each note run's
            re-attack search (``start``, ``end``, ``frames``, ``min_len``, ``guard`` and
            ``recording``, a :class:`transcribe.notes.reattack.Recording`),
            for ``benchmarks/fit_reattack.py``.

    Returns:
        Notes in time order, not overlapping.
    """
    p = params or SegmentParams()
    n = len(track)
    voiced = np.asarray(voiced, dtype=bool)
    if n == 0 or not voiced.any():
        return ()
    hop = track.hop_s or 0.016
    midi = track.midi - tuning_cents / 100.0
    voiced = voiced & np.isfinite(midi)
    if not voiced.any():
        return ()
    conf = np.where(voiced, track.confidence, 0.0)
    sure_mask = voiced if sure is None else (np.asarray(sure, dtype=bool) & voiced)
    onset = np.nan_to_num(np.asarray(onset, dtype=np.float64), nan=0.0)
    attack_arr = onset if attack is None else np.nan_to_num(np.asarray(attack, dtype=np.float64), nan=0.0)
    loud_db = np.asarray(track.loudness_db, dtype=np.float64)
    frames = FrameArrays(track.times_s, midi, conf, loud_db, onset, attack_arr, sure_mask)
    states = _path(midi, voiced, conf, onset, p)
    runs, joined = _merge_touching(_fix_octaves([r for r in _runs(states) if r[2] >= 0], p))
    min_len = max(round(min_note_s / hop), round(p.reattack_min_s / hop))
    guard = round(p.reattack_guard_s / hop)
    spacing_s = reattack.typical_spacing_s(np.array([r[0] for r in runs]), hop_s=hop)
    made: list[tuple[Note, int]] = []  # each note and the index of the run it came from
    recording = reattack.Recording(hop, partials_db, spacing_s, rt60_s, bands_db)
    for i, (start, end, pitch) in enumerate(runs):
        # The last frames of a note that hands over to the next one carry the
        # next note's attack: no re-attack is looked for there.
        hands_over = i + 1 < len(runs) and runs[i + 1][0] - end <= 1
        run_guard = guard if hands_over else 0
        if hook is not None:
            run = {"start": start, "end": end, "frames": frames, "min_len": min_len, "guard": run_guard}
            hook("reattack_run", {**run, "recording": recording})
        for a, b in split_reattacks(frames, (start, end), p, recording, min_len=min_len, guard=run_guard):
            made.append((_make_note(frames, voiced, (a, b, pitch), p, hop_s=hop, keep_octave=i in joined), i))
    notes = join_octave_runs(made, runs, joined)
    notes = absorb_glides(notes, midi, track.times_s, max_glide_s=p.max_glide_s, blip_st=p.blip_st, hop=hop)
    if attack is not None:
        notes = refine_onsets(notes, track.times_s, attack_arr, p, min_note_s=min_note_s)
    found = clean(notes, min_note_s=min_note_s)
    return hold_to_run_ends(found, runs, track.times_s, hop_s=hop)


def join_octave_runs(made: list[tuple[Note, int]], runs: list[tuple[int, int, int]], joined: set[int]) -> list[Note]:
    """The notes, with the last of one run and the first of the next joined where the runs touch,
    the notes came out at one pitch, and the path's change between them was the tracker's octave:
    the runs lie a whole number of octaves apart, or one of them holds frames an octave off
    (``joined``, :func:`_merge_touching`). A flute's F read an octave low for its first 140 ms
    in a hall (held-out r023) was written as two notes, a sixteenth and a dotted eighth; a
    real repeat, or a step the note's pitch rounds over, comes from runs a semitone or more
    apart whose frames lie in one octave, and stays.

    Args:
        made: Each note in time order and the index into ``runs`` of the run it came from.
        runs: The path's note runs, ``(first frame, end frame exclusive, MIDI)``.
        joined: Indices of the runs joined from several by the octave fix.
    """
    out: list[tuple[Note, int]] = []
    for note, i in made:
        if out:
            prev, j = out[-1]
            apart_st = runs[i][2] - runs[j][2]
            octave_change = (apart_st != 0 and apart_st % 12 == 0) or i in joined or j in joined
            if j + 1 == i and runs[j][1] == runs[i][0] and prev.midi == note.midi and octave_change:
                out[-1] = (join_parts(prev, note), i)
                continue
        out.append((note, i))
    return [note for note, _ in out]


def hold_to_run_ends(notes: tuple[Note, ...], runs: list[tuple[int, int, int]], times_s: np.ndarray, *, hop_s: float) -> tuple[Note, ...]:
    """Each note's end moved on to the end of its pitch run, or the next note's onset if sooner.

    A note ends where its level falls ``release_db`` below its peak, which also marks the
    break before a repeated note that the attack search must not cross. The stages after
    the search (:func:`transcribe.notes.trim_releases`, the release network) put the end
    where the note was released and can only shorten a note: they get it as long as the
    tracker holds its pitch.

    Args:
        notes: The search's notes, in time order, not overlapping.
        runs: The path's note runs (rests left out), ``(first frame, end frame exclusive, MIDI)``,
            in time order.
        times_s: Frame centres (seconds), shape (n,).
        hop_s: Frame hop (seconds).
    """
    if not notes or not runs:
        return notes
    ends_s = np.array([float(times_s[b - 1]) + hop_s / 2 for _, b, _ in runs])
    starts_s = np.array([float(times_s[a]) - hop_s / 2 for a, _, _ in runs])
    out: list[Note] = []
    for i, note in enumerate(notes):
        # The run the note's last moment lies in.
        k = int(np.searchsorted(starts_s, note.offset_s - hop_s / 2, side="right")) - 1
        end_s = note.offset_s
        if k >= 0 and ends_s[k] > end_s:
            end_s = float(ends_s[k])
            if i + 1 < len(notes):
                end_s = min(end_s, notes[i + 1].onset_s)
        out.append(replace(note, offset_s=max(note.offset_s, end_s)))
    return tuple(out)


def _path(midi: np.ndarray, voiced: np.ndarray, conf: np.ndarray, onset: np.ndarray, p: SegmentParams) -> np.ndarray:
    """Viterbi path: per frame -1 for rest or the MIDI number of the note."""
    n = len(midi)
    m_v = midi[voiced]
    lo = int(np.floor(np.percentile(m_v, 0.5))) - 1
    hi = int(np.ceil(np.percentile(m_v, 99.5))) + 1
    pitches = np.arange(lo, hi + 1, dtype=np.float64)
    k = len(pitches)
    m_safe = np.where(voiced, midi, 0.0)
    # Emission costs, (n, k): distance beyond a dead zone, capped, weighted by confidence.
    dev = np.abs(m_safe[:, None] - pitches[None, :])
    if p.octave_slip_st > 0:
        # A short octave slip inside a note (a piano note whose tracker jumps to
        # the second harmonic as it decays) would otherwise cost as much as a
        # rest, and the note is lost or cut in two: such a frame costs the
        # slip's price plus its distance from the octave instead.
        for octave in (12.0, 24.0):
            np.minimum(dev, np.abs(dev - octave) + p.octave_slip_st, out=dev)
    emit = np.minimum(np.maximum(dev - p.dead_zone_st, 0.0), p.max_dev_st) * conf[:, None]
    emit[~voiced] = p.unvoiced_note_cost
    rest_emit = np.where(voiced, p.voiced_rest_cost * conf, 0.0)
    start_cost = np.maximum(p.note_cost - p.onset_discount * onset, 0.25 * p.note_cost)

    # value[0] = rest, value[1:] = notes. A note is entered from the best state
    # of all and left for the rest from the best note, so the path back needs only,
    # per frame, which notes stayed, whether the rest stayed, and those two best states.
    # (One numpy call per step costs ~1 us on a 30-pitch range: this loop is a tenth
    # of a 3-minute song's run, so it keeps the calls few and in place.)
    value = np.concatenate(([0.0], np.full(k, np.inf)))
    notes_value = value[1:]
    stayed = np.empty((n, k), dtype=bool)
    rest_stayed = np.empty(n, dtype=bool)
    best_note = np.empty(n, dtype=np.int64)  # state index (1..k) of the best note at t - 1
    best_all = np.empty(n, dtype=np.int64)  # state index (0..k) of the best state at t - 1
    start_list, rest_list = start_cost.tolist(), rest_emit.tolist()
    for t in range(n):
        j = int(notes_value.argmin())
        v_note, v_rest = float(notes_value[j]), float(value[0])
        best_note[t] = j + 1
        best_all[t] = 0 if v_rest <= v_note else j + 1
        enter = min(v_rest, v_note) + start_list[t]
        np.less_equal(notes_value, enter, out=stayed[t])
        np.minimum(notes_value, enter, out=notes_value)
        notes_value += emit[t]
        end_val = v_note + p.end_cost
        rest_stayed[t] = v_rest <= end_val
        value[0] = (v_rest if rest_stayed[t] else end_val) + rest_list[t]
    state = np.empty(n, dtype=np.int64)
    state[-1] = int(np.argmin(value))
    for t in range(n - 1, 0, -1):
        s_t = state[t]
        if s_t == 0:
            state[t - 1] = 0 if rest_stayed[t] else best_note[t]
        else:
            state[t - 1] = s_t if stayed[t, s_t - 1] else best_all[t]
    return np.where(state == 0, -1, lo + state - 1)


def _fix_octaves(runs: list[tuple[int, int, int]], p: SegmentParams) -> list[tuple[int, int, int]]:
    """Move runs that jump an octave or two away from their neighbours back.

    A pitch tracker locked onto the second or fourth harmonic (a clarinet's
    weak fundamental, a breathy flute) gives a stretch 12 or 24 semitones off
    the melody around it. A run more than ``p.octave_jump_st`` from the median
    of up to three runs on each side, that an octave shift brings within five
    semitones of it, is moved by that shift. Where that makes it touch a run
    of the same pitch they are joined and keep this octave; a run left alone
    takes its pitch from its frames again (a real leap stays a leap).
    """
    pitches = [r[2] for r in runs]
    out = list(runs)
    for i, (a, b, pitch) in enumerate(runs):
        context = pitches[max(0, i - 3) : i] + pitches[i + 1 : i + 4]
        if len(context) < 2:
            continue
        centre = float(np.median(context))
        if abs(pitch - centre) <= p.octave_jump_st:
            continue
        for shift in (-12, 12, -24, 24):
            if abs(pitch + shift - centre) <= 5:
                out[i] = (a, b, pitch + shift)
                break
    return out


def _merge_touching(runs: list[tuple[int, int, int]]) -> tuple[list[tuple[int, int, int]], set[int]]:
    """Join runs of one pitch that touch (left by an octave fix); re-attacks are split later.

    Returns:
        The runs, and the indices of those joined from several: their octave
        is the segmentation's, whatever the octave-slipped frames in them say.
    """
    out: list[tuple[int, int, int]] = []
    joined: set[int] = set()
    for a, b, pitch in runs:
        if out and out[-1][2] == pitch and out[-1][1] == a:
            out[-1] = (out[-1][0], b, pitch)
            joined.add(len(out) - 1)
        else:
            out.append((a, b, pitch))
    return out, joined


def _runs(states: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of equal values as (start, end_exclusive, value)."""
    change = np.flatnonzero(np.diff(states)) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [len(states)]))
    return [(int(a), int(b), int(states[a])) for a, b in zip(starts, ends)]


def _make_note(
    frames: FrameArrays, voiced: np.ndarray, part: tuple[int, int, int], p: SegmentParams, *, hop_s: float, keep_octave: bool
) -> Note:
    """The note of ``part`` = (first frame, end frame exclusive, the run's MIDI pitch): where its
    pitch arrives (``p.arrival_st``), its settled pitch (``p.settle_slope_st_per_s``; the run's
    octave where ``keep_octave``) and where its level has fallen ``p.release_db`` below its peak.
    ``frames`` as the note search builds them, ``voiced`` the voicing after gap bridging."""
    a, b, pitch = part
    midi, conf, hop = frames.midi, frames.confidence, hop_s
    arrival_st, release_db = p.arrival_st, p.release_db
    v = voiced[a:b]
    if arrival_st > 0 and v.sum() > 4:
        # The note begins where its pitch arrives: leading frames of a scoop
        # (more than arrival_st from the note's median pitch) are not the note yet;
        # frames an octave or two off are the note with the tracker slipped, not a scoop.
        folded = fold_octave_slips(midi[a:b], pitch)
        centre = float(np.median(folded[v]))
        far = ~v | (np.abs(folded - centre) > arrival_st)
        lead = int(np.argmin(far)) if not far.all() else 0
        a += min(lead, max(0, (b - a) // 3))
        v = voiced[a:b]
    if v.any():
        # The note's pitch is the median of its settled frames: a scoop at the start and a
        # fall at the end do not pull it (the median of all frames, robust to short ones,
        # read a scooped, flat-played saxophone note a semitone low).
        centre = settled_centre(fold_octave_slips(midi[a:b][v], pitch), max_slope_st=p.settle_slope_st_per_s * hop)
        if keep_octave:  # a held note with an octave slip inside: the segmentation's octave
            centre += 12.0 * round((pitch - centre) / 12.0)
        pitch = int(np.floor(centre + 0.5))
        cents = (centre - pitch) * 100.0
    else:
        cents = 0.0
    if release_db > 0 and b - a > 4:
        # The note ends where its level has fallen release_db below its peak:
        # what rings on after that is the release and the room, not the note.
        loud = frames.loudness_db[a:b]
        peak = float(np.max(loud[: max(1, (3 * (b - a)) // 4)]))
        kept = np.flatnonzero(loud >= peak - release_db)
        b = a + max(int(kept[-1]) + 1, 2)
        v = voiced[a:b]
    # Frame times are centres; a note spans from half a hop before its first frame to half after its last.
    onset_s = max(0.0, float(frames.times_s[a]) - hop / 2)
    offset_s = float(frames.times_s[b - 1]) + hop / 2
    confidence = float(conf[a:b][v].mean()) if v.any() else 0.0
    return Note(onset_s=onset_s, offset_s=offset_s, midi=int(pitch), cents=cents, confidence=confidence)


def settled_centre(frames: np.ndarray, *, max_slope_st: float) -> float:
    """A note's pitch (MIDI number) from its frames (shape (m,), voiced, in order): the median
    of those where the pitch moves less than ``max_slope_st`` semitones a frame (central
    difference), so a scoop into the note and a fall out of it do not pull it; the median of
    all frames when fewer than three are that steady, or when ``max_slope_st`` is 0."""
    if max_slope_st <= 0 or len(frames) < 3:
        return float(np.median(frames))
    slope = np.abs(np.gradient(frames))
    steady = frames[slope < max_slope_st]
    return float(np.median(steady if len(steady) >= 3 else frames))
