"""Ownership tracking of registered numbers: carrier baselines, checks, confirms."""
