"""Accuracy benchmarks for ``transcribe`` (not part of the shipped package)."""
