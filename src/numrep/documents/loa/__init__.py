"""The Letter of Authorization: a PDF rendered from an enterprise's record."""
