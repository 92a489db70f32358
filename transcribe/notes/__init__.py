"""Notes from a gated pitch track: the note search and the passes that place each note's ends.

- :mod:`.params`: :class:`SegmentParams`, the costs of the search and its passes.
- :mod:`.search`: the Viterbi search over {rest, semitone} states (:func:`segment`), which calls
  :mod:`.split` (re-attack splits of one pitch run), :mod:`.cleanup` (octave slips, glides, blips)
  and the attack search of :mod:`.onsets`.
- :mod:`.onsets`: where a note starts: attack search, :func:`retime_handovers`.
- :mod:`.offsets`: where a note ends: :func:`trim_releases`.
- :mod:`.octaves`: instrument notes the tracker read an octave too high, moved down by the spectrum.
- :mod:`.reattack`, :mod:`.attack`, :mod:`.release`: the learned decisions (is this dip a new note?
  where does an instrument note start? where does it end?), sharing :mod:`.network`.
- :mod:`.sung`: the voice path's learned per-frame onset/offset model.
"""

from .offsets import trim_releases
from .onsets import retime_handovers
from .params import SegmentParams
from .search import segment

__all__ = ["SegmentParams", "retime_handovers", "segment", "trim_releases"]
