# The 整改责任人's phone of existing hazards is rewritten encrypted (zhiben.core.crypto); reversing
# writes the clear text back.

from django.db import migrations, models
from django.db.models.functions import Cast


def _raw_phones(Hazard):
    """(pk, stored value) of every hazard with a phone, read as stored (not decrypted)."""
    return (
        Hazard.objects.exclude(responsible_phone="")
        .annotate(raw=Cast("responsible_phone", models.TextField()))
        .values_list("pk", "raw")
    )


def encrypt_existing(apps, schema_editor):
    from zhiben.core import crypto

    Hazard = apps.get_model("hazards", "Hazard")
    for pk, raw in _raw_phones(Hazard).iterator():
        if raw and not crypto.is_encrypted(raw):
            Hazard.objects.filter(pk=pk).update(responsible_phone=crypto.encrypt(raw))


def decrypt_existing(apps, schema_editor):
    from zhiben.core import crypto

    Hazard = apps.get_model("hazards", "Hazard")
    table = schema_editor.quote_name(Hazard._meta.db_table)
    for pk, raw in _raw_phones(Hazard).iterator():
        if crypto.is_encrypted(raw):
            # a queryset update() would encrypt again: write through a raw UPDATE
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET responsible_phone = %s WHERE id = %s", [crypto.decrypt(raw), pk])


class Migration(migrations.Migration):
    dependencies = [("hazards", "0005_access_control")]

    operations = [migrations.RunPython(encrypt_existing, decrypt_existing)]
