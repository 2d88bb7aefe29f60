"""The demo steps, in order; each app adds its own."""

from . import absences, cases, catalog, feedback, insights, org, queueing

# The absences come before the history (its windows pass to their B clerks);
# insights comes last: it rolls up the history the others wrote.
STEPS = [
    org.build,
    absences.build,
    catalog.build,
    queueing.build,
    cases.build,
    feedback.build,
    insights.build,
]
