"""The key and how notes are spelled in it: :mod:`.key` (estimation, names, signatures) and
:mod:`.spelling` (a pitch's written name in a key)."""

from .key import (
    KEY_FEATURES,
    MIN_KEY_PITCH_CLASSES,
    estimate_key,
    key_features,
    key_name,
    key_signature_sharps,
    key_weights,
    key_without_evidence,
    pitch_class_histogram,
    plainest_major_key,
    tonic_pc,
    usual_key,
)
from .spelling import spell, spell_line, spelling_table

__all__ = [
    "KEY_FEATURES",
    "MIN_KEY_PITCH_CLASSES",
    "estimate_key",
    "key_features",
    "key_name",
    "key_signature_sharps",
    "key_weights",
    "key_without_evidence",
    "pitch_class_histogram",
    "plainest_major_key",
    "spell",
    "spell_line",
    "spelling_table",
    "tonic_pc",
    "usual_key",
]
