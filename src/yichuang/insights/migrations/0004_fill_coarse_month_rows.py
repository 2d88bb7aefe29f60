"""Fill the coarse month rows (grain "c") from the month rows already stored,
so that a database migrated from 0002 reads the same figures before its next
``rebuild-rollups`` (the worker refreshes a month's coarse rows only when a day
of that month changes)."""

from django.db import migrations

# model: (dimensions kept, other dimensions set to their default, counters)
TABLES = {
    "TicketCell": (
        ("department",),
        (("window", 0), ("queue", 0), ("clerk", 0)),
        (
            "issued",
            "transfers_in",
            "called",
            "served",
            "no_show",
            "cancelled",
            "wait_seconds",
            "service_seconds",
        ),
    ),
    "WaitBucket": (("department", "minute"), (("queue", 0), ("peak", False)), ("n",)),
    "CaseCell": (
        ("department",),
        (("item", 0), ("clerk", 0)),
        (
            "accepted",
            "completed",
            "on_time",
            "one_visit",
            "zero_visit",
            "visits",
            "yellow_cards",
            "red_cards",
        ),
    ),
    "DurationBucket": (("department", "workdays"), (("item", 0),), ("n",)),
    "RatingCell": (
        ("department",),
        (("window", 0), ("queue", 0), ("clerk", 0), ("item", 0)),
        ("n1", "n2", "n3", "n4", "n5", "excluded", "defaulted"),
    ),
}


def fill(apps, schema_editor):
    qn = schema_editor.connection.ops.quote_name
    for name, (kept, other, sums) in TABLES.items():
        model = apps.get_model("insights", name)
        model.objects.filter(grain="c").delete()
        col = {f.name: qn(f.column) for f in model._meta.concrete_fields}
        table = qn(model._meta.db_table)
        group = ", ".join(col[f] for f in ("start", "centre", *kept))
        sql = (
            f"INSERT INTO {table} ({col['grain']}, {group}, "
            f"{', '.join(col[f] for f, _v in other)}, {', '.join(col[f] for f in sums)}) "
            f"SELECT %s, {group}, {', '.join('%s' for _o in other)}, "
            f"{', '.join(f'SUM({col[f]})' for f in sums)} FROM {table} "
            f"WHERE {col['grain']} = %s GROUP BY {group}"
        )
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql, ["c", *(v for _f, v in other), "m"])


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_coarse_month_grain")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
