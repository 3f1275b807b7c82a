"""Assurbot's action server package (rasa-sdk): one module per topic."""
