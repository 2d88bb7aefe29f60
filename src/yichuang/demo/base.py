"""The demo county: shared state of one ``seed-demo`` run.

Each app contributes one step (``demo/org.py``, later ``demo/catalog.py``, …)
that takes a :class:`DemoRun` and adds its data. Steps use the same actions as
the product where rows are few, and bulk inserts where history is large. The
random generator is seeded, so the same ``--seed`` gives the same county.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

# The system setting the demo organisation writes (demo/org.py): a database
# holding it was built by the demo, so `seed-demo --reset` may empty it.
DEMO_MARK = "demo.county"


@dataclass
class DemoRun:
    seed: int = 2026
    scale: str = "county"
    months: int = 0
    password: str = ""
    always_open: bool = False
    rng: random.Random = field(init=False)
    out: list[str] = field(default_factory=list)
    # Objects later steps need, by name (e.g. "county_hall", "departments").
    ctx: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def say(self, line: str) -> None:
        self.out.append(line)
