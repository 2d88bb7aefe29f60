"""The demo steps, in order; each app adds its own."""

from . import (
    absences,
    cases,
    catalog,
    feedback,
    insights,
    knowledge,
    lines,
    org,
    queueing,
    supervision,
)

# The absences come before the history (its windows pass to their B clerks);
# the business lines and the knowledge base need the catalogue and the queues;
# insights rolls up the history the others wrote; supervision, above it, reads
# that history into the problem ledger last.
STEPS = [
    org.build,
    absences.build,
    catalog.build,
    queueing.build,
    lines.build,
    knowledge.build,
    cases.build,
    feedback.build,
    insights.build,
    supervision.build,
]
