"""The synonym groups a new installation starts with (knowledge.defaults; the
county admin edits them in the admin site)."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from yichuang.knowledge.defaults import SYNONYM_GROUPS

    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    for terms in SYNONYM_GROUPS:
        SynonymGroup.objects.get_or_create(terms=terms)


def remove_groups(apps, schema_editor):
    from yichuang.knowledge.defaults import SYNONYM_GROUPS

    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    SynonymGroup.objects.filter(terms__in=SYNONYM_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
