"""Review of an enterprise's proof that it owns numbers hosted elsewhere."""
