"""Benchmarks of the eligibility engine (see README.md); run ``benchmarks/engine.py``."""
