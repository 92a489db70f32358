"""Notes from a gated pitch track: the note search and the passes that place each note's ends.

- :mod:`.search`: the Viterbi search over {rest, semitone} states, its clean-up and re-attack splits
  (:class:`SegmentParams`, :func:`segment`); the onset passes :func:`retime_handovers` and
  :func:`onsets_at_vowels`; the release trim :func:`trim_releases`.
- :mod:`.reattack`, :mod:`.attack`, :mod:`.release`: the learned decisions (is this dip a new note?
  where does an instrument note start? where does it end?), sharing :mod:`.network`.
- :mod:`.sung`: the voice path's learned per-frame onset/offset model.
"""

from .search import SUNG, SegmentParams, onsets_at_vowels, retime_handovers, segment, trim_releases

__all__ = ["SUNG", "SegmentParams", "onsets_at_vowels", "retime_handovers", "segment", "trim_releases"]
