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
re-attack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..types import FrameArrays, Note, PitchTrack, StageHook, midi_to_hz
from . import reattack


@dataclass(frozen=True)
class SegmentParams:
    """Costs of the segmentation search (per 16 ms frame unless said otherwise).

    Attributes:
        note_cost: Price of starting a note, in cost units (1 = a frame one
            semitone off at full confidence).
        onset_discount: How much a unit of onset strength lowers ``note_cost``.
        max_dev_st: Cap of the pitch deviation cost, in semitones.
        dead_zone_st: Deviations up to this many semitones are free (intonation, vibrato).
        octave_slip_st: A frame one or two octaves from a state's pitch counts
            as this many semitones plus its distance from that octave (the
            tracker locked onto a harmonic or a subharmonic is weak evidence
            for the note, not for a rest); 0 treats it as any far frame.
        voiced_rest_cost: Price of calling a fully confident voiced frame a rest.
        unvoiced_note_cost: Price of an unvoiced frame inside a note.
        end_cost: Price of ending a note.
        gap_onset: A break in the voicing inside a note of one pitch splits
            it when the voicing comes back with an onset strength (95th
            percentile = 1) of at least this (a breath or a re-bowed note) ...
        gap_dip_db: ... or when the level in the break dips this far (dB).
        reattack_min_prob: Other repeated notes (a loudness dip or an onset
            peak inside the held pitch) are split where the re-attack network
            (:mod:`transcribe.reattack`) gives at least this probability. 0.4
            rather than 0.5: a missed repeat costs a note and a wrong written
            duration, a false split costs a note (rendered sets, seeds 0 and 1).
        max_glide_s: Notes shorter than this that glide into or out of a
            neighbour are merged into it (seconds).
        blip_st: A note shorter than ``max_glide_s`` that touches a longer
            neighbour at most this many semitones away is merged into it even
            when its pitch does not move toward it (a singer's overshoot, or
            the first frames of a note sung a semitone sharp); 0 merges only
            glides. See :data:`SUNG`.
        reattack_min_s: Shortest part a re-attack split may leave (seconds).
        reattack_guard_s: No re-attack is looked for this close to the end of
            a note that runs straight into the next (seconds).
        octave_jump_st: A note further than this from its neighbours' median
            (semitones) is checked for an octave error.
        arrival_st: A note begins where its pitch first comes within this many
            semitones of its median (a scoop before that is not the note yet);
            0 keeps the first voiced frame. 0.65 rather than 0.5: a singer's
            approach that settles within two thirds of a semitone is already
            the note (ssvd COnP 0.529 -> 0.533, vocadito 0.617/0.588 ->
            0.641/0.630; the rendered instruments unchanged).
        release_db: A note ends where its level falls this far below its peak
            (the release and the room's reverb are not the note); 0 keeps the
            last voiced frame.
        attack_search_s: How far before a found onset its attack is looked for
            (seconds); 0 keeps onsets where the pitch arrives (the pipeline's
            ``onsets="pitch"``).
        attack_min_peak: Weakest attack-strength peak that moves an onset.
        attack_rise_ratio: The attack starts where its strength first exceeds
            this share of its peak. 0.1 rather than 0.25: the truth onsets of
            the rendered sets are note-ons, where the rise begins (COnP 0.866
            -> 0.876 and 0.847 -> 0.858 on the two sets, ssvd 0.533 -> 0.530).
        attack_max_back_s: Longest attack rise followed back from the peak (seconds).
        handover_gap_s: A note that starts this close after the previous one
            ends (seconds) is checked for a late handover (see :func:`retime_handovers`).
        handover_back_s: How far before its found onset a handover is looked for (seconds).
        handover_below_db: The note starts where the energy at its harmonics
            has come within this many dB of its level at the found onset.
        handover_min_db: Smallest rise from the low before it (dB) that moves an onset.
        handover_glide_s: A pitch between the two notes in this stretch before
            the onset is a glide, not a handover: the onset stays.
        release_tail_s: The end of a note searched for a release (seconds;
            see :func:`trim_releases`).
        release_dip_db: A dip this far below the note's level in that stretch
            is a release.
        release_drop_db: The note ends where its level falls this far below
            its own on the way into the dip.
        vowel_rise_db: A note starts where its level first comes within this
            many dB of its peak in its first ``vowel_peak_s`` (see
            :func:`onsets_at_vowels`); 0 keeps onsets where they are.
        vowel_peak_s: The stretch after the onset whose loudest frame is the
            note's level (seconds).
        vowel_max_delay_s: Furthest an onset moves to its vowel (seconds).
        vowel_step_db: ... and only where the level rises at least this much
            (dB) from the frame before: a vowel opens within a frame, while a
            slow swell (a bowed or blown note, a hummed "ooh") rises over many.
    """

    note_cost: float = 3.0
    onset_discount: float = 1.0
    max_dev_st: float = 2.0
    dead_zone_st: float = 0.2
    octave_slip_st: float = 1.0
    voiced_rest_cost: float = 1.0
    unvoiced_note_cost: float = 0.8
    end_cost: float = 0.5
    gap_onset: float = 0.45
    gap_dip_db: float = 3.0
    reattack_min_prob: float = 0.4
    max_glide_s: float = 0.12
    blip_st: float = 0.0
    reattack_min_s: float = 0.1
    reattack_guard_s: float = 0.1
    octave_jump_st: float = 9.0
    arrival_st: float = 0.65
    release_db: float = 15.0
    attack_search_s: float = 0.1
    attack_min_peak: float = 0.3
    attack_rise_ratio: float = 0.1
    attack_max_back_s: float = 0.06
    handover_gap_s: float = 0.02
    handover_back_s: float = 0.3
    handover_below_db: float = 10.0
    handover_min_db: float = 12.0
    handover_glide_s: float = 0.08
    release_tail_s: float = 0.1
    release_dip_db: float = 9.0
    release_drop_db: float = 6.0
    vowel_rise_db: float = 0.0
    vowel_peak_s: float = 0.3
    vowel_max_delay_s: float = 0.08
    vowel_step_db: float = 2.0


