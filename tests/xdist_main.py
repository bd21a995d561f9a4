"""Stands in for ``__main__`` in pytest-xdist workers (see ``tests/conftest.py``); deliberately empty."""
