"""Data: reason list v1 (docs/domain.md, "Ratings") and the complaint
categories (Open311 services)."""

from django.db import migrations

from yichuang.feedback.defaults import CATEGORIES, REASONS_V1


def forwards(apps, schema_editor):
    ReasonList = apps.get_model("feedback", "ReasonList")
    Reason = apps.get_model("feedback", "Reason")
    ComplaintCategory = apps.get_model("feedback", "ComplaintCategory")
    if not ReasonList.objects.exists():
        rl = ReasonList.objects.create(version=1, is_current=True, note="国办发〔2019〕51号")
        Reason.objects.bulk_create(
            [
                Reason(reason_list=rl, code=code, label=label, sort_order=i)
                for i, (code, label) in enumerate(REASONS_V1)
            ]
        )
    for i, (code, name, kind, group, desc, _dept, attrs) in enumerate(CATEGORIES):
        ComplaintCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "group": group,
                "description": desc,
                "attributes": attrs,
                "sort_order": i,
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("feedback", "Reason").objects.all().delete()
    apps.get_model("feedback", "ReasonList").objects.all().delete()
    apps.get_model("feedback", "ComplaintCategory").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
