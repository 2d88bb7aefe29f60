"""The demo tests that generate history need the insights tests' world (the
demo catalogue and queues on the shared organisation)."""

from tests.insights.conftest import world

__all__ = ["world"]
