"""Synthetic care-process data: a realistic region, deterministic for a given seed and reference date."""
