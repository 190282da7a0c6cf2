"""Benchmarks of the project: `python -m bench` (or `make bench`) runs them all and writes docs/benchmarks.md."""
