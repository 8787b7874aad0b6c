"""The numbers each account owns; associating a number requires it to be here."""
