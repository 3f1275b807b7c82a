"""How well Assurbot understands real members: questions collected from public sources, split by
source into a development half (tuning) and a test half (reporting only)."""
