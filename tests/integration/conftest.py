"""Integration tests use the session's running stack: see `stack` in tests/conftest.py."""
