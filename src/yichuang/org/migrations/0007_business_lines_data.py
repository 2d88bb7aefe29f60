"""The nine business lines of docs/domain.md ("Business lines")."""

from django.db import migrations

LINES = [
    ("shebao", "社保"),
    ("yibao", "医保"),
    ("huji", "户籍"),
    ("minzheng", "民政"),
    ("weijian", "卫健（计生）"),
    ("canlian", "残联"),
    ("tuiyi", "退役军人"),
    ("shuiwu", "税务"),
    ("zonghe", "综合受理"),
]


def create_lines(apps, schema_editor):
    BusinessLine = apps.get_model("org", "BusinessLine")
    for sort, (code, name) in enumerate(LINES, start=1):
        BusinessLine.objects.update_or_create(code=code, defaults={"name": name, "sort": sort})


def remove_lines(apps, schema_editor):
    BusinessLine = apps.get_model("org", "BusinessLine")
    BusinessLine.objects.filter(code__in=[code for code, _ in LINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0006_business_lines")]

    operations = [migrations.RunPython(create_lines, remove_lines)]
