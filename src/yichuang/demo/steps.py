"""The demo steps, in order; each app adds its own."""

from . import cases, catalog, feedback, org, queueing

STEPS = [org.build, catalog.build, queueing.build, cases.build, feedback.build]
