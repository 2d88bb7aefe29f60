"""The demo steps, in order; each app adds its own."""

from . import cases, catalog, feedback, insights, org, queueing

# Insights comes last: it rolls up the history the others wrote.
STEPS = [org.build, catalog.build, queueing.build, cases.build, feedback.build, insights.build]
