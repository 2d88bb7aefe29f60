"""Version 1 of the default checklists (supervision.defaults)."""

from django.db import migrations


def install(apps, schema_editor):
    from yichuang.supervision.defaults import checklist_rows

    Checklist = apps.get_model("supervision", "Checklist")
    ChecklistLine = apps.get_model("supervision", "ChecklistLine")
    for row in checklist_rows():
        if Checklist.objects.filter(code=row["code"]).exists():
            continue
        checklist = Checklist.objects.create(
            code=row["code"], version=1, name=row["name"], kind=row["kind"], is_current=True
        )
        ChecklistLine.objects.bulk_create(
            ChecklistLine(checklist=checklist, sort_order=i, **line)
            for i, line in enumerate(row["lines"])
        )


def uninstall(apps, schema_editor):
    from yichuang.supervision.defaults import checklist_rows

    Checklist = apps.get_model("supervision", "Checklist")
    codes = [row["code"] for row in checklist_rows()]
    Checklist.objects.filter(code__in=codes, version=1, inspections__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
