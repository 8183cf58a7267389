"""Benchmarks of collection and build; run with benchmarks/run (see benchmarks/README.md)."""
