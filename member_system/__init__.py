"""Assurbot's mocked member-information system: an HTTP service over synthetic member data.

Run it with `python -m member_system`; see README.md in this folder.
"""
