"""The demo steps, in order; each app adds its own."""

from . import org, queueing

STEPS = [org.build, queueing.build]
