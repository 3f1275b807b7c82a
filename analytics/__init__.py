"""What the insurer measures of its assistant, and what goes back to the team that trains it.

metrics.py   conversations rebuilt from the event store, and the figures the insurer follows
report.py    `make report`: the figures and charts of a period, one HTML file
simulate.py  `make simulate`: conversations from the test data, sent to the running assistant
review.py    `make review`: the messages it did not understand, as an NLU file to correct
merge.py     `make merge`: the corrected file added to data/nlu/, then validated
"""
