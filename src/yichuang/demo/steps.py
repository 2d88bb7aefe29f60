"""The demo steps, in order; each app adds its own."""

from . import absences, cases, catalog, feedback, insights, org, queueing, supervision

# The absences come before the history (its windows pass to their B clerks);
# insights rolls up the history the others wrote; supervision, above it, reads
# that history into the problem ledger last.
STEPS = [
    org.build,
    absences.build,
    catalog.build,
    queueing.build,
    cases.build,
    feedback.build,
    insights.build,
    supervision.build,
]
