"""PostgreSQL: vacuum and analyze the ticket table after 2 % of its rows
changed instead of 20 %. Every call and finish leaves a dead row version behind
in the waiting-line indexes; with the default a busy day's leftovers were only
cleared when a fifth of all the years' tickets had changed."""

from django.db import migrations

TABLES = ("queueing_ticket", "queueing_ticketevent", "queueing_queuecounter")


def tune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.02,"
            " autovacuum_analyze_scale_factor = 0.02)"
        )


def untune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor,"
            " autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("queueing", "0005_pick_candidate_indexes")]

    operations = [migrations.RunPython(tune, untune)]
