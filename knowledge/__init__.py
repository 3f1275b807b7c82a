"""The knowledge base: sourced articles, their search, the answer / clarify / no-answer choice.

Shared by the action server (which answers from it), the checker (`make check-knowledge`), the
evaluation of real questions (`make evaluate`) and the team's review tools. It knows nothing of
Rasa: it takes text (and, optionally, what the NLU model thought) and gives articles.
"""
