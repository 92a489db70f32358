"""The costs and thresholds of the note search and its passes, and the voice preset."""

from __future__ import annotations

from dataclasses import dataclass


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
            (:mod:`transcribe.notes.reattack`) gives at least this probability: a
            missed repeat costs a note and a wrong written duration, a false split
            a note. 0.3 for the network that reads positions in the recording's note
            spacing, chosen on the varied set (seed 5, COnP 0.5 / 0.45 / 0.4 / 0.35 /
            0.3 / 0.25 / 0.2: 0.917 / 0.918 / 0.920 / 0.920 / 0.922 / 0.920 / 0.917).
        max_glide_s: Notes shorter than this that glide into or out of a
            neighbour are merged into it (seconds). 0.08 rather than 0.12: a fast
            run's notes of 80-120 ms move toward their neighbours too (varied rendered
            set, seed 5: COnP 0.901 -> 0.904; FluidR3 seed 0: 0.924 -> 0.927).
        blip_st: A note shorter than ``max_glide_s`` that touches a longer
            neighbour at most this many semitones away is merged into it even
            when its pitch does not move toward it (a singer's overshoot, or
            the first frames of a note sung a semitone sharp); 0 merges only
            glides.
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
        settle_slope_st_per_s: A note's pitch is the median of its settled frames, those
            where the pitch moves slower than this (semitones per second; 8 = 0.13 a 16 ms
            frame): a scoop into the note and a fall out of it do not pull it a semitone off
            (a saxophone played flat and scooped). 0: the median of all its frames. 8 chosen
            on the varied sets (COnP, 0 / 8 / 12 / 16 / 24: seed 5 0.9215 / 0.9217 / 0.9220 /
            0.9213 / 0.9217, seeds 10-12 mean 0.8790 / 0.8797 / 0.8794 / 0.8790 / 0.8789).
        release_db: A note ends where its level falls this far below its peak
            (the release and the room's reverb are not the note); 0 keeps the
            last voiced frame.
        attack_search_s: How far before a found onset its attack is looked for
            (seconds); 0 keeps onsets where the pitch arrives (the pipeline's
            ``onsets="pitch"``).
        attack_search_legato_s: The same after a change of pitch with no break
            (a slur): the pitch change is the onset unless an attack is close to it.
            0.04 chosen on a varied rendered set (seed 5: three soundfonts, four rooms,
            expressive playing; COnP 0.895 -> 0.901, onsets 0.907 -> 0.913), the
            FluidR3 set not lower (0.921 -> 0.924).
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
        handover_min_step_st: Smallest step between the two notes (semitones) whose
            handover is looked for. 1.5 (a semitone is left alone), chosen on FluidR3
            seed 0, varied seed 5 and hall check seed 7 (COnP 0.9519 / 0.9328 / 0.8058
            with every step, 0.9533 / 0.9392 / 0.8143 with 1.5, 0.9526 / 0.9361 / 0.8036
            with 2.5, 0.9431 / 0.9358 / 0.7998 with none).
        release_tail_s: The end of a note searched for a release (seconds;
            see :func:`trim_releases`).
        release_dip_db: A dip this far below the note's level in that stretch
            is a release.
        release_drop_db: The note ends where its level falls this far below
            its own on the way into the dip.
        abrupt_rise_db: An onset followed within ``abrupt_search_s`` by a rise of the
            fine (4 ms) level this steep over 8 ms moves to where that rise starts
            (:func:`transcribe.notes.attack.onsets_at_abrupt_rises`); 15 chosen on the
            rendered sets (10: varied seed 5 COnP 0.942 -> 0.941, hall check 0.824 ->
            0.823; 15: every rendered set unchanged).
        abrupt_search_s: How far after an onset that rise is looked for (seconds).




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
    reattack_min_prob: float = 0.3
    max_glide_s: float = 0.08
    blip_st: float = 0.0
    reattack_min_s: float = 0.1
    reattack_guard_s: float = 0.1
    octave_jump_st: float = 9.0
    arrival_st: float = 0.65
    release_db: float = 15.0
    settle_slope_st_per_s: float = 8.0
    attack_search_s: float = 0.1
    attack_search_legato_s: float = 0.04
    attack_min_peak: float = 0.3
    attack_rise_ratio: float = 0.1
    attack_max_back_s: float = 0.06
    handover_gap_s: float = 0.02
    handover_back_s: float = 0.3
    handover_below_db: float = 10.0
    handover_min_db: float = 12.0
    handover_glide_s: float = 0.08
    handover_min_step_st: float = 1.5
    release_tail_s: float = 0.1
    release_dip_db: float = 9.0
    release_drop_db: float = 6.0
    abrupt_rise_db: float = 15.0
    abrupt_search_s: float = 0.04
