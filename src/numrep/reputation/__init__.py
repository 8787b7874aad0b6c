"""Reputation settings and approval gates, registered numbers and their data."""
