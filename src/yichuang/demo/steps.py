"""The demo steps, in order; each app adds its own."""

from . import org

STEPS = [org.build]
