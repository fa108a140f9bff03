"""Benchmarks of the whole system at national scale (`make bench`; see README.md)."""
