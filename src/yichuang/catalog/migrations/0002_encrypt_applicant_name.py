"""A one-time notice's applicant name is encrypted at rest (docs/domain.md,
"Security"): the column becomes text and what is stored is encrypted in place.
Reversible: going back decrypts before the column shrinks."""

from django.db import migrations

import yichuang.lib.crypto
from yichuang.lib.crypto import decrypt_column, encrypt_column


def encrypt_stored(apps, schema_editor):
    encrypt_column(schema_editor.connection, "catalog_onetimenotice", "applicant_name")


def decrypt_stored(apps, schema_editor):
    decrypt_column(schema_editor.connection, "catalog_onetimenotice", "applicant_name")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="onetimenotice",
            name="applicant_name",
            field=yichuang.lib.crypto.EncryptedTextField(verbose_name="申请人"),
        ),
        migrations.RunPython(encrypt_stored, decrypt_stored),
    ]
