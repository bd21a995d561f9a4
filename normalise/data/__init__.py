"""Hand-maintained reference lists used by the normalisers (plain Python, loaded with the package)."""
