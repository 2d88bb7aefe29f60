"""Background tasks run by ``yichuang worker``."""

from .rollups import rollup_tick

TASKS = [("insights.rollups", 30, rollup_tick)]
