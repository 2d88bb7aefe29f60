"""The nine business lines of docs/domain.md (org.models.DEFAULT_LINES)."""

from django.db import migrations


def create_lines(apps, schema_editor):
    from yichuang.org.models import DEFAULT_LINES as LINES

    BusinessLine = apps.get_model("org", "BusinessLine")
    for sort, (code, name) in enumerate(LINES, start=1):
        BusinessLine.objects.update_or_create(code=code, defaults={"name": name, "sort": sort})


def remove_lines(apps, schema_editor):
    from yichuang.org.models import DEFAULT_LINES as LINES

    BusinessLine = apps.get_model("org", "BusinessLine")
    BusinessLine.objects.filter(code__in=[code for code, _ in LINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0006_business_lines")]

    operations = [migrations.RunPython(create_lines, remove_lines)]
