"""Assurbot's extensions of the Rasa server: stores and channel helpers loaded by endpoints.yml."""
