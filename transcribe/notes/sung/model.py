"""The two networks of the sung-note model and the thresholds their probabilities are read with."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ... import models
from ...types import FrameArrays
from .. import network
from .inputs import FEATURES, frame_features


@dataclass(frozen=True, eq=False)
class SungModel:
    """The two networks and the reading of their probabilities.

    Attributes:
        onset: Onset network weights (:func:`transcribe.notes.network.probability`'s layout).
        offset: Offset network weights.
        onset_min: Weakest onset-probability peak that starts a note.
        offset_min: Weakest offset-probability peak that ends a note before the next onset.
        min_gap_frames: Fewest frames between two onsets.
        pitch_offset_st: Added to each note's sung pitch (``midi + cents / 100``, semitones), not
            to the semitone it is written as.
        step_min_st: Smallest clear pitch step (semitones, between the medians of the
            :data:`.steps.STEP_FRAMES` frames before and after a frame, both steady) that starts a note
            where the onset network saw none: a legato step. Infinite: none.
        length_weight: Weight of the note-length prior with which the onsets are chosen
            (:func:`transcribe.notes.semimarkov.onsets`, against ``onset_min`` and the
            recording's typical note length as the peaks give it); 0: the peaks themselves.
    """

    onset: dict[str, np.ndarray]
    offset: dict[str, np.ndarray]
    onset_min: float
    offset_min: float
    min_gap_frames: int
    pitch_offset_st: float
    step_min_st: float = np.inf
    length_weight: float = 0.0

    @classmethod
    def from_model(cls, model: models.Model) -> SungModel:
        """The networks and thresholds stored in a model file (``models.load("sung_onsets")``'s layout)."""
        model.features("features", FEATURES)
        a = model.arrays
        return cls(
            model.group("onset"),
            model.group("offset"),
            float(a["onset_min"]),
            float(a["offset_min"]),
            int(a["min_gap_frames"]),
            float(a["pitch_offset_st"]),
            float(a["step_min_st"]),
            float(a["length_weight"]),
        )

    def save(self, file: str | os.PathLike[str], *, provenance: dict[str, str]) -> None:
        """Write the model as a model file (see :mod:`transcribe.models`), at full precision."""
        arrays: dict[str, np.ndarray | float] = {f"onset.{k}": v for k, v in self.onset.items()}
        arrays.update({f"offset.{k}": v for k, v in self.offset.items()})
        arrays.update(
            onset_min=self.onset_min,
            offset_min=self.offset_min,
            min_gap_frames=self.min_gap_frames,
            pitch_offset_st=self.pitch_offset_st,
            step_min_st=self.step_min_st,
            length_weight=self.length_weight,
        )
        models.save(file, arrays=arrays, names={"features": FEATURES}, provenance=provenance)


def load_model() -> SungModel:
    """The shipped model (``transcribe/models/sung_onsets.npz``)."""
    return SungModel.from_model(models.load("sung_onsets"))


def probabilities(frames: FrameArrays, bands_db: np.ndarray, model: SungModel) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, the probability that a note starts there and that one ends there, shape (n,) each."""
    x = frame_features(frames, bands_db)
    return network.probability(x, model.onset), network.probability(x, model.offset)
