"""Tests of the mocked member-information system and of its client."""