#: Parameters for a voice (the pipeline's ``onsets="pitch"``, chosen for recordings whose
#: tuning wanders): onsets stay where the pitch arrives, a new note costs more (4.5, not 3)
#: and a short note a semitone from a longer one it touches is that note's overshoot or
#: sharp start, not a note (``blip_st``; ``max_glide_s`` 0.14, not 0.12). A singer's
#: pitch wanders a semitone for 80-140 ms at a note's start far more often than an
#: instrument's; the voice's notes were over-split (ssvd: 3797 notes found for 3348
#: labelled). ssvd COnP / COnPOff 0.535 / 0.440 -> 0.559 / 0.476, vocadito A1 0.644 / 0.492
#: -> 0.648 / 0.501, A2 0.657 / 0.577 -> 0.658 / 0.590; each change alone gained less.
#: And a sung note starts at its vowel (``vowel_rise_db``; see :func:`onsets_at_vowels`):
#: ssvd 0.559 / 0.476 -> 0.574 / 0.486 (26 recordings better, 2 worse), vocadito A1
#: 0.648 / 0.501 -> 0.655 / 0.506, A2 0.658 / 0.590 -> 0.677 / 0.595. Without the
#: step test (``vowel_step_db``) ssvd reached 0.576, but a swelling note started late:
#: the rendered set read with ``onsets="pitch"`` fell 0.829 -> 0.704 (0.769 with it).
SUNG = SegmentParams(attack_search_s=0.0, note_cost=4.5, max_glide_s=0.14, blip_st=1.0, vowel_rise_db=7.0)


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
        hook: Called as ``hook("reattack_run", {...})`` with the arguments of each note run's
            re-attack search (``start``, ``end``, ``frames``, ``min_len``, ``guard``, ``hop_s``),
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
    notes: list[Note] = []
    for i, (start, end, pitch) in enumerate(runs):
        # The last frames of a note that hands over to the next one carry the
        # next note's attack: no re-attack is looked for there.
        hands_over = i + 1 < len(runs) and runs[i + 1][0] - end <= 1
        run_guard = guard if hands_over else 0
        if hook is not None:
            hook("reattack_run", {"start": start, "end": end, "frames": frames, "min_len": min_len, "guard": run_guard, "hop_s": hop})
        for a, b in _split_reattacks(start, end, frames, p, min_len, run_guard, hop_s=hop):
            notes.append(_make_note(track, midi, conf, voiced, a, b, pitch, hop, p.arrival_st, p.release_db, keep_octave=i in joined))
    notes = _absorb_glides(notes, midi, track.times_s, max_glide_s=p.max_glide_s, blip_st=p.blip_st, hop=hop)
    if attack is not None:
        notes = _refine_onsets(notes, track.times_s, attack_arr, p, min_note_s=min_note_s)
    return _clean(notes, min_note_s=min_note_s)


