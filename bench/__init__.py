"""Benchmark scripts (run as ``python -m bench.<name>``) and their synthetic data."""
