"""Tempo, beat, meter and quantization: from notes in seconds to notes in beats.

:func:`analyze` (in :mod:`.analysis`) is the entry point. It uses :mod:`.tatum` (the slowest
regular pulse and the grid that follows it), :mod:`.meter` (the fitted meter model over every
reading of that pulse), :mod:`.duple` (two or four beats a bar), :mod:`.quantize` (each beat
written in halves, quarters or triplets) and :mod:`.level` (a slow voice's reading written at
twice the tempo).
"""

from .analysis import SUNG_METER_MODEL, SUNG_METER_PARAMS, SUNG_RHYTHM_MODEL, SUNG_RHYTHM_PARAMS, SungRhythm, analyze, choose_meter
from .duple import DUPLE_FEATURES, LONG_END_LOG_ODDS, duple_features, duple_log_odds, duple_weights, long_end, two_or_four
from .follow import (
    VALUES_BEATS,
    FollowedBeats,
    TempoFollow,
    follow_beats,
    follow_beats_in_bars,
    held_value,
    metric_levels,
    syncopated,
    value_surprise,
)
from .level import DOUBLED_METERS, at_double_tempo
from .meter import (
    METER_FEATURES,
    METERS,
    MeterChoice,
    bar_count_cost,
    compound_or_triplets,
    meter_candidates,
    meter_features,
    meter_hidden,
    meter_scores,
    meter_weights,
    phrase_frame,
    pick_reading,
    relative_levels,
)
from .quantize import FINE_PENALTY, OTHER_PENALTY
from .tatum import BeatGrid, TatumPlacement, estimate_tatum, place_on_tatums, tatum_fit

__all__ = [
    "DOUBLED_METERS",
    "DUPLE_FEATURES",
    "FINE_PENALTY",
    "LONG_END_LOG_ODDS",
    "METERS",
    "METER_FEATURES",
    "OTHER_PENALTY",
    "SUNG_METER_MODEL",
    "SUNG_METER_PARAMS",
    "SUNG_RHYTHM_MODEL",
    "SUNG_RHYTHM_PARAMS",
    "VALUES_BEATS",
    "BeatGrid",
    "FollowedBeats",
    "MeterChoice",
    "SungRhythm",
    "TatumPlacement",
    "TempoFollow",
    "analyze",
    "at_double_tempo",
    "bar_count_cost",
    "choose_meter",
    "compound_or_triplets",
    "duple_features",
    "duple_log_odds",
    "duple_weights",
    "estimate_tatum",
    "follow_beats",
    "follow_beats_in_bars",
    "held_value",
    "long_end",
    "meter_candidates",
    "meter_features",
    "meter_hidden",
    "meter_scores",
    "meter_weights",
    "metric_levels",
    "phrase_frame",
    "pick_reading",
    "place_on_tatums",
    "relative_levels",
    "syncopated",
    "tatum_fit",
    "two_or_four",
    "value_surprise",
]
