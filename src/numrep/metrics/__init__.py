"""Prometheus metrics: HTTP traffic, queue depths, review cases and outcomes."""
