"""A person's name and every document's number are encrypted at rest
(docs/domain.md, "Security"): the columns become text and what is stored is
encrypted in place. Reversible: going back decrypts before the columns shrink."""

from django.db import migrations

import yichuang.lib.crypto
from yichuang.lib.crypto import decrypt_column, encrypt_column

COLUMNS = [("vault_person", "name"), ("vault_document", "number")]


def encrypt_stored(apps, schema_editor):
    for table, column in COLUMNS:
        encrypt_column(schema_editor.connection, table, column)


def decrypt_stored(apps, schema_editor):
    for table, column in COLUMNS:
        decrypt_column(schema_editor.connection, table, column)


class Migration(migrations.Migration):
    dependencies = [
        ("vault", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="document",
            name="number",
            field=yichuang.lib.crypto.EncryptedTextField(
                blank=True, default="", verbose_name="证照编号"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="name",
            field=yichuang.lib.crypto.EncryptedTextField(verbose_name="姓名"),
        ),
        migrations.RunPython(encrypt_stored, decrypt_stored),
    ]
