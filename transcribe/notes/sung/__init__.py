"""Where sung notes start and end: a per-frame onset and offset probability, learned from real singing.

Every frame of the pitch track is described by :data:`FEATURES` (the onset and attack
strengths, how the level, the voicing and the pitch move around it, a few frames either
side), two small networks (:mod:`transcribe.notes.network`) give the probability that a note
starts there and that one ends there, and the notes are read off them: onsets at the
peaks of the onset probability (chosen with a note-length prior, :mod:`transcribe.notes.semimarkov`,
when the model has one) and at clear legato steps of the pitch that the network
missed (at least the model's ``step_min_st`` between two steady stretches), each note
running to the likeliest offset before the next onset (or to that onset, legato), its pitch
the median of its voiced frames (the model's fitted pitch offset is stored, not applied).
Fitted by ``python -m benchmarks.fit_sung_onsets`` on SSVD's training split,
cross-validated by recording (see ``docs/models/sung-onsets.md``); the weights ship as
``transcribe/models/sung_onsets.npz``.
"""

from .inputs import FEATURES, frame_features
from .model import SungModel, load_model, probabilities
from .read import notes_from, read_notes

__all__ = ["FEATURES", "SungModel", "frame_features", "load_model", "notes_from", "probabilities", "read_notes"]
