"""numrep: spam reputation and remediation of outbound calling numbers."""

__version__ = "0.1.0"