def _refine_onsets(notes: list[Note], times_s: np.ndarray, attack: np.ndarray, p: SegmentParams, *, min_note_s: float) -> list[Note]:
    """Move the onset of each note to the start of its attack.

    The pitch track hands over from one note to the next once the new pitch
    dominates, which on a bowed, blown or sung note (or under the previous
    note's reverb) is tens of ms after the new note began. The attack itself
    shows in a short-window onset strength: the strongest peak shortly before
    (or just after) the hand-over, followed back to where it starts rising, is
    where the note began. After a rest too: a bowed or blown attack (or one
    under the reverb) is heard 50-90 ms before its pitch is clear (moving
    onsets after rests as well: rendered COnP 0.897 -> 0.900, seed 1 0.876 ->
    0.882). A singer's consonant or breath before the vowel would be pulled in
    the same way, which is why sung recordings (``onsets="pitch"``) search only
    from the pitch's arrival on (``attack_search_s=0``).
    """
    out: list[Note] = []
    for note in notes:
        lo = note.onset_s - p.attack_search_s
        if out:
            lo = max(lo, out[-1].onset_s + min_note_s)
        hi = min(note.onset_s + 0.04, note.offset_s - min_note_s)
        # Frames with lo <= time <= hi (times are sorted).
        sel = np.arange(np.searchsorted(times_s, lo, side="left"), np.searchsorted(times_s, hi, side="right"))
        if len(sel):
            k = int(sel[np.argmax(attack[sel])])
            if attack[k] >= p.attack_min_peak:
                b = k
                while b > sel[0] and attack[b - 1] > p.attack_rise_ratio * attack[k] and times_s[k] - times_s[b - 1] <= p.attack_max_back_s:
                    b -= 1
                new_on = float(times_s[b])
                if out and out[-1].offset_s > new_on:
                    prev = out.pop()
                    out.append(Note(prev.onset_s, new_on, prev.midi, prev.cents, prev.confidence))
                note = Note(new_on, note.offset_s, note.midi, note.cents, note.confidence)
        out.append(note)
    return out


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


def _split_reattacks(
    start: int,
    end: int,
    frames: FrameArrays,
    p: SegmentParams,
    min_len: int,
    guard: int = 0,
    *,
    hop_s: float,
) -> list[tuple[int, int]]:
    """Split the frames [start, end) of one note at re-attacks.

    Evidence of a re-attack, strongest first: the voicing drops out and comes
    back with an onset or a loudness dip (a breath or a re-bowed note); a
    loudness dip or onset peak that the re-attack network
    (:mod:`transcribe.reattack`) takes for a new note. Each part keeps
    ``min_len`` frames, and no part starts in the last ``guard`` frames.

    Args:
        start, end: The note's frames.
        frames: The whole track's arrays as the note search sees them (pitch with
            the tuning removed, the voicing before gap bridging).
        p: Segmentation parameters.
        min_len: Shortest part (frames).
        guard: Frames at the end where no part may start.
        hop_s: Frame hop (seconds).

    Returns:
        ``(first_frame, end_frame_exclusive)`` per part; a gap between parts is a rest.
    """
    min_len = max(min_len, 2)
    if end - start < 2 * min_len:
        return [(start, end)]
    w = frames.window(start, end)
    onset, loud_db, sure = w.onset, w.loudness_db, w.voiced
    n = end - start
    cands: list[tuple[float, int, int]] = []  # (priority, new_onset, previous_end) relative to start

    # (a) voicing gaps inside the note.
    edges = np.flatnonzero(np.diff(sure.astype(np.int8)))
    for e in edges:
        if sure[e] and e + 1 < n:  # a gap starts at e + 1
            later = edges[edges > e]
            if not len(later):
                break
            g0, g1 = e + 1, int(later[0]) + 1
            left = loud_db[max(0, g0 - 12) : g0].max()
            right = loud_db[g1 : g1 + 12].max() if g1 < n else -np.inf
            depth = float(min(left, right) - loud_db[g0:g1].min())
            if float(onset[max(0, g1 - 2) : g1 + 3].max()) >= p.gap_onset or depth >= p.gap_dip_db:
                cands.append((4.0, g1, g0))
    # (b) loudness dips and onset peaks the network takes for re-attacks (priority 2-3).
    splits, feats = reattack.run_candidates(loud_db, onset, w.attack, w.midi, w.confidence, sure, hop_s=hop_s)
    if len(splits):
        for split, prob in zip(splits, reattack.probability(feats)):
            if prob >= p.reattack_min_prob:
                cands.append((2.0 + float(prob), int(split), int(split)))
    return _cut(cands, start, n, min_len, guard)


