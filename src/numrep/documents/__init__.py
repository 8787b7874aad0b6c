"""Documents uploaded by accounts, such as the signed Letter of Authorization."""
