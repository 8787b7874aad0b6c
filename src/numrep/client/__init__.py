"""Client side of numrep: CSV import and export over the HTTP API."""
