"""The ratings are no longer rolled up here (the KPIs read the feedback app's
daily roll-up), so the cursor of their source goes."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("insights", "Cursor").objects.filter(source="rating").delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0005_drop_rating_cells")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