def _cut(cands: list[tuple[float, int, int]], start: int, n: int, min_len: int, guard: int) -> list[tuple[int, int]]:
    """Split a run of ``n`` frames at ``cands`` (priority, new onset, previous end), strongest first."""
    # Keep a candidate only if it leaves min_len frames on each side.
    cuts: list[tuple[int, int]] = []
    for _, new_on, prev_end in sorted(cands, key=lambda c: -c[0]):
        if new_on < min_len or n - new_on < max(min_len, guard) or prev_end < min_len:
            continue
        if any(abs(new_on - c[0]) < min_len for c in cuts):
            continue
        cuts.append((new_on, prev_end))
    cuts.sort()
    parts = []
    a = start
    for new_on, prev_end in cuts:
        parts.append((a, start + prev_end))
        a = start + new_on
    parts.append((a, start + n))
    return [(x, y) for x, y in parts if y > x]


def _make_note(
    track: PitchTrack,
    midi: np.ndarray,
    conf: np.ndarray,
    voiced: np.ndarray,
    a: int,
    b: int,
    pitch: int,
    hop: float,
    arrival_st: float = 0.0,
    release_db: float = 0.0,
    *,
    keep_octave: bool = False,
) -> Note:
    v = voiced[a:b]
    if arrival_st > 0 and v.sum() > 4:
        # The note begins where its pitch arrives: leading frames of a scoop
        # (more than arrival_st from the note's median pitch) are not the note yet.
        centre = float(np.median(midi[a:b][v]))
        far = ~v | (np.abs(midi[a:b] - centre) > arrival_st)
        lead = int(np.argmin(far)) if not far.all() else 0
        a += min(lead, max(0, (b - a) // 3))
        v = voiced[a:b]
    if v.any():
        # The note's pitch is the median of its frames: robust to a scoop at the
        # start and a fall at the end, and the statistic human labellers' note
        # centres follow most closely (measured on the sung benchmark set).
        centre = float(np.median(_fold_octave_slips(midi[a:b][v], pitch)))
        if keep_octave:  # a held note with an octave slip inside: the segmentation's octave
            centre += 12.0 * round((pitch - centre) / 12.0)
        pitch = int(np.floor(centre + 0.5))
        cents = (centre - pitch) * 100.0
    else:
        cents = 0.0
    if release_db > 0 and b - a > 4:
        # The note ends where its level has fallen release_db below its peak:
        # what rings on after that is the release and the room, not the note.
        loud = track.loudness_db[a:b]
        peak = float(np.max(loud[: max(1, (3 * (b - a)) // 4)]))
        kept = np.flatnonzero(loud >= peak - release_db)
        b = a + max(int(kept[-1]) + 1, 2)
        v = voiced[a:b]
    # Frame times are centres; a note spans from half a hop before its first frame to half after its last.
    onset_s = max(0.0, float(track.times_s[a]) - hop / 2)
    offset_s = float(track.times_s[b - 1]) + hop / 2
    confidence = float(conf[a:b][v].mean()) if v.any() else 0.0
    return Note(onset_s=onset_s, offset_s=offset_s, midi=int(pitch), cents=cents, confidence=confidence)


def _fold_octave_slips(frames: np.ndarray, pitch: int) -> np.ndarray:
    """Frames (MIDI numbers, shape (m,)) with octave slips moved to the note's main octave.

    A note whose tracker slipped an octave for part of its frames has a median
    between the two octaves (half at 72 and half at 84 give 78, a pitch never
    played). The main octave is the one of ``pitch + 12 k`` (k in -2..2) that
    the most frames lie within a semitone of (``pitch`` on a tie); frames within
    a semitone of another of these octaves are moved to it. A run all of whose
    frames lie an octave from ``pitch`` keeps their octave.
    """
    shifts = np.array([0, -12, 12, -24, 24])
    near = np.abs(frames[None, :] - (pitch + shifts)[:, None]) < 1.0
    main = pitch + int(shifts[np.argmax(near.sum(axis=1))])
    off = frames - main
    slipped = (np.abs(off - 12.0 * np.round(off / 12.0)) < 1.0) & (np.abs(off) >= 11.0)
    return np.where(slipped, frames - 12.0 * np.round(off / 12.0), frames)


def _absorb_glides(
    notes: list[Note], midi: np.ndarray, times_s: np.ndarray, *, max_glide_s: float, hop: float, blip_st: float = 0.0
) -> list[Note]:
    """Merge scoops and fall-offs into the note they lead into or out of.

    A note shorter than ``max_glide_s`` that touches a longer neighbour within
    two semitones, and whose pitch moves steadily toward that neighbour, is a
    glide (a singer scooping up to a note, a slide), not a note of its own.
    One within ``blip_st`` semitones of that neighbour is merged whatever its
    pitch does.
    """
    out = list(notes)
    i = 0
    while i < len(out):
        note = out[i]
        if note.duration_s < max_glide_s:
            lo, hi = np.searchsorted(times_s, [note.onset_s, note.offset_s])
            pitch = midi[lo:hi]
            pitch = pitch[np.isfinite(pitch)]
            if len(pitch) >= 2:
                half = max(1, len(pitch) // 2)
                move = float(np.median(pitch[-half:]) - np.median(pitch[:half]))
                nxt = out[i + 1] if i + 1 < len(out) else None
                prv = out[i - 1] if i > 0 else None
                # A scoop moves toward the next note; a fall-off away from the previous one.
                if nxt is not None and _is_glide(note, nxt, nxt.onset_s - note.offset_s, move * (nxt.midi - note.midi), hop, blip_st):
                    out[i : i + 2] = [Note(note.onset_s, nxt.offset_s, nxt.midi, nxt.cents, nxt.confidence)]
                    i = max(0, i - 1)  # the merged note may now be the longer neighbour of a glide before it
                    continue
                if prv is not None and _is_glide(note, prv, note.onset_s - prv.offset_s, move * (note.midi - prv.midi), hop, blip_st):
                    out[i - 1 : i + 1] = [Note(prv.onset_s, note.offset_s, prv.midi, prv.cents, prv.confidence)]
                    i = max(0, i - 2)
                    continue
        i += 1
    return out


def _is_glide(short: Note, other: Note, gap_s: float, motion: float, hop: float, blip_st: float = 0.0) -> bool:
    """Whether ``short`` is a glide into or out of its neighbour ``other``: they
    touch, ``other`` is longer and within two semitones, and ``short``'s pitch
    moves the glide's way (``motion``: its pitch change in semitones times the
    signed interval in the glide's direction) or lies within ``blip_st`` of ``other``."""
    step = abs(other.midi - short.midi)
    return gap_s < 1.5 * hop and other.duration_s > short.duration_s and 0 < step <= 2 and (motion > 0.3 or step <= blip_st)


def _clean(notes: list[Note], *, min_note_s: float) -> tuple[Note, ...]:
    """Drop notes shorter than ``min_note_s``, merging each into an adjacent
    note of the same pitch when they touch."""
    out: list[Note] = []
    for note in notes:
        if (
            out
            and note.midi == out[-1].midi
            and note.onset_s - out[-1].offset_s < 1e-6
            and (note.duration_s < min_note_s or out[-1].duration_s < min_note_s)
        ):
            prev = out.pop()
            note = Note(prev.onset_s, note.offset_s, note.midi, prev.cents, prev.confidence)
        out.append(note)
    return tuple(n for n in out if n.duration_s >= min_note_s - 1e-9)


#: Spacing of the energy frames a handover is searched on (seconds).
HANDOVER_STEP_S = 0.008


def retime_handovers(
    notes: tuple[Note, ...],
    track: PitchTrack,
    energy_db: Callable[[np.ndarray, float, float], np.ndarray | None],
    *,
    tuning_cents: float,
    min_note_s: float = 0.05,
    params: SegmentParams | None = None,
) -> tuple[Note, ...]:
    """Move legato onsets back to where the new note's harmonics start to sound.

    A slowly swelling note under a long reverb (a choir, a bowed cello in a
    hall) is heard by the pitch tracker only once it outweighs the old note,
    100-250 ms after it began. Where one note runs straight into the next
    (a gap of at most ``handover_gap_s``) without a glide between their
    pitches, the energy at the new note's own harmonics (those the old note
    does not share) is followed back from the found onset; the note starts
    where that energy, rising from its low, comes within ``handover_below_db``
    of its level at the found onset. The previous note then ends there.

    Args:
        notes: Notes in time order, not overlapping.
        track: The pitch track the notes came from (for the glide check).
        energy_db: ``energy_db(times_s, f0_hz, exclude_f0_hz)`` gives the energy
            in dB at ``f0_hz``'s harmonics at each time, or ``None`` (see
            :func:`transcribe.features.harmonic_energy_db`).
        tuning_cents: Global tuning offset the notes' pitches were rounded after.
        min_note_s: The previous note keeps at least this length (seconds).
        params: Search settings; defaults when ``None``.

    Returns:
        The notes, some onsets earlier; pitches unchanged.
    """
    p = params or SegmentParams()
    out = list(notes)
    track_midi = track.midi
    for i in range(1, len(out)):
        prev, note = out[i - 1], out[i]
        if note.midi == prev.midi or note.onset_s - prev.offset_s > p.handover_gap_s:
            continue
        # Sounding pitches (fractional MIDI), as the track and the audio have them.
        old_st = prev.midi + (prev.cents + tuning_cents) / 100.0
        new_st = note.midi + (note.cents + tuning_cents) / 100.0
        near = (track.times_s >= note.onset_s - p.handover_glide_s) & (track.times_s < note.onset_s)
        between = track_midi[near]
        lo_st, hi_st = min(old_st, new_st), max(old_st, new_st)
        if np.any((between > lo_st + 0.5) & (between < hi_st - 0.5)):
            continue  # a glide: the pitch arrives where the tracker says
        start = max(prev.onset_s + min_note_s, note.onset_s - p.handover_back_s)
        if start >= note.onset_s - HANDOVER_STEP_S:
            continue
        times = np.arange(start, note.onset_s + 0.05, HANDOVER_STEP_S)
        energy = energy_db(times, midi_to_hz(new_st), midi_to_hz(old_st))
        if energy is None:
            continue
        level, low = float(energy[-3:].mean()), float(energy.min())
        if level - low < p.handover_min_db:
            continue
        j = int(np.argmin(energy))
        # Within a fixed distance of the level, not a share of the rise: a window
        # that barely reaches a sudden attack already lifts the dB far above a
        # silent floor.
        risen = np.flatnonzero(energy[j:] >= level - p.handover_below_db)
        onset = float(times[j + risen[0]]) if len(risen) else note.onset_s
        if onset < note.onset_s:
            out[i - 1] = replace(prev, offset_s=min(prev.offset_s, onset))
            out[i] = replace(note, onset_s=onset)
    return tuple(out)


def trim_releases(
    notes: tuple[Note, ...],
    track: PitchTrack,
    *,
    min_note_s: float = 0.05,
    params: SegmentParams | None = None,
) -> tuple[Note, ...]:
    """End each note where its level falls into the dip after its release.

    A player who lets go of a note before the next one (a breath, a bow
    change, a detached articulation) leaves a dip in the level that the pitch
    tracker bridges: the release and the room's reverb still carry the old
    pitch until the next note sounds. Where the level in a note's last
    ``release_tail_s`` (and the two frames after it) falls at least
    ``release_dip_db`` below the note's own level, the note ends where the
    level first dropped ``release_drop_db`` below it on the way into that dip.
    The note's own level is a line fitted to its body, flat or falling, so a
    plucked or struck note's natural decay is not taken for a release.

    Args:
        notes: Notes in time order, not overlapping.
        track: The pitch track the notes came from (its ``loudness_db``).
        min_note_s: A note keeps at least this length (seconds).
        params: Thresholds; defaults when ``None``.

    Returns:
        The notes, some offsets earlier; onsets and pitches unchanged.
    """
    p = params or SegmentParams()
    times, loud = track.times_s, track.loudness_db
    out = list(notes)
    for i, note in enumerate(out):
        a, b = np.searchsorted(times, [note.onset_s, note.offset_s])
        tail_start = int(np.searchsorted(times, note.offset_s - min(p.release_tail_s, 0.5 * (note.offset_s - note.onset_s))))
        # The first two frames are the attack, louder than the note's level.
        body = np.arange(a + 2, tail_start)
        if len(body) < 4 or b <= tail_start:
            continue
        slope = min(0.0, float(np.polyfit(times[body], loud[body], 1)[0]))
        level = float(np.median(loud[body] - slope * times[body]))
        # Two frames past the end: the dip's floor can sit under the next note's first frame.
        tail = np.arange(tail_start, min(len(times), b + 2))
        below = level + slope * times[tail] - loud[tail]
        floor = int(np.argmax(below))
        if below[floor] < p.release_dip_db:
            continue
        held = np.flatnonzero(below[: floor + 1] < p.release_drop_db)
        if len(held) == 0:
            end = float(times[tail[0]])
        else:
            # Interpolated between the last frame above the drop line and the one after it.
            k = int(held[-1])
            b0, b1 = below[k], below[k + 1]
            end = float(times[tail[k]] + (p.release_drop_db - b0) / (b1 - b0) * (times[tail[k + 1]] - times[tail[k]]))
        end = max(end, note.onset_s + min_note_s)
        if end < note.offset_s:
            out[i] = replace(note, offset_s=end)
    return tuple(out)


def onsets_at_vowels(
    notes: tuple[Note, ...],
    track: PitchTrack,
    *,
    min_note_s: float = 0.05,
    params: SegmentParams | None = None,
) -> tuple[Note, ...]:
    """Start each sung note at its vowel rather than at the consonant before it.

    A voiced consonant (the m, n, l, r, d of a sung syllable) carries the
    new pitch, so the pitch track starts the note there, but it is 10-20 dB
    quieter than the vowel, and a listener (and the sung sets' labellers)
    hears the note begin with the vowel. Where a note's level first comes
    within ``vowel_rise_db`` of its peak in its first ``vowel_peak_s`` no
    later than ``vowel_max_delay_s`` after the found onset, with a step of at
    least ``vowel_step_db`` from the frame before, the note starts there.
    Off (``vowel_rise_db`` 0) for instruments, whose attacks are placed by
    :mod:`transcribe.attack`.

    Args:
        notes: Notes in time order, not overlapping.
        track: The pitch track the notes came from (its ``loudness_db``).
        min_note_s: A note keeps at least this length (seconds).
        params: Thresholds; defaults (off) when ``None``.

    Returns:
        The notes, some onsets later; offsets and pitches unchanged.
    """
    p = params or SegmentParams()
    if p.vowel_rise_db <= 0 or not notes:
        return notes
    times, loud = track.times_s, track.loudness_db
    half_hop = 0.5 * float(times[1] - times[0]) if len(times) > 1 else 0.0
    out = list(notes)
    for i, note in enumerate(out):
        a, b = np.searchsorted(times, [note.onset_s, min(note.offset_s, note.onset_s + p.vowel_peak_s)])
        if b - a < 4:
            continue
        first = a + int(np.argmax(loud[a:b] >= float(loud[a:b].max()) - p.vowel_rise_db))
        onset_s = float(times[first]) - half_hop
        if first == a or loud[first] - loud[first - 1] < p.vowel_step_db:
            continue
        if onset_s <= note.onset_s + p.vowel_max_delay_s and note.offset_s - onset_s >= min_note_s:
            out[i] = replace(note, onset_s=onset_s)
    return tuple(out)
